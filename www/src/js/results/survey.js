// Results of a survey: per question, counts and histograms as bars, and
// numeric questions as quartile boxes with their statistics.

import { h } from "../dom.js";
import { barChart, quartileChart, quartileAxis, fmt } from "../charts.js";
import { chartFigure, dataTable, ordered, percent } from "./common.js";
import { t } from "../i18n/index.js";

function labelsOf(q) {
  const a = q.answer;
  if (a.type === "choice" || a.type === "multi") return a.options;
  if (a.type === "rating") return Array.from({ length: a.scale }, (_, i) => String(i + 1));
  if (a.type === "yesno") return ["yes", "no"];
  return [];
}

/** The label shown for an answer key: yes and no in the language shown, others as they are. */
const pretty = (k) => (k === "yes" || k === "no" ? t(`form.${k}`) : k);
/** A count, or the word for a cell the policy suppressed. */
const suppressed = (v) => (v === "suppressed" ? t("chart.suppressed") : v);

function histogramFigure(caption, histogram, order, count, csv, qid) {
  const keys = ordered(histogram, order);
  for (const k of keys) csv.push([qid, k, histogram[k]]);
  const items = keys.map((k) => ({ label: pretty(k), value: suppressed(histogram[k]) }));
  return chartFigure(
    caption,
    barChart(items, { label: t("chart.barLabel", { caption }) }),
    dataTable(
      caption,
      [t("chart.answer"), t("chart.count"), t("chart.share")],
      keys.map((k) => [pretty(k), suppressed(histogram[k]), percent(histogram[k], count)]),
    ),
    keys.some((k) => histogram[k] === "suppressed") ? t("chart.suppressedNote") : null,
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
        ? t("chart.bucket", { from: fmt(Number(e)), to: fmt(Number(edges[i + 1])) })
        : t("chart.lastBucket", { from: fmt(Number(e)), to: fmt(max) });
  });
  return { edges, rename };
}

function numberQuestion(q, stats, csv) {
  const nodes = [];
  const scale = 10 ** (q.answer.decimals ?? 0);
  // CSV names stay English (a file for programs); the table is in the language shown.
  const stat = [["answers", stats.count]];
  if (stats.mean !== undefined) stat.push(["mean", stats.mean]);
  if (stats.median !== undefined) stat.push(["median", stats.median]);
  if (stats.quartiles) stat.push(["first quartile", stats.quartiles[0]], ["third quartile", stats.quartiles[2]]);
  for (const [k, v] of stat) csv.push([q.id, k, v]);
  const rows = stat.map(([k, v]) => [t(`chart.stat.${k}`), v]);
  const table = dataTable(t("chart.statistics", { text: q.text }), [t("chart.statistic"), t("chart.value")], rows);
  if (stats.quartiles) {
    const axis = quartileAxis({
      min: q.answer.min / scale,
      max: q.answer.max / scale,
      quartiles: stats.quartiles,
      mean: stats.mean,
    });
    const zoomNote = axis.zoomed
      ? ` ${t("chart.zoom", { min: fmt(axis.min), max: fmt(axis.max), lo: fmt(q.answer.min / scale), hi: fmt(q.answer.max / scale) })}`
      : "";
    nodes.push(
      chartFigure(
        q.text,
        quartileChart(
          { min: q.answer.min / scale, max: q.answer.max / scale, quartiles: stats.quartiles, mean: stats.mean },
          {
            label: t("chart.quartileLabel", {
              text: q.text,
              median: fmt(stats.median),
              q1: fmt(stats.quartiles[0]),
              q3: fmt(stats.quartiles[2]),
            }),
          },
        ),
        table,
        `${t("chart.boxNote")}${zoomNote}`,
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
        const key = t("chart.below", { edge: fmt(Number(edges[0])) });
        renamed[key] = below;
        order.unshift(key);
      }
    }
    nodes.push(histogramFigure(t("chart.distribution", { text: q.text }), renamed, order, stats.count, csv, q.id));
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
    t("chart.crosstab", { name: name.replace(" x ", " × ") }),
    ["", ...cols.map(pretty)],
    rows.map((r) => [pretty(r), ...cols.map((c) => suppressed(cells[`${r}|${c}`] ?? ""))]),
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
        q.answer.type === "rating" && stats.mean !== undefined
          ? t("chart.ratingCaption", { text: q.text, mean: fmt(stats.mean) })
          : q.text;
      section.append(histogramFigure(caption, stats.histogram ?? {}, labelsOf(q), stats.count, csv, q.id));
    }
    nodes.push(section);
  }
  for (const [name, cells] of Object.entries(result.crosstabs ?? {})) nodes.push(crosstab(name, cells, csv));
  return { nodes, csv };
}
