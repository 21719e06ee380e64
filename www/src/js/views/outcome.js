// What a committee member sees when its computation ends: the published
// result, drawn with the same charts as the results page.

import { h } from "../dom.js";
import { RENDERERS } from "../results/index.js";
import { t } from "../i18n/index.js";

export function renderResultSummary(session, outcome) {
  const result = outcome.result ?? {};
  const counts =
    session.kind === "check" ? "" : t("outcome.counts", { valid: outcome.valid, invalid: outcome.invalid });
  if (result.suppressed) {
    return h(
      "div",
      { class: "notice warn", role: "status" },
      h("h3", {}, t("outcome.tooFew")),
      h("p", {}, `${counts} ${t("outcome.withheld")}`),
    );
  }
  const { nodes } = RENDERERS[session.kind](session.schema(), result);
  return h(
    "div",
    { class: "outcome" },
    h(
      "div",
      { class: "notice ok", role: "status" },
      h("h3", {}, t("outcome.published")),
      counts ? h("p", {}, counts) : null,
    ),
    nodes,
  );
}
