// Results of a budget: the average split as one allocation bar, and each
// project's mean and median.

import { barChart, allocationBar } from "../charts.js";
import { chartFigure, dataTable } from "./common.js";
import { t } from "../i18n/index.js";

/** Nodes and CSV rows for a budget result. */
export function renderBudget(schema, result) {
  const csv = [["rank", "project", "mean", "median"]];
  const ranking = result.ranking ?? Object.keys(result.projects ?? {});
  const projects = result.projects ?? {};
  ranking.forEach((p, i) => csv.push([i + 1, p, projects[p]?.mean, projects[p]?.median ?? ""]));
  const hasMedian = ranking.some((p) => projects[p]?.median !== undefined);
  const headers = [t("chart.project"), t("chart.rank"), t("chart.mean"), ...(hasMedian ? [t("chart.median")] : [])];
  const rows = ranking.map((p, i) => [p, i + 1, projects[p]?.mean, ...(hasMedian ? [projects[p]?.median] : [])]);
  const table = dataTable(t("chart.allocation"), headers, rows);
  const order = schema.projects.filter((p) => p in projects);
  const nodes = [
    chartFigure(
      t("chart.averageSplit", { total: schema.total }),
      allocationBar(
        order.map((p) => ({ label: p, value: projects[p].mean })),
        { label: t("chart.averageSplitLabel"), total: schema.total },
      ),
      table,
    ),
    chartFigure(
      t("chart.meanAllocation"),
      barChart(
        ranking.map((p, i) => ({ label: p, value: projects[p].mean, strong: i === 0 })),
        { label: t("chart.meanAllocationLabel"), max: schema.total },
      ),
      dataTable(
        t("chart.meanAllocationTable"),
        [t("chart.project"), t("chart.mean")],
        ranking.map((p) => [p, projects[p].mean]),
      ),
    ),
  ];
  return { nodes, csv };
}
