// Results of a budget: the average split as one allocation bar, and each
// project's mean and median.

import { barChart, allocationBar } from "../charts.js";
import { chartFigure, dataTable } from "./common.js";

/** Nodes and CSV rows for a budget result. */
export function renderBudget(schema, result) {
  const csv = [["rank", "project", "mean", "median"]];
  const ranking = result.ranking ?? Object.keys(result.projects ?? {});
  const projects = result.projects ?? {};
  ranking.forEach((p, i) => csv.push([i + 1, p, projects[p]?.mean, projects[p]?.median ?? ""]));
  const hasMedian = ranking.some((p) => projects[p]?.median !== undefined);
  const headers = ["Project", "Rank", "Mean", ...(hasMedian ? ["Median"] : [])];
  const rows = ranking.map((p, i) => [p, i + 1, projects[p]?.mean, ...(hasMedian ? [projects[p]?.median] : [])]);
  const table = dataTable("Allocation per project", headers, rows);
  const order = schema.projects.filter((p) => p in projects);
  const nodes = [
    chartFigure(
      `Average split of ${schema.total}`,
      allocationBar(
        order.map((p) => ({ label: p, value: projects[p].mean })),
        { label: "Average split as one bar; the table lists the values", total: schema.total },
      ),
      table,
    ),
    chartFigure(
      "Mean allocation, highest first",
      barChart(
        ranking.map((p, i) => ({ label: p, value: projects[p].mean, strong: i === 0 })),
        { label: "Mean allocation per project: bar chart", max: schema.total },
      ),
      dataTable(
        "Mean allocation",
        ["Project", "Mean"],
        ranking.map((p) => [p, projects[p].mean]),
      ),
    ),
  ];
  return { nodes, csv };
}
