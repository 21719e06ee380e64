// Building blocks of the results page: a figure with a chart and its data
// table side by side (the table is the accessible version), and tables.

import { h } from "../dom.js";
import { fmt } from "../charts.js";

/** `<table>` with a caption; cells that are numbers are right-aligned. */
export function dataTable(caption, headers, rows) {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headers.map((t, i) => h("th", { scope: "col", class: i > 0 ? "num" : null }, t)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          row.map((cell, i) =>
            i === 0
              ? h("th", { scope: "row" }, cell)
              : h("td", { class: "num" }, typeof cell === "number" ? fmt(cell) : cell),
          ),
        ),
      ),
    ),
  );
}

/** A captioned figure: the chart, then the same data as a table. */
export function chartFigure(caption, chart, table, note) {
  return h(
    "figure",
    { class: "chart-figure" },
    h("figcaption", {}, caption),
    h("div", { class: "chart" }, chart),
    table,
    note ? h("p", { class: "chart-note small muted" }, note) : null,
  );
}

/** Orders the keys of a count object by a preferred order, then the rest. */
export function ordered(counts, order = []) {
  const keys = Object.keys(counts ?? {});
  const known = order.filter((k) => keys.includes(k));
  return known.concat(keys.filter((k) => !known.includes(k)));
}

/** The largest numeric values' keys (all of them on a tie). */
export function leaders(counts) {
  const nums = Object.entries(counts ?? {}).filter(([, v]) => typeof v === "number");
  if (!nums.length) return [];
  const top = Math.max(...nums.map(([, v]) => v));
  return nums.filter(([, v]) => v === top).map(([k]) => k);
}

export function percent(part, whole) {
  return typeof part === "number" && whole > 0 ? `${fmt((100 * part) / whole)} %` : "";
}
