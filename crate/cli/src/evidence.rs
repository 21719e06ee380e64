//! Signed proof of a member's deviation: `sotto member` saves it when
//! its computation stops on a wrong share
//! (`sotto_client::member::MemberError::Proven`), and
//! `sotto verify-evidence` checks a saved proof against the session's
//! manifest (`sotto_core::envelope::evidence`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sotto_client::native::session_ops;
use sotto_core::envelope::evidence::{Evidence, verify_evidence};

/// Arguments of `sotto verify-evidence`.
#[derive(Debug, clap::Args)]
pub struct VerifyEvidenceArgs {
    /// Any link of the session (member, participant or results link): it
    /// names the relay, the session and the manifest's hash.
    #[arg(long)]
    pub link: String,
    /// The proof file a committee member saved.
    pub file: PathBuf,
}

/// Saves `evidence` to `path`, or when none is given to
/// `sotto-proof-<session>-<time>.bin` in the current folder; never
/// overwrites a file. Returns where it went.
pub fn save(evidence: &Evidence, path: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            PathBuf::from(format!(
                "sotto-proof-{}-{secs}.bin",
                &evidence.session.to_hex()[..8]
            ))
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(&evidence.to_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Runs `sotto verify-evidence`: prints what the proof shows; an error
/// when it shows nothing (forged, altered, or of another session).
pub fn run(args: &VerifyEvidenceArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let evidence = Evidence::from_bytes(&bytes).context("reading the proof")?;
    let manifest = super::commands::runtime()?
        .block_on(session_ops::manifest_from_link(&args.link))
        .context("fetching the session's manifest")?;
    let proven = verify_evidence(&manifest, &evidence).context("the proof does not hold")?;
    let name = manifest
        .manifest
        .committee
        .member(proven.member)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    println!(
        "{}",
        serde_json::json!({
            "deviated": proven.member,
            "name": name,
            "recipient": proven.recipient,
            "round": proven.round,
            "value": proven.index,
        })
    );
    eprintln!(
        "proven: committee member {} ({name}) signed a wrong share in round {} of the computation, sent to member {}",
        proven.member, proven.round, proven.recipient
    );
    Ok(())
}
