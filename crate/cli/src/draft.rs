//! The organizer's session draft file (`sotto session create --draft`):
//! title, one of the kind fields, the committee (key files or public keys)
//! and the policy.

use anyhow::{Context, bail};
use serde::Deserialize;
use sotto_core::apps::budget::{BudgetSchema, IncomeSpec};
use sotto_core::apps::check::CheckSpec;
use sotto_core::apps::survey::SurveySchema;
use sotto_core::session::{CommitteeMember, OutputPolicy, VoteSchema};

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
                x25519: x
                    .parse()
                    .with_context(|| format!("member {:?}: x25519 key", self.name))?,
                ed25519: e
                    .parse()
                    .with_context(|| format!("member {:?}: ed25519 key", self.name))?,
            }),
            _ => bail!(
                "member {:?} needs a \"key\" file or both \"x25519\" and \"ed25519\"",
                self.name
            ),
        }
    }
}
