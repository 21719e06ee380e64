// Results of a survey: per question, counts and histograms as bars, and
// numeric questions as quartile boxes with their statistics.

import { h } from "../dom.js";
import { barChart, quartileChart, quartileAxis, fmt } from "../charts.js";
import { chartFigure, dataTable, ordered, percent } from "./common.js";

function labelsOf(q) {
  const a = q.answer;
  if (a.type === "choice" || a.type === "multi") return a.options;
  if (a.type === "rating") return Array.from({ length: a.scale }, (_, i) => String(i + 1));
  if (a.type === "yesno") return ["yes", "no"];
  return [];
}

const PRETTY = { yes: "Yes", no: "No" };

function histogramFigure(caption, histogram, order, count, csv, qid) {
  const keys = ordered(histogram, order);
  for (const k of keys) csv.push([qid, k, histogram[k]]);
  const items = keys.map((k) => ({ label: PRETTY[k] ?? k, value: histogram[k] }));
  return chartFigure(
    caption,
    barChart(items, { label: `${caption}: bar chart; the table lists the values` }),
    dataTable(
      caption,
      ["Answer", "Count", "Share"],
      keys.map((k) => [PRETTY[k] ?? k, histogram[k], percent(histogram[k], count)]),
    ),
    keys.some((k) => histogram[k] === "suppressed")
      ? "Cells below the session's minimum cell size are suppressed to protect small groups."
      : null,
  );
}

function bucketOrder(histogram, q) {
  const scale = 10 ** (q.answer.decimals ?? 0);
  const edges = Object.keys(histogram).sort((a, b) => Number(a) - Number(b));
  const max = q.answer.max / scale;
  const rename = {};
  edges.forEach((e, i) => {
    rename[e] =
      i + 1 < edges.length
        ? `${fmt(Number(e))} to under ${fmt(Number(edges[i + 1]))}`
        : `${fmt(Number(e))} to ${fmt(max)}`;
  });
  return { edges, rename };
}

function numberQuestion(q, stats, csv) {
  const nodes = [];
  const scale = 10 ** (q.answer.decimals ?? 0);
  const rows = [["Answers", stats.count]];
  if (stats.mean !== undefined) rows.push(["Mean", stats.mean]);
  if (stats.median !== undefined) rows.push(["Median", stats.median]);
  if (stats.quartiles) rows.push(["First quartile", stats.quartiles[0]], ["Third quartile", stats.quartiles[2]]);
  for (const [k, v] of rows) csv.push([q.id, k.toLowerCase(), v]);
  const table = dataTable(`${q.text}: statistics`, ["Statistic", "Value"], rows);
  if (stats.quartiles) {
    const axis = quartileAxis({
      min: q.answer.min / scale,
      max: q.answer.max / scale,
      quartiles: stats.quartiles,
      mean: stats.mean,
    });
    const zoomNote = axis.zoomed
      ? ` The axis shows ${fmt(axis.min)} to ${fmt(axis.max)}, where the answers are; the question allowed ${fmt(q.answer.min / scale)} to ${fmt(q.answer.max / scale)}.`
      : "";
    nodes.push(
      chartFigure(
        q.text,
        quartileChart(
          { min: q.answer.min / scale, max: q.answer.max / scale, quartiles: stats.quartiles, mean: stats.mean },
          {
            label: `${q.text}: median ${fmt(stats.median)}, middle half from ${fmt(stats.quartiles[0])} to ${fmt(stats.quartiles[2])}`,
          },
        ),
        table,
        `The box spans the middle half of the answers; the bar is the median, the diamond the mean.${zoomNote}`,
      ),
    );
  } else {
    nodes.push(h("figure", { class: "chart-figure" }, h("figcaption", {}, q.text), table));
  }
  if (stats.histogram) {
    const { edges, rename } = bucketOrder(stats.histogram, q);
    const renamed = Object.fromEntries(edges.map((e) => [rename[e], stats.histogram[e]]));
    const order = edges.map((e) => rename[e]);
    // Answers below the first edge fall in no bucket: count them so they
    // do not vanish from the chart (only when no cell is suppressed).
    const counted = Object.values(stats.histogram);
    if (edges.length && counted.every((v) => typeof v === "number")) {
      const below = stats.count - counted.reduce((a, v) => a + v, 0);
      if (below > 0) {
        const key = `below ${fmt(Number(edges[0]))}`;
        renamed[key] = below;
        order.unshift(key);
      }
    }
    nodes.push(histogramFigure(`${q.text}: distribution`, renamed, order, stats.count, csv, q.id));
  }
  return nodes;
}

function crosstab(name, cells, csv) {
  const rows = [];
  const cols = [];
  for (const key of Object.keys(cells)) {
    const [r, c] = key.split("|");
    if (!rows.includes(r)) rows.push(r);
    if (!cols.includes(c)) cols.push(c);
    csv.push([`crosstab ${name}`, key, cells[key]]);
  }
  return dataTable(
    `Cross-tabulation ${name.replace(" x ", " × ")}`,
    ["", ...cols.map((c) => PRETTY[c] ?? c)],
    rows.map((r) => [PRETTY[r] ?? r, ...cols.map((c) => cells[`${r}|${c}`] ?? "")]),
  );
}

/** Nodes and CSV rows for a survey result. */
export function renderSurvey(schema, result) {
  const csv = [["question", "statistic or answer", "value"]];
  const nodes = [];
  for (const q of schema.questions) {
    const stats = result.questions?.[q.id];
    if (!stats) continue;
    const section = h("section", { class: "question-result" });
    if (q.answer.type === "number") {
      section.append(...numberQuestion(q, stats, csv));
    } else {
      csv.push([q.id, "answers", stats.count]);
      if (stats.mean !== undefined) csv.push([q.id, "mean", stats.mean]);
      const caption =
        q.answer.type === "rating" && stats.mean !== undefined ? `${q.text} (mean ${fmt(stats.mean)})` : q.text;
      section.append(histogramFigure(caption, stats.histogram ?? {}, labelsOf(q), stats.count, csv, q.id));
    }
    nodes.push(section);
  }
  for (const [name, cells] of Object.entries(result.crosstabs ?? {})) nodes.push(crosstab(name, cells, csv));
  return { nodes, csv };
}
