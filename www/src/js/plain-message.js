// Turns the package's validation messages (which name answer fields and
// question ids) into sentences about what the person sees, and says which
// question they concern so the form can mark it.

const VOTE_FIELDS = {
  choice: "Choose one of the options.",
  approve: "Tick at least the options you approve of.",
  scores: "Give each option a score.",
  ranking: "Rank all the options.",
};

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
  if (kind === "vote" && missing && VOTE_FIELDS[missing[1]]) return { text: VOTE_FIELDS[missing[1]], question: null };
  if (kind === "survey") {
    const text = (id) => schema.questions.find((q) => q.id === id)?.text ?? id;
    if (missing) return { text: `Please answer “${text(missing[1])}”.`, question: missing[1] };
    const about = message.match(/^question ([^:]+): (.*)$/);
    if (about) return { text: `“${text(about[1])}”: ${sentence(about[2])}`, question: about[1] };
  }
  return { text: sentence(message || "The answer is not complete."), question: null };
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
