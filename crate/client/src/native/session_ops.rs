//! Organizer, participant and reader operations over the relay: create a
//! session, submit an answer, close, fetch and verify the result. Used by
//! the CLI commands and by `sotto simulate`.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::native::relay_client::{RelayClient, SubmitAck};
pub use crate::session::{KindFields, SessionSpec, VerifiedResult, http_base, relay_of_link};
use crate::session::{accept_result, prepare_submission};
use sotto_core::apps::Computation;
use sotto_core::apps::budget::{BudgetSchema, IncomeSpec};
use sotto_core::apps::check::CheckSpec;
use sotto_core::apps::survey::SurveySchema;
use sotto_core::field::Fp;
use sotto_core::session::{
    CommitteeMember, Invite, ManifestHash, OutputPolicy, Role, SessionKind, VerifiedManifest,
    VoteSchema, verify_manifest_for,
};
use sotto_wire::{CreateParams, SessionState, Token};

/// The committee part of a session draft.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftCommittee {
    /// Privacy threshold t (default floor((n-1)/2)).
    #[serde(default)]
    pub threshold: Option<u16>,
    /// The members, in index order.
    pub members: Vec<DraftMember>,
}

/// One member of a draft: a key file path, or the public keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftMember {
    /// Display name.
    pub name: String,
    /// Path of the member's key file (only its public header is read).
    #[serde(default)]
    pub key: Option<std::path::PathBuf>,
    /// X25519 public key (hex), when no key file is given.
    #[serde(default)]
    pub x25519: Option<String>,
    /// Ed25519 public key (hex), when no key file is given.
    #[serde(default)]
    pub ed25519: Option<String>,
}

/// A session draft as written by the organizer (`sotto session create`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// A vote (exactly one of vote, survey and budget).
    #[serde(default)]
    pub vote: Option<VoteSchema>,
    /// A survey.
    #[serde(default)]
    pub survey: Option<SurveySchema>,
    /// A budget.
    #[serde(default)]
    pub budget: Option<BudgetSchema>,
    /// An income survey (a one-question survey, see `apps::budget`).
    #[serde(default)]
    pub income: Option<IncomeSpec>,
    /// A committee check (`apps::check`).
    #[serde(default)]
    pub check: Option<CheckSpec>,
    /// The committee.
    pub committee: DraftCommittee,
    /// Output policy (default: min_submissions 5).
    #[serde(default)]
    pub policy: Option<OutputPolicy>,
}

impl DraftMember {
    /// Resolves to the manifest entry.
    pub fn resolve(&self) -> anyhow::Result<CommitteeMember> {
        if let Some(path) = &self.key {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let (_, public) = sotto_core::keyfile::read_public(&bytes)
                .with_context(|| format!("{} is not a member key file", path.display()))?;
            return Ok(CommitteeMember {
                name: self.name.clone(),
                x25519: public.x25519,
                ed25519: public.ed25519,
            });
        }
        match (&self.x25519, &self.ed25519) {
            (Some(x), Some(e)) => Ok(CommitteeMember {
                name: self.name.clone(),
                x25519: x.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                ed25519: e.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            }),
            _ => bail!(
                "member {:?} needs a \"key\" file or both \"x25519\" and \"ed25519\"",
                self.name
            ),
        }
    }
}

/// A created, open session and its capabilities. Tokens are secrets: hand
/// them out, never log them.
#[derive(Debug)]
pub struct CreatedSession {
    /// Relay session id.
    pub session: sotto_wire::SessionId,
    /// The signed manifest.
    pub manifest: VerifiedManifest,
    /// Organizer token (close the session).
    pub organizer: Token,
    /// Read token (fetch results).
    pub reader: Token,
    /// Member tokens, index 0 = member 1.
    pub members: Vec<Token>,
    /// Participant tokens (single-use, or one open link).
    pub participants: Vec<Token>,
}

impl CreatedSession {
    /// An invite link for `role` carrying `token`.
    pub fn link(&self, relay: &str, role: Role, token: &Token) -> anyhow::Result<String> {
        Ok(crate::session::invite_link(
            relay,
            &self.manifest,
            role,
            token,
        )?)
    }
}

/// Creates the session on the relay, signs and registers its manifest,
/// opens it and mints participant tokens.
pub async fn create_session(
    relay: &str,
    spec: &SessionSpec,
    organizer: &ed25519_dalek::SigningKey,
) -> anyhow::Result<CreatedSession> {
    let n = spec.members.len();
    let mut c = RelayClient::connect(relay)
        .await
        .with_context(|| format!("connecting to {relay}"))?;
    let (session, created) = c
        .create_session(&CreateParams {
            members: u16::try_from(n).context("too many members")?,
            allow_resubmit: false,
        })
        .await
        .context("creating the session")?;
    let (signed, verified) = spec
        .sign(session, relay, organizer)
        .context("signing the manifest")?;
    c.hello(session, &created.organizer, 0).await?;
    c.register_manifest(&signed.to_bytes())
        .await
        .context("registering the manifest")?;
    c.set_state(SessionState::Open).await?;
    let req = spec.mint_request();
    let participants = c.mint(&req).await.context("minting participant tokens")?;
    let _ = c.close().await;
    Ok(CreatedSession {
        session,
        manifest: verified,
        organizer: created.organizer,
        reader: created.reader,
        members: created.members,
        participants,
    })
}

/// Deals `values` among the manifest's committee, seals each member's
/// shares to it and submits them with participant `token`. Returns the
/// relay's acknowledgement (position and receipt).
pub async fn submit_values(
    client: &mut RelayClient,
    manifest: &VerifiedManifest,
    values: &[Fp],
    latency: Duration,
) -> anyhow::Result<SubmitAck> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let prepared = prepare_submission(&mut rng, manifest, values)?;
    let refs: Vec<&[u8]> = prepared.parts.iter().map(Vec::as_slice).collect();
    pause(latency).await;
    Ok(client.submit(prepared.idempotency, &refs).await?)
}

/// Sleeps `latency` (the `--latency-ms` model: a delay before each frame).
pub async fn pause(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// The session kind from a draft's `vote`, `survey`, `budget`, `income`
/// or `check` field (exactly one must be present).
pub fn kind_of(fields: KindFields) -> anyhow::Result<SessionKind> {
    crate::session::kind_of(fields).map_err(|e| anyhow::anyhow!(e))
}

/// What a verified manifest asks participants and members to compute.
pub fn computation(manifest: &VerifiedManifest) -> Computation {
    manifest.manifest.computation()
}

/// Fetches the manifest named by an invite and verifies it against the
/// link's hash (refusing a swapped or altered manifest).
pub async fn fetch_verified(
    client: &mut RelayClient,
    invite: &Invite,
) -> anyhow::Result<VerifiedManifest> {
    let session = invite.session_id;
    let bytes = client
        .get_manifest(session)
        .await
        .context("fetching the manifest")?;
    verify_manifest_for(&bytes, &invite.session_id, &invite.manifest_hash)
        .context("the relay's manifest does not match the invite link")
}

fn token_of(invite: &Invite) -> anyhow::Result<Token> {
    invite
        .access_token()
        .context("the link carries no valid token")
}

/// How long `sotto submit` waits for the relay in all: connecting, the
/// manifest and the acknowledgement.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(30);

/// `sotto submit`: checks, encodes and submits one answer from a link,
/// giving up after [`RELAY_TIMEOUT`].
pub async fn submit_answer(
    link: &str,
    answer: &serde_json::Value,
) -> anyhow::Result<(SubmitAck, ManifestHash)> {
    submit_answer_within(link, answer, RELAY_TIMEOUT).await
}

/// [`submit_answer`], giving up after `limit`. Without an acknowledgement
/// the answer may or may not be stored; submitting again is safe: a
/// single-use link then says it was already used.
pub async fn submit_answer_within(
    link: &str,
    answer: &serde_json::Value,
    limit: Duration,
) -> anyhow::Result<(SubmitAck, ManifestHash)> {
    tokio::time::timeout(limit, submit_answer_now(link, answer))
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "the relay did not answer within {} s: the answer may or may not be stored; submitting again is safe",
                limit.as_secs_f64()
            )
        })?
}

async fn submit_answer_now(
    link: &str,
    answer: &serde_json::Value,
) -> anyhow::Result<(SubmitAck, ManifestHash)> {
    let invite = Invite::parse(link)?;
    let token = token_of(&invite)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let manifest = fetch_verified(&mut c, &invite).await?;
    let values = computation(&manifest)
        .encode(answer)
        .context("invalid answer")?;
    c.hello(invite.session_id, &token, 0).await?;
    let ack = submit_values(&mut c, &manifest, &values, Duration::ZERO).await?;
    let _ = c.close().await;
    Ok((ack, manifest.hash))
}

/// `sotto close`: closes submissions.
pub async fn close_session(
    relay: &str,
    session: sotto_wire::SessionId,
    token: &Token,
) -> anyhow::Result<()> {
    let mut c = RelayClient::connect(relay).await?;
    c.hello(session, token, 0).await?;
    c.set_state(SessionState::Closed)
        .await
        .context("closing the session")?;
    let _ = c.close().await;
    Ok(())
}

/// Fetches the published results and accepts the one carrying at least
/// t + 1 valid member signatures. `Ok(None)` while not enough are in.
pub async fn fetch_result(
    client: &mut RelayClient,
    manifest: &VerifiedManifest,
    session: sotto_wire::SessionId,
    reader: &Token,
) -> anyhow::Result<Option<VerifiedResult>> {
    let results = client.get_results(session, reader).await?;
    Ok(accept_result(manifest, &results)?)
}

/// `sotto result`: fetches and verifies the result named by a link whose
/// token is the session's read token.
pub async fn result_from_link(link: &str) -> anyhow::Result<VerifiedResult> {
    let invite = Invite::parse(link)?;
    let token = token_of(&invite)?;
    let mut c = RelayClient::connect(&relay_of_link(&invite.base_url)).await?;
    let manifest = fetch_verified(&mut c, &invite).await?;
    fetch_result(&mut c, &manifest, invite.session_id, &token)
        .await?
        .context("no result with enough valid member signatures yet")
}
