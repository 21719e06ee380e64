// Turns the package's validation messages (which name answer fields and
// question ids) into sentences about what the person sees, and says which
// question they concern so the form can mark it.

import { t } from "./i18n/index.js";

// The catalog's `plain.vote.<field>` (js/i18n). The package's own messages
// about a question's value stay in English: they come from the core.
const VOTE_FIELDS = new Set(["choice", "approve", "scores", "ranking"]);

// The package's phrases that read oddly for some values.
const REWRITES = [
  [/use at most 0 digits after the decimal point/, "enter a whole number, without decimals"],
  [/use at most 1 digits after the decimal point/, "use at most 1 digit after the decimal point"],
];

function sentence(text) {
  let s = text.trim();
  for (const [pattern, plain] of REWRITES) s = s.replace(pattern, plain);
  return s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}` : s;
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
    if (about) return { text: `“${text(about[1])}”: ${sentence(about[2])}`, question: about[1] };
  }
  return { text: sentence(message || t("plain.incomplete")), question: null };
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
