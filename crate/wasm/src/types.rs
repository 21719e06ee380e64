//! Option types read from JS objects, and the TypeScript declarations of
//! every object that crosses the boundary. Schemas and policies use the
//! manifest's own JSON (snake_case, `docs/apps.md`); the package's own
//! option objects use camelCase.

use wasm_bindgen::prelude::*;

#[cfg(feature = "page")]
pub(crate) use options::{MemberPublic, SessionOptions};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A committee member's public identity, as hex strings; `CommitteeMember.publicKeys()` plus a name fits (its fingerprint is checked). */
export interface MemberPublic { name: string; x25519: string; ed25519: string; fingerprint?: string; }
/** Public keys and fingerprint of a committee member key. */
export interface PublicKeys { x25519: string; ed25519: string; fingerprint: string; }
/** A vote schema (docs/apps.md). */
export interface VoteSchema { method: "plurality" | "approval" | "score" | "borda" | "irv"; options: string[]; reveal: "tally" | "winner"; max_approvals?: number; max_score?: number; }
/** A survey question's answer type. */
export type AnswerKind =
  | { type: "number"; min: number; max: number; decimals?: number; buckets?: number[] }
  | { type: "choice"; options: string[] }
  | { type: "multi"; options: string[]; max_selections?: number }
  | { type: "rating"; scale: number }
  | { type: "yesno" };
/** A survey question. */
export interface Question { id: string; text: string; answer: AnswerKind; optional?: boolean; }
/** A survey schema. */
export interface SurveySchema { questions: Question[]; crosstabs?: [string, string][]; }
/** A budget schema: every participant splits `total` over the projects. */
export interface BudgetSchema { total: number; projects: string[]; }
/** An income survey: one bounded number with statistics and brackets. */
export interface IncomeSpec { min: number; max: number; brackets?: number[]; }
/** The output policy, enforced inside the computation. */
export interface OutputPolicy { min_submissions: number; min_cell?: number; dp?: { epsilon: number }; }
/** A committee check: a dry run with a known answer (docs/apps.md). */
export interface CheckSpec { comparisons: number; bits: number; }
/** What `Organizer.create` needs. Exactly one of vote, survey, budget, income, check. */
export interface SessionOptions {
  title: string;
  vote?: VoteSchema; survey?: SurveySchema; budget?: BudgetSchema; income?: IncomeSpec; check?: CheckSpec;
  members: MemberPublic[];
  threshold?: number;
  policy?: OutputPolicy;
  /** Number of single-use participant links to mint; 0 or absent: one open link. */
  singleUse?: number;
  /** Unix seconds. */
  opensAt?: number;
  /** Unix seconds. */
  closesAt?: number;
  /** The relay operator's creation token (64 hex digits), for a relay started with `--create-token`. */
  createToken?: string;
}
/** The links of a session. Each carries a secret token: share each only with its holder. */
export interface SessionLinks { members: string[]; participants: string[]; read: string; }
/** The session as the relay sees it (`Organizer.status()`). */
export interface SessionStatus { state: "draft" | "open" | "closed" | "computing" | "done" | "unknown"; submissions: number; }
/** Proof that the relay stored a submission. */
export interface Receipt { session: string; position: number; receipt: string; submissionId: string; manifestHash: string; }
/** Local validation of an answer. */
export interface Validation { valid: boolean; message?: string; }
/** A committee member as shown to participants. */
export interface CommitteeEntry { index: number; name: string; fingerprint: string; }
/** A result accepted with at least t + 1 member signatures. */
export interface VerifiedResult { result: any; valid: number; invalid: number; signers: number[]; threshold: number; }
/** Progress of a committee member. */
export type Progress =
  | { stage: "connected"; member: number }
  | { stage: "collecting"; submissions: number }
  | { stage: "computing"; submissions: number }
  | { stage: "published" }
  | { stage: "reconnecting" };
/** What a committee member computed and published. */
export interface Outcome { valid: number; invalid: number; result: any; }
"#;

/// The organizer's options (the page module only).
#[cfg(feature = "page")]
mod options {
    use serde::Deserialize;

    use sotto_core::apps::budget::{BudgetSchema, IncomeSpec};
    use sotto_core::apps::check::CheckSpec;
    use sotto_core::apps::survey::SurveySchema;
    use sotto_core::session::{Deadlines, OutputPolicy, VoteSchema};

    /// `SessionOptions` as read from JS.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub(crate) struct SessionOptions {
        pub title: String,
        #[serde(default)]
        pub vote: Option<VoteSchema>,
        #[serde(default)]
        pub survey: Option<SurveySchema>,
        #[serde(default)]
        pub budget: Option<BudgetSchema>,
        #[serde(default)]
        pub income: Option<IncomeSpec>,
        #[serde(default)]
        pub check: Option<CheckSpec>,
        pub members: Vec<MemberPublic>,
        #[serde(default)]
        pub threshold: Option<u16>,
        #[serde(default)]
        pub policy: Option<OutputPolicy>,
        #[serde(default)]
        pub single_use: u32,
        #[serde(default)]
        pub opens_at: Option<u64>,
        #[serde(default)]
        pub closes_at: Option<u64>,
        /// The relay operator's creation token, hex (not part of the
        /// manifest: only the relay sees it).
        #[serde(default)]
        pub create_token: Option<String>,
    }

    impl SessionOptions {
        pub(crate) fn deadlines(&self) -> Deadlines {
            Deadlines {
                opens_at: self.opens_at,
                closes_at: self.closes_at,
            }
        }
    }

    /// `MemberPublic` as read from JS.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(crate) struct MemberPublic {
        pub name: String,
        pub x25519: String,
        pub ed25519: String,
        /// Checked against the keys when given.
        #[serde(default)]
        pub fingerprint: Option<String>,
    }
}
