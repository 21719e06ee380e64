// Result of a committee check: did the committee find the known answer?

import { h } from "../dom.js";
import { fmt } from "../charts.js";
import { dataTable } from "./common.js";
import { t } from "../i18n/index.js";

/** Nodes and CSV rows for a committee check result. */
export function renderCheck(schema, result) {
  const c = result.check ?? {};
  const correct = c.correct === true;
  const rows = [
    [t("check.comparisons"), c.comparisons],
    [t("check.bits"), c.bits],
    [t("check.less"), c.less],
    [t("check.expected"), c.expected],
    [t("check.verdict"), t(correct ? "check.correct" : "check.wrong")],
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
        h("p", {}, h("strong", {}, t("check.passed"))),
        h(
          "p",
          {},
          t("check.passedBody", {
            comparisons: fmt(c.comparisons),
            bits: c.bits,
            less: fmt(c.less),
            expected: fmt(c.expected),
          }),
        ),
      )
    : h(
        "div",
        { class: "notice error", dataset: { check: "failed" } },
        h("p", {}, h("strong", {}, t("check.failed"))),
        h(
          "p",
          {},
          t("check.failedBody", { comparisons: fmt(c.comparisons), less: fmt(c.less), expected: fmt(c.expected) }),
        ),
      );
  return { nodes: [verdict, dataTable(t("kind.check"), [t("check.item"), t("check.value")], rows)], csv };
}
