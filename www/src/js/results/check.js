// Result of a committee check: did the committee find the known answer?

import { h } from "../dom.js";
import { fmt } from "../charts.js";
import { dataTable } from "./common.js";

/** Nodes and CSV rows for a committee check result. */
export function renderCheck(schema, result) {
  const c = result.check ?? {};
  const correct = c.correct === true;
  const rows = [
    ["Secret comparisons", c.comparisons],
    ["Bits per compared value", c.bits],
    ["Comparisons that came out “less”", c.less],
    ["Known answer", c.expected],
    ["Verdict", correct ? "correct" : "wrong"],
  ];
  const csv = [
    ["item", "value"],
    ["comparisons", c.comparisons],
    ["bits", c.bits],
    ["less", c.less],
    ["expected", c.expected],
    ["correct", correct],
  ];
  const verdict = correct
    ? h(
        "div",
        { class: "notice ok", dataset: { check: "passed" } },
        h("p", {}, h("strong", {}, "Committee check passed")),
        h(
          "p",
          {},
          "Every member was online with the key named in the session, reached the others, and computed ",
          `${fmt(c.comparisons)} secret comparisons of ${c.bits}-bit values with the known answer: ${fmt(c.less)} came out “less”, as expected (${fmt(c.expected)}).`,
        ),
      )
    : h(
        "div",
        { class: "notice error", dataset: { check: "failed" } },
        h("p", {}, h("strong", {}, "Committee check failed")),
        h(
          "p",
          {},
          `The committee got a wrong answer: ${fmt(c.less)} of ${fmt(c.comparisons)} comparisons came out “less”, but the known answer is ${fmt(c.expected)}. ` +
            "Do not trust this committee for a real session; find out which member's software or machine is at fault first.",
        ),
      );
  return { nodes: [verdict, dataTable("Committee check", ["Item", "Value"], rows)], csv };
}
