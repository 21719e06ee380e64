// Small input helpers shared by the builders.

import { h } from "../dom.js";

/** The trimmed, non-empty lines of a textarea. */
export function lines(textarea) {
  return textarea.value
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** An integer from a number input, or `fallback` when empty or not a number. */
export function intOf(input, fallback) {
  const v = input.value.trim();
  if (v === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n) : fallback;
}

/** A number from a number input, or `fallback`. */
export function numberOf(input, fallback) {
  const v = input.value.trim();
  if (v === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** A `<select>` from `[value, label]` pairs. */
export function select(pairs, value) {
  return h(
    "select",
    {},
    pairs.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

/** Shows `el` only when `visible`. */
export function showIf(el, visible) {
  el.hidden = !visible;
}
