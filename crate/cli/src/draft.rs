//! The organizer's draft file (`sotto session create --manifest`): a
//! [`SessionDraft`] whose members may name a key file instead of giving
//! their public keys.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Deserialize;
use sotto_client::draft::{MemberPublic, SessionDraft, SessionSpec};
use sotto_core::session::CommitteeMember;

/// A session draft as the CLI reads it.
pub type Draft = SessionDraft<Vec<DraftMember>>;

/// One member of a draft file: a key file path, or the public keys (with
/// an optional fingerprint, checked against them).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftMember {
    /// Display name.
    pub name: String,
    /// Path of the member's key file (only its public header is read).
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// X25519 public key (hex), when no key file is given.
    #[serde(default)]
    pub x25519: Option<String>,
    /// Ed25519 public key (hex), when no key file is given.
    #[serde(default)]
    pub ed25519: Option<String>,
    /// The keys' fingerprint, checked when given with the keys.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

impl DraftMember {
    /// Resolves to the manifest entry.
    pub fn resolve(&self) -> anyhow::Result<CommitteeMember> {
        if let Some(path) = &self.key {
            if self.x25519.is_some() || self.ed25519.is_some() || self.fingerprint.is_some() {
                bail!(
                    "member {:?}: give a \"key\" file or the public keys, not both",
                    self.name
                );
            }
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
            (Some(x), Some(e)) => Ok(MemberPublic {
                name: self.name.clone(),
                x25519: x.clone(),
                ed25519: e.clone(),
                fingerprint: self.fingerprint.clone(),
            }
            .resolve()?),
            _ => bail!(
                "member {:?} needs a \"key\" file or both \"x25519\" and \"ed25519\"",
                self.name
            ),
        }
    }
}

/// Reads a draft file's text and resolves its members (reading their key
/// files).
pub fn read(text: &str) -> anyhow::Result<SessionSpec> {
    let draft = Draft::from_json(text)?;
    draft.try_map_members(|members| members.iter().map(DraftMember::resolve).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotto_core::keyfile::{KdfParams, MemberKeys};

    #[test]
    fn a_draft_file_names_key_files_or_public_keys() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = sotto_client::os_rng();
        let (a, b) = (
            MemberKeys::generate(&mut rng),
            MemberKeys::generate(&mut rng),
        );
        let file = a
            .to_keyfile("a passphrase", KdfParams::INSECURE_FOR_TESTS, &mut rng)
            .unwrap();
        let path = dir.path().join("a.key");
        std::fs::write(&path, file).unwrap();
        let pb = b.public();
        let draft = serde_json::json!({
            "title": "Board seat", "kind": "vote",
            "schema": {"method": "plurality", "options": ["A", "B"], "reveal": "tally"},
            "committee": {"members": [
                {"name": "a", "key": path},
                {"name": "b", "x25519": pb.x25519.to_string(), "ed25519": pb.ed25519.to_string(),
                 "fingerprint": pb.fingerprint().to_string()}]},
            "single_use": 4,
        });
        let spec = read(&draft.to_string()).unwrap();
        let keys: Vec<_> = spec
            .committee
            .members
            .iter()
            .map(|m| (m.x25519, m.ed25519))
            .collect();
        let pa = a.public();
        assert_eq!(keys, vec![(pa.x25519, pa.ed25519), (pb.x25519, pb.ed25519)]);
        assert_eq!(spec.single_use, 4);

        let mut both = draft.clone();
        both["committee"]["members"][0]["x25519"] = pb.x25519.to_string().into();
        let e = read(&both.to_string()).unwrap_err();
        assert!(e.to_string().contains("not both"), "{e:#}");

        let mut old = draft;
        old["vote"] = old["schema"].take();
        let e = read(&old.to_string()).unwrap_err();
        assert!(format!("{e:#}").contains("unknown field"), "{e:#}");
    }
}
