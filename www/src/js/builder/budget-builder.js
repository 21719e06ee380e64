// Builder of a budget schema: the total and the projects.

import { h, field } from "../dom.js";
import { lines, intOf } from "./inputs.js";

export function budgetBuilder() {
  const total = h("input", { type: "number", min: 1, step: 1, value: "100", id: "budget-total" });
  const projects = h("textarea", { rows: 4, id: "budget-projects" }, "park\nlibrary\npool");
  return {
    element: h(
      "div",
      { class: "stack" },
      field("Total each participant splits", total, "A whole number, e.g. 100 for percentages or the budget in euros."),
      field("Projects, one per line", projects),
    ),
    load: (schema) => {
      total.value = String(schema.total);
      projects.value = schema.projects.join("\n");
    },
    errors: () => {
      const out = [];
      const t = Number(total.value);
      if (total.value.trim() === "" || !Number.isInteger(t) || t < 1)
        out.push([total, "Enter the total as a whole number of at least 1."]);
      const list = lines(projects);
      if (list.length < 2) out.push([projects, "A budget needs at least two projects to split between."]);
      if (new Set(list).size !== list.length) out.push([projects, "Each project must be listed once."]);
      if (list.some((p) => [...p].length > 64)) out.push([projects, "Project names are at most 64 characters."]);
      return out;
    },
    read: () => ({ total: intOf(total, 100), projects: lines(projects) }),
  };
}
