// Builder of a vote schema: method, options, what is revealed.

import { h, field } from "../dom.js";
import { lines, intOf, select, showIf } from "./inputs.js";
import { t } from "../i18n/index.js";

const METHODS = ["plurality", "approval", "score", "borda", "irv"];

export function voteBuilder() {
  const method = select(
    METHODS.map((m) => [m, t(`vote.method.${m}`)]),
    "plurality",
  );
  const options = h("textarea", { rows: 4, id: "vote-options" }, t("vote.sampleOptions").split(",").join("\n"));
  const reveal = select(
    [
      ["tally", t("vote.reveal.tally")],
      ["winner", t("vote.reveal.winner")],
    ],
    "tally",
  );
  const maxApprovals = h("input", { type: "number", min: 1, step: 1, placeholder: t("survey.noLimit") });
  const maxScore = h("input", { type: "number", min: 1, max: 100, step: 1, value: "5" });
  const approvalsField = field(t("vote.maxApprovals"), maxApprovals, t("vote.maxApprovalsHint"));
  const scoreField = field(t("vote.maxScore"), maxScore, t("vote.maxScoreHint"));
  const revealField = field(t("vote.reveal"), reveal);
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
    field(t("vote.method"), method),
    field(t("survey.options"), options, t("vote.optionsHint")),
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
      if (opts.length < 2) out.push([options, t("vote.err.twoOptions", { n: opts.length })]);
      else if (opts.length > 64) out.push([options, t("builder.err.manyOptions", { n: opts.length })]);
      for (const o of opts) {
        if ([...o].length > 64) out.push([options, t("vote.err.optionLong", { start: o.slice(0, 20) })]);
        if (seen.has(o)) out.push([options, t("vote.err.optionTwice", { o })]);
        seen.add(o);
      }
      if (method.value === "approval" && maxApprovals.value.trim() !== "") {
        const k = Number(maxApprovals.value);
        if (!Number.isInteger(k) || k < 1 || k > opts.length)
          out.push([maxApprovals, t("vote.err.maxApprovals", { max: Math.max(1, opts.length) })]);
      }
      if (method.value === "score") {
        const k = Number(maxScore.value);
        if (!Number.isInteger(k) || k < 1 || k > 100) out.push([maxScore, t("vote.err.maxScore")]);
      }
      return out;
    },
    /** Where a note that the answer is too large goes. */
    sizeControl: () => options,
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
