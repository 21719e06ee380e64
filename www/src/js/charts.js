// Hand-written SVG charts: horizontal bars, a stacked allocation bar and a
// quartile box. No charting library: they are a few hundred bytes of
// markup each, need no external request, and we control their text
// alternatives. Colours come from CSS classes (styles.css), sizes from the
// viewBox, so the charts scale to any screen width.

import { svg, h } from "./dom.js";
import { t, locale } from "./i18n/index.js";

const WIDTH = 480;

/** A number for people: at most two decimals, digit grouping of the language shown. */
export function fmt(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value ?? "");
  return value.toLocaleString(locale(), { maximumFractionDigits: 2 });
}

function clip(text, max = 48) {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function frame(height, label) {
  return svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    role: "img",
    "aria-label": label,
    focusable: "false",
    preserveAspectRatio: "xMinYMin meet",
  });
}

/**
 * Horizontal bars, one row per item: `{label, value, display?, strong?}`.
 * A non-numeric value (e.g. "suppressed") is written instead of a bar.
 * @param {Array<{label: string, value: number | string, display?: string, strong?: boolean}>} items
 * @param {{label?: string, max?: number}} [options] the chart's accessible name; the scale's least maximum
 */
export function barChart(items, { label, max } = {}) {
  const ROW = 42;
  const top = Math.max(1, max ?? 0, ...items.map((i) => (typeof i.value === "number" ? i.value : 0)));
  const barMax = WIDTH - 72;
  const root = frame(items.length * ROW + 4, label);
  items.forEach((item, i) => {
    const y = i * ROW;
    const g = svg("g", {}, svg("title", {}, `${item.label}: ${item.display ?? fmt(item.value)}`));
    g.append(svg("text", { x: 0, y: y + 15, class: "label" }, clip(item.label)));
    if (typeof item.value === "number") {
      const v = Math.max(0, item.value);
      const w = v > 0 ? Math.max(2, (v / top) * barMax) : 0;
      g.append(
        svg("rect", { x: 0, y: y + 21, width: barMax, height: 15, rx: 2, class: "bar-bg" }),
        svg("rect", {
          x: 0,
          y: y + 21,
          width: w.toFixed(1),
          height: 15,
          rx: 2,
          class: item.strong ? "bar winner" : "bar",
        }),
        svg("text", { x: WIDTH, y: y + 33, "text-anchor": "end", class: "value" }, item.display ?? fmt(v)),
      );
    } else {
      g.append(svg("text", { x: 0, y: y + 33, class: "suppressed" }, String(item.value)));
    }
    root.append(g);
  });
  return root;
}

/**
 * One bar split between `items` ({label, value}) in proportion, with a legend.
 * @param {Array<{label: string, value: number}>} items
 * @param {{label?: string, total?: number}} [options] the chart's accessible name; the whole (default: the sum)
 */
export function allocationBar(items, { label, total } = {}) {
  const sum = total ?? items.reduce((a, i) => a + Math.max(0, i.value), 0);
  const root = frame(36, label);
  let x = 0;
  items.forEach((item, i) => {
    const w = sum > 0 ? (Math.max(0, item.value) / sum) * WIDTH : 0;
    root.append(
      svg(
        "rect",
        { x: x.toFixed(1), y: 4, width: w.toFixed(1), height: 28, class: `series-${i % 8}` },
        svg("title", {}, `${item.label}: ${fmt(item.value)}`),
      ),
    );
    x += w;
  });
  const legend = h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    items.map((item, i) =>
      h(
        "li",
        {},
        svg(
          "svg",
          { viewBox: "0 0 10 10", focusable: "false" },
          svg("rect", { width: 10, height: 10, class: `series-${i % 8}` }),
        ),
        `${item.label} ${fmt(item.value)}`,
      ),
    ),
  );
  return h("div", {}, root, legend);
}

/**
 * The axis of a quartile chart: the question's whole scale, unless the
 * answers sit in a small part of it (a box under a fifth of the scale would
 * be a speck), then a window around them with a margin.
 */
export function quartileAxis({ min, max, quartiles, mean }) {
  const lo = Math.min(quartiles[0], mean ?? quartiles[0]);
  const hi = Math.max(quartiles[2], mean ?? quartiles[2]);
  const span = max - min || 1;
  if (hi - lo >= span / 5) return { min, max, zoomed: false };
  const margin = Math.max((hi - lo) * 0.6, span / 100);
  return { min: Math.max(min, lo - margin), max: Math.min(max, hi + margin), zoomed: true };
}

/**
 * Quartiles on the question's scale: a box from the first to the third
 * quartile, the median as a bar and the mean as a diamond.
 * @param {{min: number, max: number, quartiles: number[], mean?: number}} scale
 * @param {{label?: string}} [options] the chart's accessible name
 */
export function quartileChart({ min: scaleMin, max: scaleMax, quartiles, mean }, { label } = {}) {
  const [q1, median, q3] = quartiles;
  const { min, max } = quartileAxis({ min: scaleMin, max: scaleMax, quartiles, mean });
  const pad = 32;
  const span = max - min || 1;
  const x = (v) => pad + ((v - min) / span) * (WIDTH - 2 * pad);
  const root = frame(96, label);
  const ticks = [min, min + span / 4, min + span / 2, min + (3 * span) / 4, max];
  root.append(svg("line", { x1: pad, x2: WIDTH - pad, y1: 66, y2: 66, class: "axis" }));
  for (const t of ticks) {
    root.append(
      svg("line", { x1: x(t), x2: x(t), y1: 62, y2: 70, class: "axis" }),
      svg("text", { x: x(t), y: 86, "text-anchor": "middle", class: "tick" }, fmt(t)),
    );
  }
  root.append(
    svg(
      "rect",
      { x: x(q1), y: 22, width: Math.max(2, x(q3) - x(q1)), height: 32, class: "box" },
      svg("title", {}, t("chart.middleHalf", { q1: fmt(q1), q3: fmt(q3) })),
    ),
    svg(
      "line",
      { x1: x(median), x2: x(median), y1: 16, y2: 60, class: "median" },
      svg("title", {}, t("chart.medianTitle", { median: fmt(median) })),
    ),
    svg(
      "text",
      { x: x(median), y: 12, "text-anchor": "middle", class: "value" },
      t("chart.medianMark", { median: fmt(median) }),
    ),
  );
  if (typeof mean === "number") {
    const m = x(mean);
    root.append(
      svg(
        "path",
        { d: `M${m} 31 l7 7 l-7 7 l-7 -7 z`, class: "mean" },
        svg("title", {}, t("chart.meanTitle", { mean: fmt(mean) })),
      ),
    );
  }
  return root;
}
