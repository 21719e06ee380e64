// Results of a vote: tallies, Borda points, instant-runoff rounds, or the
// winner alone.

import { h } from "../dom.js";
import { barChart } from "../charts.js";
import { chartFigure, dataTable, ordered, leaders, percent } from "./common.js";

function winnerBanner(winners, tie) {
  const list = Array.isArray(winners) ? winners : [winners];
  const names = new Intl.ListFormat("en", { type: "conjunction" }).format(list);
  const text = list.length > 1 || tie ? `Tie between ${names}` : `Winner: ${list[0]}`;
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
      { label: `${caption}: bar chart; the table lists the values` },
    ),
    dataTable(
      caption,
      ["Option", "Count", "Share"],
      keys.map((k) => [k, counts[k], percent(counts[k], total)]),
    ),
  );
}

function roundsTable(rounds, options, csv) {
  const headers = ["Option", ...rounds.map((_, i) => `Round ${i + 1}`)];
  rounds.forEach((r, i) => {
    for (const [o, c] of Object.entries(r)) csv.push([`round ${i + 1}`, o, c]);
  });
  return dataTable(
    "Instant-runoff rounds (— means eliminated)",
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
    nodes.push(
      winnerBanner(result.winner, result.tie),
      h("p", { class: "muted" }, "This vote reveals only the winner: the counts stay secret, even from the committee."),
    );
    for (const w of [].concat(result.winner)) csv.push(["winner", w, ""]);
    return { nodes, csv };
  }
  if (result.winner !== undefined) nodes.push(winnerBanner(result.winner, result.tie));
  else {
    const top = leaders(result.scores ?? result.tally);
    if (top.length) nodes.push(winnerBanner(top, top.length > 1));
  }
  if (result.scores) nodes.push(tallyFigure("Points per option (Borda count)", result.scores, options, csv, "points"));
  if (result.tally) {
    const caption = result.scores ? "First preferences" : result.rounds ? "Final round" : "Votes per option";
    nodes.push(tallyFigure(caption, result.tally, options, csv, result.rounds ? "final round" : "tally"));
  }
  if (Array.isArray(result.rounds)) nodes.push(roundsTable(result.rounds, options, csv));
  return { nodes, csv };
}
