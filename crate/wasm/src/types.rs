//! The TypeScript declarations of every object that crosses the boundary.
//! The session draft `Organizer.create` takes is the client's
//! `sotto_client::draft::SessionDraft`, the same as the CLI's draft file;
//! drafts, schemas and policies use the manifest's own JSON (snake_case,
//! `docs/session.md`, `docs/apps.md`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A committee member's public identity, as hex strings; `CommitteeMember.publicKeys()` plus a name fits (its fingerprint is checked). */
export interface MemberPublic { name: string; x25519: string; ed25519: string; fingerprint?: string; }
/** Public keys and fingerprint of a committee member key. */
export interface PublicKeys { x25519: string; ed25519: string; fingerprint: string; }
/** How a member key is kept (`CommitteeMember.storage`): as non-extractable WebCrypto keys, as its passphrase key file only, sealed (by an earlier version, or an organizer's circle key where WebCrypto lacks X25519 or Ed25519: a script on the origin could open it), or not stored. */
export type KeyStorage = "unreadable" | "passphrase" | "sealed" | "memory";
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
export interface Question { id: string; text: string; description?: string; answer: AnswerKind; optional?: boolean; }
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
/** A session's kind and its schema, tagged as the manifest writes them; "income" is a one-question survey. */
export type SessionKind =
  | { kind: "vote"; schema: VoteSchema }
  | { kind: "survey"; schema: SurveySchema }
  | { kind: "budget"; schema: BudgetSchema }
  | { kind: "income"; schema: IncomeSpec }
  | { kind: "check"; schema: CheckSpec };
/** The submission window, in unix seconds; absent: no deadline. */
export interface Deadlines { opens_at?: number; closes_at?: number; }
/** What `Organizer.create` takes: a session draft (docs/session.md), the same JSON as the CLI's draft file. */
export type SessionDraft = SessionKind & {
  title: string;
  /** What the session is for (optional, at most 2000 characters, line breaks allowed). */
  description?: string;
  committee: { threshold?: number; members: MemberPublic[] };
  policy?: OutputPolicy;
  deadlines?: Deadlines;
  /** Number of single-use participant links to mint; 0 or absent: one open link. */
  single_use?: number;
};
/** The links of a session. Each carries a secret token: share each only with its holder. */
export interface SessionLinks { members: string[]; participants: string[]; read: string; }
/** The session as the relay sees it (`Organizer.status()`). */
export interface SessionStatus { state: "draft" | "open" | "closed" | "computing" | "done" | "unknown"; submissions: number; members: { online: boolean; since: number }[] | null; usedLinks: number[] | null; }
/** Proof that the relay stored a submission. */
export interface Receipt { session: string; position: number; receipt: string; submissionId: string; manifestHash: string; }
/** Local validation of an answer. */
export interface Validation { valid: boolean; message?: string; }
/** A committee member as shown to participants. */
export interface CommitteeEntry { index: number; name: string; fingerprint: string; }
/** A result accepted with at least t + 1 member signatures. */
export interface VerifiedResult { result: any; valid: number; invalid: number; receipts?: { count: number; sha256: string; list?: string[]; root?: string }; signers: number[]; threshold: number; }
/** Progress of a committee member. */
export type Progress =
  | { stage: "connected"; member: number }
  | { stage: "collecting"; submissions: number }
  | { stage: "computing"; submissions: number }
  | { stage: "dropped"; members: number[] }
  | { stage: "published" }
  | { stage: "reconnecting" }
  | { stage: "presence"; members: { online: boolean; since: number }[]; waiting: number[] };
/** What the relay says about a link before anything is filled in (`Participant.linkState`); `members` (member links only): who of the committee is connected. */
export interface LinkState { state: string; used: boolean; resubmit: boolean; members?: { online: boolean; since: number }[]; }
/** What a committee member computed and published. */
export interface Outcome { valid: number; invalid: number; result: any; }
"#;
