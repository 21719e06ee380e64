// Results of a vote: tallies, Borda points, instant-runoff rounds, or the
// winner alone.

import { h } from "../dom.js";
import { barChart } from "../charts.js";
import { chartFigure, dataTable, ordered, leaders, percent } from "./common.js";
import { t, language } from "../i18n/index.js";

function winnerBanner(winners, tie) {
  const list = Array.isArray(winners) ? winners : [winners];
  const names = new Intl.ListFormat(language(), { type: "conjunction" }).format(list);
  const text = list.length > 1 || tie ? t("chart.tie", { names }) : t("chart.winner", { name: list[0] });
  return h("p", { class: "winner-banner" }, text);
}

function tallyFigure(caption, counts, options, csv, section) {
  const keys = ordered(counts, options);
  const total = keys.reduce((a, k) => a + (typeof counts[k] === "number" ? counts[k] : 0), 0);
  const top = leaders(counts);
  for (const k of keys) csv.push([section, k, counts[k]]);
  return chartFigure(
    caption,
    barChart(
      keys.map((k) => ({ label: k, value: counts[k], strong: top.includes(k) })),
      { label: t("chart.barLabel", { caption }) },
    ),
    dataTable(
      caption,
      [t("chart.option"), t("chart.count"), t("chart.share")],
      keys.map((k) => [k, counts[k], percent(counts[k], total)]),
    ),
  );
}

function roundsTable(rounds, options, csv) {
  const headers = [t("chart.option"), ...rounds.map((_, i) => t("chart.round", { i: i + 1 }))];
  rounds.forEach((r, i) => {
    for (const [o, c] of Object.entries(r)) csv.push([`round ${i + 1}`, o, c]);
  });
  return dataTable(
    t("chart.rounds"),
    headers,
    options.map((o) => [o, ...rounds.map((r) => (o in r ? r[o] : "—"))]),
  );
}

/** Nodes and CSV rows for a vote result. */
export function renderVote(schema, result) {
  const csv = [["section", "option", "value"]];
  const nodes = [];
  const options = schema.options ?? [];
  if (result.winner !== undefined && result.tally === undefined) {
    nodes.push(winnerBanner(result.winner, result.tie), h("p", { class: "muted" }, t("chart.winnerOnly")));
    for (const w of [].concat(result.winner)) csv.push(["winner", w, ""]);
    return { nodes, csv };
  }
  if (result.winner !== undefined) nodes.push(winnerBanner(result.winner, result.tie));
  else {
    const top = leaders(result.scores ?? result.tally);
    if (top.length) nodes.push(winnerBanner(top, top.length > 1));
  }
  if (result.scores) nodes.push(tallyFigure(t("chart.borda"), result.scores, options, csv, "points"));
  if (result.tally) {
    const caption = t(result.scores ? "chart.first" : result.rounds ? "chart.final" : "chart.votes");
    nodes.push(tallyFigure(caption, result.tally, options, csv, result.rounds ? "final round" : "tally"));
  }
  if (Array.isArray(result.rounds)) nodes.push(roundsTable(result.rounds, options, csv));
  return { nodes, csv };
}
