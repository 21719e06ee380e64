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
