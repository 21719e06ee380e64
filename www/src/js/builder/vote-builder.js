// Builder of a vote schema: method, options, what is revealed.

import { h, field } from "../dom.js";
import { lines, intOf, select, showIf } from "./inputs.js";

const METHODS = [
  ["plurality", "Plurality: one choice each, most votes wins"],
  ["approval", "Approval: approve any number of options"],
  ["score", "Score: rate every option"],
  ["borda", "Borda count: rank all options, points by position"],
  ["irv", "Instant runoff: rank all options, eliminate the weakest"],
];

export function voteBuilder() {
  const method = select(METHODS, "plurality");
  const options = h("textarea", { rows: 4, id: "vote-options" }, "Park\nLibrary\nStation");
  const reveal = select(
    [
      ["tally", "The count of every option"],
      ["winner", "Only the winner (counts stay secret)"],
    ],
    "tally",
  );
  const maxApprovals = h("input", { type: "number", min: 1, step: 1, placeholder: "no limit" });
  const maxScore = h("input", { type: "number", min: 1, max: 100, step: 1, value: "5" });
  const approvalsField = field("Most options one ballot may approve", maxApprovals, "Leave empty for no limit.");
  const scoreField = field("Highest score", maxScore, "Scores run from 0 to this.");
  const revealField = field("What the result reveals", reveal);
  const sync = () => {
    showIf(approvalsField, method.value === "approval");
    showIf(scoreField, method.value === "score");
    if (method.value === "irv") reveal.value = "tally";
    reveal.disabled = method.value === "irv";
  };
  method.addEventListener("change", sync);
  sync();
  const element = h(
    "div",
    { class: "stack" },
    field("Counting method", method),
    field("Options, one per line", options, "Between 2 and 64 options, each different and at most 64 characters long."),
    revealField,
    approvalsField,
    scoreField,
  );
  return {
    element,
    /** `[control, message]` for each setting that cannot be used, in plain words. */
    errors() {
      const out = [];
      const opts = lines(options);
      const seen = new Set();
      if (opts.length < 2)
        out.push([
          options,
          `A vote needs at least two options to choose from; there ${opts.length === 1 ? "is one" : "are none"}.`,
        ]);
      else if (opts.length > 64) out.push([options, `At most 64 options; there are ${opts.length}.`]);
      for (const o of opts) {
        if ([...o].length > 64)
          out.push([options, `The option “${o.slice(0, 20)}…” is too long: at most 64 characters.`]);
        if (seen.has(o)) out.push([options, `“${o}” is listed twice: each option must be different.`]);
        seen.add(o);
      }
      if (method.value === "approval" && maxApprovals.value.trim() !== "") {
        const k = Number(maxApprovals.value);
        if (!Number.isInteger(k) || k < 1 || k > opts.length)
          out.push([
            maxApprovals,
            `Enter a whole number from 1 to ${Math.max(1, opts.length)}, or leave it empty for no limit.`,
          ]);
      }
      if (method.value === "score") {
        const k = Number(maxScore.value);
        if (!Number.isInteger(k) || k < 1 || k > 100) out.push([maxScore, "Enter a whole number from 1 to 100."]);
      }
      return out;
    },
    /** Fills the builder from a schema (duplicating a session). */
    load(schema) {
      method.value = schema.method;
      options.value = schema.options.join("\n");
      reveal.value = schema.reveal ?? "tally";
      if (schema.max_approvals) maxApprovals.value = String(schema.max_approvals);
      if (schema.max_score) maxScore.value = String(schema.max_score);
      sync();
    },
    read() {
      const schema = { method: method.value, options: lines(options), reveal: reveal.value };
      if (method.value === "approval") {
        const k = intOf(maxApprovals, null);
        if (k) schema.max_approvals = k;
      }
      if (method.value === "score") schema.max_score = intOf(maxScore, 5);
      return schema;
    },
  };
}
