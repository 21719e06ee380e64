// Builder of a budget schema: the total and the projects.

import { h, field } from "../dom.js";
import { lines, intOf } from "./inputs.js";
import { t } from "../i18n/index.js";

export function budgetBuilder() {
  const total = h("input", { type: "number", min: 1, step: 1, value: "100", id: "budget-total" });
  const projects = h("textarea", { rows: 4, id: "budget-projects" }, t("budget.sampleProjects").split(",").join("\n"));
  return {
    element: h(
      "div",
      { class: "stack" },
      field(t("budget.total"), total, t("budget.totalHint")),
      field(t("budget.projects"), projects),
    ),
    load: (schema) => {
      total.value = String(schema.total);
      projects.value = schema.projects.join("\n");
    },
    errors: () => {
      const out = [];
      const sum = Number(total.value);
      if (total.value.trim() === "" || !Number.isInteger(sum) || sum < 1) out.push([total, t("budget.err.total")]);
      const list = lines(projects);
      if (list.length < 2) out.push([projects, t("budget.err.two")]);
      if (new Set(list).size !== list.length) out.push([projects, t("budget.err.twice")]);
      if (list.some((p) => [...p].length > 64)) out.push([projects, t("budget.err.long")]);
      return out;
    },
    read: () => ({ total: intOf(total, 100), projects: lines(projects) }),
    /** Where a note that the answer is too large goes: the total sets how many bits each amount takes. */
    sizeControl: () => total,
  };
}
