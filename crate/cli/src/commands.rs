//! The session commands of the `sotto` binary: `session create`, `member`,
//! `submit`, `close`, `result`, `simulate`. Thin wrappers: the work is in
//! [`sotto_client::native::session_ops`], [`sotto_client::native::member`] and [`super::simulate`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use super::simulate::{Scenario, start_relay};
use crate::draft;
use sotto_client::driver::MemberConfig;
use sotto_client::native::member::run_member;
use sotto_client::native::session_ops;
use sotto_client::receipts;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{ManifestHash, Role};
use sotto_wire::{SessionId, Token};

/// Arguments of `sotto session create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Relay WebSocket URL, e.g. ws://127.0.0.1:8080.
    #[arg(long)]
    pub relay: String,
    /// Draft JSON (docs/session.md): title, kind and schema, committee
    /// {threshold?, members}, policy, deadlines, single_use.
    #[arg(long)]
    pub manifest: PathBuf,
    /// Organizer Ed25519 key (64 hex digits of seed); generated and saved
    /// to `organizer.key` beside the draft when not given.
    #[arg(long)]
    pub organizer_key: Option<PathBuf>,
    /// Mint N single-use participant links (CSV on stdout) instead of one
    /// open link; overrides the draft's `single_use` (0: one open link).
    #[arg(long)]
    pub single_use: Option<u32>,
    /// The relay operator's creation token (64 hex digits), for a relay
    /// started with `--create-token`; or the environment variable.
    #[arg(long, env = "SOTTO_CREATE_TOKEN", hide_env_values = true)]
    pub create_token: Option<String>,
}

/// Arguments of `sotto member`.
#[derive(Debug, Args)]
pub struct MemberArgs {
    /// The member link the organizer sent (carries the relay, session,
    /// token and manifest hash); or give those four separately.
    #[arg(long, conflicts_with_all = ["relay", "session", "token", "manifest_hash"])]
    pub link: Option<String>,
    /// Relay WebSocket URL.
    #[arg(long, required_unless_present = "link")]
    pub relay: Option<String>,
    /// This member's key file.
    #[arg(long)]
    pub key: PathBuf,
    /// Session id (32 hex digits).
    #[arg(long, required_unless_present = "link")]
    pub session: Option<String>,
    /// This member's token (64 hex digits).
    #[arg(long, required_unless_present = "link")]
    pub token: Option<String>,
    /// Expected manifest hash (from the member link); strongly advised.
    #[arg(long)]
    pub manifest_hash: Option<String>,
    /// Environment variable holding the key file passphrase (else stdin).
    #[arg(long, default_value = "SOTTO_PASSPHRASE")]
    pub passphrase_env: String,
    /// Where to save the signed proof if the computation stops because a
    /// member sent a wrong share (default: `sotto-proof-<session>-<time>.bin`
    /// in the current folder). `sotto verify-evidence` checks it.
    #[arg(long)]
    pub proof_out: Option<PathBuf>,
}

/// Arguments of `sotto submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Participant invite link.
    #[arg(long)]
    pub link: String,
    /// The answer as JSON, e.g. '{"choice":"B"}'.
    #[arg(long)]
    pub answer: String,
}

/// Arguments of `sotto close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Relay WebSocket URL.
    #[arg(long)]
    pub relay: String,
    /// Session id (32 hex digits).
    #[arg(long)]
    pub session: String,
    /// Organizer token (64 hex digits).
    #[arg(long)]
    pub token: String,
}

/// Arguments of `sotto result`.
#[derive(Debug, Args)]
pub struct ResultArgs {
    /// Results link (printed by `sotto session create`).
    #[arg(long)]
    pub link: String,
    /// Check that this receipt was counted: the 64 hex digits, the receipt
    /// JSON `sotto submit` printed (or the web app's download), or a file
    /// holding either. Prints "your answer was counted" or "your answer is
    /// missing" on standard error; exit status 4 unless counted.
    #[arg(long)]
    pub receipt: Option<String>,
}

/// Arguments of `sotto simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario JSON file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Use this relay instead of starting one; several relays sharing one
    /// store as a comma-separated list (members and participants are
    /// spread over them round-robin and fail over to the next).
    #[arg(long)]
    pub relay: Option<String>,
    /// Delay before every frame sent by members and participants, in ms.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Write the session's read link and every submission's receipt (64 hex
    /// digits, in the scenario's order) to this JSON file, for checking
    /// receipts afterwards (the browser tests do).
    #[arg(long)]
    pub receipts_out: Option<PathBuf>,
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn init_tracing() {
    sotto_native::init("warn");
}

fn session_id(s: &str) -> anyhow::Result<SessionId> {
    Ok(SessionId::from_hex(s)?)
}

fn token(s: &str) -> anyhow::Result<Token> {
    Ok(Token::from_hex(s)?)
}

fn organizer_key(args: &CreateArgs) -> anyhow::Result<ed25519_dalek::SigningKey> {
    let path = match &args.organizer_key {
        Some(p) => p.clone(),
        None => {
            let p = args
                .manifest
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("organizer.key");
            if !p.exists() {
                let key = ed25519_dalek::SigningKey::generate(&mut rand_core::UnwrapErr(
                    getrandom::SysRng,
                ));
                let mut o = std::fs::OpenOptions::new();
                o.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
                let mut f = o
                    .open(&p)
                    .with_context(|| format!("creating {}", p.display()))?;
                std::io::Write::write_all(
                    &mut f,
                    zeroize::Zeroizing::new(hex::encode(key.to_bytes())).as_bytes(),
                )?;
                eprintln!("organizer key generated and saved to {}", p.display());
            }
            p
        }
    };
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    );
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), seed.as_mut())
        .with_context(|| format!("{} must hold 64 hex digits", path.display()))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

/// `sotto session create`.
pub fn create(args: &CreateArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("reading {}", args.manifest.display()))?;
    let mut spec = draft::read(&text).context("reading the draft")?;
    if let Some(n) = args.single_use {
        spec.single_use = n;
    }
    let key = organizer_key(args)?;
    let create_token = args
        .create_token
        .as_deref()
        .map(|t| Token::from_hex(t.trim()))
        .transpose()
        .map_err(|_| anyhow::anyhow!("--create-token takes 64 hex digits"))?;
    let created = runtime()?
        .block_on(session_ops::create_session_with_token(
            &args.relay,
            &spec,
            &key,
            create_token.as_ref(),
        ))
        .with_context(|| format!("creating the session on {}", args.relay))?;
    let relay = &args.relay;
    println!("session:         {}", created.session.to_hex());
    println!("manifest hash:   {}", created.manifest.hash);
    println!("organizer token: {}", created.organizer.to_hex());
    println!(
        "results link:    {}",
        created.link(relay, Role::Organizer, &created.reader)?
    );
    for (i, t) in created.members.iter().enumerate() {
        let link = created.link(relay, Role::Member, t)?;
        println!("member {} link:   {link}", i + 1);
        println!("  sotto member --key MEMBER.key --link '{link}'");
    }
    if spec.single_use > 0 {
        println!("participant links (CSV):");
        println!("index,link");
        for (i, t) in created.participants.iter().enumerate() {
            println!("{},{}", i + 1, created.link(relay, Role::Participant, t)?);
        }
    } else if let Some(t) = created.participants.first() {
        println!(
            "participant link: {}",
            created.link(relay, Role::Participant, t)?
        );
    }
    Ok(())
}

/// `sotto member`.
pub fn member(args: &MemberArgs) -> anyhow::Result<()> {
    init_tracing();
    let bytes =
        std::fs::read(&args.key).with_context(|| format!("reading {}", args.key.display()))?;
    let pass = super::cli::read_passphrase(&args.passphrase_env)?;
    let keys = MemberKeys::from_keyfile(&bytes, &pass).context("opening the key file")?;
    let (relay, session, token, manifest_hash) = member_target(args)?;
    let cfg = MemberConfig {
        relay,
        session,
        token,
        keys: Arc::new(keys),
        manifest_hash,
        latency: Duration::ZERO,
        mismatch_retries: 3,
        max_reconnects: 1000,
    };
    let outcome = match runtime()?.block_on(run_member(cfg)) {
        Ok(o) => o,
        Err(e) => {
            if let Some(evidence) = e.evidence() {
                match super::evidence::save(evidence, args.proof_out.as_deref()) {
                    Ok(path) => eprintln!(
                        "the signed proof is in {0}; anyone can check it: sotto verify-evidence --link <a link of this session> {0}",
                        path.display()
                    ),
                    Err(err) => eprintln!("could not save the signed proof: {err:#}"),
                }
            }
            return Err(e.into());
        }
    };
    println!("{}", outcome.to_json());
    Ok(())
}

/// Relay, session, token and expected manifest hash of `sotto member`,
/// from `--link` or the separate options (clap requires one or the other).
fn member_target(
    args: &MemberArgs,
) -> anyhow::Result<(String, SessionId, Token, Option<ManifestHash>)> {
    if let Some(link) = &args.link {
        let invite = sotto_core::session::Invite::parse(link).context("reading the member link")?;
        if invite.role != Role::Member {
            bail!("this is not a committee member link");
        }
        let token = token(invite.token.as_deref().unwrap_or_default())
            .context("the member link carries no valid token")?;
        return Ok((
            sotto_client::session::relay_of_link(&invite.base_url),
            invite.session_id,
            token,
            Some(invite.manifest_hash),
        ));
    }
    let (Some(relay), Some(session), Some(tok)) = (&args.relay, &args.session, &args.token) else {
        bail!("give --link, or --relay, --session and --token");
    };
    let manifest_hash = match &args.manifest_hash {
        Some(h) => Some(ManifestHash::from_hex(h).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    Ok((
        relay.clone(),
        session_id(session)?,
        token(tok)?,
        manifest_hash,
    ))
}

/// `sotto submit`.
pub fn submit(args: &SubmitArgs) -> anyhow::Result<()> {
    let answer: serde_json::Value =
        serde_json::from_str(&args.answer).context("the answer must be JSON")?;
    let (ack, _) = runtime()?.block_on(session_ops::submit_answer(&args.link, &answer))?;
    println!(
        "{}",
        serde_json::json!({"position": ack.position, "receipt": hex::encode(ack.receipt)})
    );
    Ok(())
}

/// `sotto close`.
pub fn close(args: &CloseArgs) -> anyhow::Result<()> {
    runtime()?
        .block_on(session_ops::close_session(
            &args.relay,
            session_id(&args.session)?,
            &token(&args.token)?,
        ))
        .with_context(|| format!("closing the session on {}", args.relay))?;
    eprintln!("session closed");
    Ok(())
}

/// `sotto result`.
/// Returns whether the receipt, if one was given, was counted.
pub fn result(args: &ResultArgs) -> anyhow::Result<bool> {
    let receipt = match &args.receipt {
        None => None,
        Some(arg) => {
            // A path when such a file exists, else the receipt itself.
            let text = match std::fs::read_to_string(arg) {
                Ok(text) => text,
                Err(_) => arg.clone(),
            };
            Some(receipts::parse_receipt(&text)?)
        }
    };
    let r = runtime()?.block_on(session_ops::result_from_link(&args.link))?;
    eprintln!("verified: signed by members {:?}", r.signers);
    println!("{}", r.json);
    let Some(receipt) = receipt else {
        return Ok(true);
    };
    let check = runtime()?
        .block_on(session_ops::check_receipt(&args.link, &r, &receipt))
        .context("checking the receipt")?;
    eprintln!(
        "receipt {}: {}",
        hex::encode(&receipt[..4]),
        check.sentence()
    );
    Ok(check == receipts::ReceiptCheck::Counted)
}

/// `sotto simulate`: prints the result as JSON on its last line, or
/// `{"aborted": {"reason": ..., "culprits": [...]}}`; returns whether the
/// computation aborted (exit status 3).
pub fn simulate(args: &SimulateArgs) -> anyhow::Result<bool> {
    init_tracing();
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading {}", args.scenario.display()))?;
    let scenario: Scenario = serde_json::from_str(&text).context("parsing the scenario")?;
    if scenario.draft.committee.members == 0 {
        bail!("the committee needs at least one member");
    }
    let latency = Duration::from_millis(args.latency_ms);
    let report = runtime()?.block_on(async {
        let relay = match &args.relay {
            Some(url) => (None, url.clone()),
            None => {
                let r = start_relay().await?;
                let url = r.url();
                (Some(r), url)
            }
        };
        let report = super::simulate::run_to_end(&scenario, &relay.1, latency).await;
        // Dropping the relay process kills it.
        drop(relay);
        report
    })?;
    if let (Some(path), super::simulate::Finished::Result(r)) = (&args.receipts_out, &report) {
        let receipts: Vec<Option<String>> = r.receipts.iter().map(|x| x.map(hex::encode)).collect();
        let out = serde_json::json!({ "results_link": r.results_link, "receipts": receipts });
        std::fs::write(path, serde_json::to_vec(&out)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(matches!(report, super::simulate::Finished::Aborted { .. }))
}
