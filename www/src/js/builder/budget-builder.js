// Builder of a budget schema: the total and the projects.

import { h, field } from "../dom.js";
import { lines, intOf } from "./inputs.js";

export function budgetBuilder() {
  const total = h("input", { type: "number", min: 1, step: 1, value: "100", id: "budget-total" });
  const projects = h("textarea", { rows: 4, id: "budget-projects" }, "park\nlibrary\npool");
  return {
    element: h("div", { class: "stack" },
      field("Total each participant splits", total, "A whole number, e.g. 100 for percentages or the budget in euros."),
      field("Projects, one per line", projects)),
    read: () => ({ total: intOf(total, 100), projects: lines(projects) }),
  };
}
