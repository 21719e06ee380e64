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

// The core's manifest refusals (`SessionError::InvalidManifest`,
// crate/core/src/session/manifest.rs: "invalid manifest: <field> <reason>"),
// reached when a setting gets past the create page's checks at the
// fields: the reason in the catalog (`manifest.*`), the field named by
// its label on the page (`manifest.field.*`).
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
  [/^closes_at must be after opens_at$/, "manifest.deadlines"],
  [/^must be at least 1$/, "manifest.atLeastOne"],
  [/^applies to surveys only/, "manifest.surveysOnly"],
  [/^instant runoff reveals exact rounds/, "manifest.irvNoise"],
];
const MANIFEST_FIELDS = new Set([
  "title",
  "description",
  "questions.description",
  "options",
  "committee.members",
  "committee.members.name",
  "committee.threshold",
  "deadlines",
  "policy.min_submissions",
  "policy.min_cell",
  "policy.dp",
]);

/**
 * A refusal of the core's manifest checks in the page's language, or
 * null when `message` is not one (or not one the catalog knows): the
 * caller then shows it as the core says it.
 */
export function manifestMessage(message) {
  const m = String(message ?? "")
    .trim()
    .match(/^(?:[a-z ]+: )?invalid manifest: (?<field>[a-z_.]+) (?<reason>.+)$/);
  if (!m?.groups || !MANIFEST_FIELDS.has(m.groups.field)) return null;
  for (const [pattern, key] of MANIFEST_REASONS) {
    const r = m.groups.reason.match(pattern);
    if (!r) continue;
    const max = r.groups?.max ? Number(r.groups.max) : null;
    return t(key, { field: t(`manifest.field.${m.groups.field}`), max });
  }
  return null;
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
