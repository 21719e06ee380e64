// Turns the package's validation messages (which name answer fields and
// question ids) into sentences about what the person sees, and says which
// question they concern so the form can mark it.

import { t } from "./i18n/index.js";

// The catalog's `plain.vote.<field>` (js/i18n).
const VOTE_FIELDS = new Set(["choice", "approve", "scores", "ranking"]);

// The core's answer checks (crate/core/src/apps: `AnswerError` and the
// reasons inside it) say what is wrong in English. Each form of message
// has a catalog entry (`core.*`); the captured parts are its parameters.
// The words are chosen here, in the page's language, not in Rust: the
// core and the CLI keep one language and the wasm modules stay small.
// A message not listed is shown as the core says it.
const CORE = [
  [/^pick one option$/, "core.pickOne"],
  [/^answer true or false$/, "core.trueFalse"],
  [/^rate from 1 to (?<max>\d+)$/, "core.rate"],
  [/^give a list of options$/, "core.list"],
  [/^select at most (?<n>\d+) options$/, "core.selectAtMost"],
  [/^options are (?:strings|named by strings)$/, "core.optionName"],
  [/^"(?<name>.*)" is selected twice$/, "core.selectedTwice"],
  [/^give a number$/, "core.number"],
  [/^use at most (?<n>\d+) digits after the decimal point$/, "core.decimals"],
  [/^answer from (?<min>-?[\d.]+) to (?<max>-?[\d.]+)$/, "core.range"],
  [/^the answer needs a "(?<field>.*)" field$/, "core.missing"],
  [/^"(?<name>.*)" is not one of the options$/, "core.unknownOption"],
  [
    /^(?:"(?:approve|ranking)" must be a list|"scores" must be an object|answers must be an object of question ids|give an object of project amounts)$/,
    "core.shape",
  ],
  [/^option "?(?<name>.*?)"? is approved twice$/, "core.approvedTwice"],
  [/^at most (?<k>\d+) options may be approved, not (?<count>\d+)$/, "core.approveAtMost"],
  [/^the score of (?<name>.*) must be a whole number from 0 to (?<max>\d+)$/, "core.score"],
  [/^rank all (?<m>\d+) options, each once$/, "core.rankAll"],
  [/^option "?(?<name>.*?)"? is ranked twice$/, "core.rankedTwice"],
  [/^there is no question "(?<id>.*)"$/, "core.noQuestion"],
  [/^(?<name>.*): give a whole amount from 0 to (?<max>\d+)$/, "core.amount"],
  [/^the amounts add up to (?<total>\d+); they must add up to (?<want>\d+)$/, "core.total"],
  [/^a committee check takes no answers$/, "core.check"],
];

function sentence(text) {
  const s = text.trim();
  return s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}` : s;
}

/** A message of the core's answer checks in the page's language (see CORE). */
export function coreMessage(message) {
  const text = String(message ?? "").trim();
  for (const [pattern, key] of CORE) {
    const m = text.match(pattern);
    if (!m) continue;
    const params = Object.fromEntries(
      Object.entries(m.groups ?? {}).map(([k, v]) => [k, /^-?[\d.]+$/.test(v) ? Number(v) : v]),
    );
    return t(key, params);
  }
  return sentence(text);
}

// The core's refusals of a session draft (what `Organizer.create` throws
// with code `invalid_options` before anything reaches the relay), reached
// when a setting gets past the create page's checks at the fields. Every
// refusal the core can give has a catalog entry: languages.test.mjs reads
// the reasons out of the Rust validators and fails on one without a
// pattern here, and drives each through the real wasm.
//
// `SessionError::InvalidManifest` (crate/core/src/session/manifest.rs and
// the vote's own rules, crate/core/src/apps/vote): "invalid manifest:
// <field> <reason>": the reason in the catalog (`manifest.*`), the field
// named by its label on the page (`manifest.field.*`).
const MANIFEST_REASONS = [
  [/^must not be empty$/, "manifest.empty"],
  [/^must not be empty \(leave it out instead\)$/, "manifest.empty"],
  [/^must not start or end with whitespace$/, "manifest.spaces"],
  [/^is too long(?: \(at most (?<max>\d+) characters(?: per question)?\))?$/, "manifest.long"],
  [/^must not contain control characters(?: other than line breaks)?$/, "manifest.control"],
  [/^must have between 1 and (?<max>\d+) members$/, "manifest.members"],
  [/^must satisfy 2t \+ 1 <= n$/, "manifest.threshold"],
  [/^must be distinct$/, "manifest.distinct"],
  [/^the same key appears twice$/, "manifest.sameKey"],
  [/^must be a canonical X25519 public key of a point with an output$/, "manifest.x25519"],
  [/^closes_at must be after opens_at$/, "manifest.deadlines"],
  [/^must be at least 1$/, "manifest.atLeastOne"],
  [/^applies to surveys only/, "manifest.surveysOnly"],
  [/^instant runoff reveals exact rounds/, "manifest.irvNoise"],
  [/^must list at least one option$/, "manifest.oneOption"],
  [/^too many options$/, "manifest.manyOptions"],
  [/^score votes need a max_score from 1 to (?<max>\d+)$/, "manifest.maxScore"],
  [/^only score votes have a max_score$/, "manifest.onlyScore"],
  [/^instant runoff reveals its rounds/, "manifest.irvReveal"],
  [/^must allow at least one approval$/, "manifest.oneApproval"],
  [/^only approval votes have max_approvals$/, "manifest.onlyApproval"],
  [/^must be a ws:\/\/ or wss:\/\/ URL$/, "manifest.relayUrl"],
  [/^must not contain spaces, control characters or '#'$/, "manifest.relayUrl"],
];
const MANIFEST_FIELDS = new Set([
  "title",
  "description",
  "questions.description",
  "options",
  "max_score",
  "max_approvals",
  "reveal",
  "committee.members",
  "committee.members.name",
  "committee.members.x25519",
  "committee.threshold",
  "deadlines",
  "policy.min_submissions",
  "policy.min_cell",
  "policy.dp",
  "relay_url",
]);
// `SessionError::InvalidSchema` (the survey, budget and check validators,
// and the answer that would not fit one relay frame): "invalid <kind>
// schema: <reason>" (`schema.*`). Sizes are said in KB.
const SCHEMA_REASONS = [
  [/^a survey has between 1 and (?<max>\d+) questions$/, "schema.questions"],
  [/^question id (?<id>".*") must be 1 to \d+ characters and unique$/, "schema.questionId"],
  [
    /^question (?<id>.+?): need min <= max, at most (?<decimals>\d+) decimals, range below 2\^\d+$/,
    "schema.numberRange",
  ],
  [/^question (?<id>.+?): bucket edges must ascend within \[min, max\]$/, "schema.buckets"],
  [/^question (?<id>.+?): between 1 and (?<max>\d+) options$/, "schema.options"],
  [/^question (?<id>.+?): options must be distinct$/, "schema.distinct"],
  [/^question (?<id>.+?): a rating scale runs from (?<min>\d+) to (?<max>\d+)$/, "schema.scale"],
  [/^cross-tab needs two choice, rating or yes\/no questions, not (?<id>".*")$/, "schema.crosstab"],
  [/^the total must be between 1 and 2\^(?<bits>\d+)$/, "schema.total"],
  [/^a budget has between 1 and (?<max>\d+) projects$/, "schema.projects"],
  [/^project names must be non-empty and distinct$/, "schema.projectNames"],
  [/^comparisons must be from 1 to (?<max>\d+)$/, "schema.comparisons"],
  [/^bits must be from 1 to (?<max>\d+)$/, "schema.bits"],
  [
    /^an answer would take (?<size>\d+) bytes for (?<n>\d+) members, more than the relay's limit of (?<limit>\d+) bytes/,
    "schema.tooBig",
  ],
];
// The rest: the draft's member keys (sotto_client::draft::DraftError),
// keys that are not curve points, a manifest over its size limit, the
// creation token (crate/wasm, Organizer.create).
const OTHER = [
  [/^member "(?<name>.*)": (?:x25519|ed25519) key: /, "manifest.memberKey"],
  [/^member "(?<name>.*)": the fingerprint does not match the keys/, "manifest.fingerprint"],
  [/^invalid Ed25519 public key$/, "manifest.badKey"],
  [/^manifest of (?<size>\d+) bytes exceeds the size limit$/, "manifest.tooLarge"],
  [/^the creation token must be 64 hex digits$/, "manifest.createToken"],
  [/^too many committee members$/, "manifest.tooManyMembers"],
];
/** Every reason pattern, for the test that the Rust validators have none without one. */
export const REFUSAL_PATTERNS = [...MANIFEST_REASONS, ...SCHEMA_REASONS, ...OTHER].map(([pattern]) => pattern);

// What the wasm puts before the core's words.
const PREFIX = /^(?:(?:the session settings are not valid|session draft): )*/;

/** The first pattern of `table` the text matches, as `[key, groups]`. */
function matchOf(table, text) {
  for (const [pattern, key] of table) {
    const m = text.match(pattern);
    if (m) return [key, m.groups ?? {}];
  }
  return null;
}

/**
 * A refusal of the core's checks of a session draft in the page's
 * language, or null when `message` is not one the catalog knows (the
 * caller then shows it as the core says it). `question(id)` names a
 * survey question the way the page shows it (default: its id).
 */
export function manifestMessage(message, { question = (id) => id } = {}) {
  const text = String(message ?? "")
    .trim()
    .replace(PREFIX, "");
  const kb = (bytes) => Math.ceil(Number(bytes) / 1024);
  const manifest = text.match(/^invalid manifest: (?<field>[a-z0-9_.]+) (?<reason>.+)$/);
  if (manifest?.groups) {
    const { field, reason } = manifest.groups;
    const found = MANIFEST_FIELDS.has(field) && matchOf(MANIFEST_REASONS, reason);
    if (!found) return null;
    const key = found[0] === "manifest.distinct" && field === "options" ? "manifest.distinctOptions" : found[0];
    const max = found[1].max ? Number(found[1].max) : null;
    return t(key, { field: t(`manifest.field.${field}`), max });
  }
  const schema = text.match(/^invalid [a-z]+ schema: (?<reason>.+)$/s);
  const found = schema?.groups ? matchOf(SCHEMA_REASONS, schema.groups.reason) : matchOf(OTHER, text);
  if (!found) return null;
  const [key, g] = found;
  const id = g.id?.replace(/^"(.*)"$/, "$1");
  return t(key, {
    ...g,
    question: id === undefined ? undefined : `“${question(id) || id}”`,
    max: g.bits ? 2 ** Number(g.bits) - 1 : g.max && Number(g.max),
    min: g.min && Number(g.min),
    decimals: g.decimals && Number(g.decimals),
    n: g.n && Number(g.n),
    size: g.size && kb(g.size),
    limit: g.limit && kb(g.limit),
  });
}

/** `{text, question}`: a plain message and the id of the question it concerns (or null). */
export function explain(kind, schema, message = "") {
  const missing = message.match(/^the answer needs a "(.+)" field$/);
  if (kind === "vote" && missing && VOTE_FIELDS.has(missing[1]))
    return { text: t(`plain.vote.${missing[1]}`), question: null };
  if (kind === "survey") {
    const text = (id) => schema.questions.find((q) => q.id === id)?.text ?? id;
    if (missing) return { text: t("plain.answer", { question: text(missing[1]) }), question: missing[1] };
    const about = message.match(/^question ([^:]+): (.*)$/);
    if (about) return { text: `“${text(about[1])}”: ${coreMessage(about[2])}`, question: about[1] };
  }
  return { text: message ? coreMessage(message) : t("plain.incomplete"), question: null };
}

/** Marks the question `id` of a form as invalid (and clears the others). */
export function markQuestion(form, id) {
  for (const q of form.querySelectorAll("[data-question]")) {
    const bad = q.dataset.question === id;
    q.classList.toggle("invalid", bad);
    for (const input of q.querySelectorAll("input")) {
      if (bad) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
}
