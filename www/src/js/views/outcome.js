// What a committee member sees when its computation ends: the published
// result, drawn with the same charts as the results page.

import { h } from "../dom.js";
import { RENDERERS } from "../results/index.js";

export function renderResultSummary(session, outcome) {
  const result = outcome.result ?? {};
  const counts =
    session.kind === "check"
      ? ""
      : `${outcome.valid} valid submission${outcome.valid === 1 ? "" : "s"}${outcome.invalid ? `, ${outcome.invalid} rejected` : ""}.`;
  if (result.suppressed) {
    return h(
      "div",
      { class: "notice warn", role: "status" },
      h("h3", {}, "Published: too few submissions"),
      h("p", {}, `${counts} The policy withheld the result.`),
    );
  }
  const { nodes } = RENDERERS[session.kind](session.schema(), result);
  return h(
    "div",
    { class: "outcome" },
    h("div", { class: "notice ok", role: "status" }, h("h3", {}, "Published"), counts ? h("p", {}, counts) : null),
    nodes,
  );
}
