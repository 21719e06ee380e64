// Builder of a survey schema: a list of questions, each with its answer
// type and the type's settings. Ids are q1, q2, … in creation order, so
// answers read `{"q1": 42, "q2": "red"}`.

import { h, field, announce } from "../dom.js";
import { lines, intOf, numberOf, select, showIf } from "./inputs.js";

const TYPES = [
  ["number", "Number"],
  ["choice", "One choice"],
  ["multi", "Several choices"],
  ["rating", "Rating"],
  ["yesno", "Yes or no"],
];

function questionEditor(id, preset, actions) {
  const text = h("input", {
    type: "text",
    maxlength: 200,
    value: preset.text ?? "",
    dataset: { role: "question-text" },
  });
  const type = select(TYPES, preset.type ?? "number");
  const optional = h("input", { type: "checkbox", checked: Boolean(preset.optional) });
  const min = h("input", { type: "number", step: "any", value: String(preset.min ?? 0) });
  const max = h("input", { type: "number", step: "any", value: String(preset.max ?? 100) });
  const decimals = h("input", { type: "number", min: 0, max: 6, step: 1, value: String(preset.decimals ?? 0) });
  const buckets = h("input", {
    type: "text",
    placeholder: "e.g. 0, 25, 50, 75",
    inputmode: "decimal",
    value: preset.buckets?.join(", "),
  });
  const options = h("textarea", { rows: 3 }, (preset.options ?? ["red", "green", "blue"]).join("\n"));
  const maxSel = h("input", { type: "number", min: 1, step: 1, placeholder: "no limit", value: preset.max_selections });
  const scale = h("input", { type: "number", min: 2, max: 100, step: 1, value: String(preset.scale ?? 5) });

  const numberFields = h(
    "div",
    { class: "row" },
    field("Lowest", min),
    field("Highest", max),
    field("Decimals", decimals),
    field("Histogram bucket edges (optional)", buckets, "Comma-separated, within the range."),
  );
  const optionFields = field("Options, one per line", options);
  const multiFields = field("Most options one person may tick", maxSel);
  const ratingFields = field("Scale (1 to …)", scale);
  const sync = () => {
    showIf(numberFields, type.value === "number");
    showIf(optionFields, type.value === "choice" || type.value === "multi");
    showIf(multiFields, type.value === "multi");
    showIf(ratingFields, type.value === "rating");
  };
  type.addEventListener("change", sync);
  sync();

  const element = h(
    "div",
    { class: "builder-item", dataset: { question: id } },
    h(
      "div",
      { class: "row" },
      h("strong", {}, `Question ${id}`),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          { type: "button", class: "small", "aria-label": `Move question ${id} up`, onclick: () => actions.move(-1) },
          "↑",
        ),
        h(
          "button",
          { type: "button", class: "small", "aria-label": `Move question ${id} down`, onclick: () => actions.move(1) },
          "↓",
        ),
        h(
          "button",
          { type: "button", class: "small danger", "aria-label": `Remove question ${id}`, onclick: actions.remove },
          "Remove",
        ),
      ),
    ),
    field("Question", text),
    field("Answer type", type),
    numberFields,
    optionFields,
    multiFields,
    ratingFields,
    h("label", { class: "choice" }, optional, "Optional: people may skip it"),
  );

  const read = () => {
    const q = { id, text: text.value.trim(), answer: { type: type.value } };
    if (optional.checked) q.optional = true;
    if (type.value === "number") {
      const d = Math.max(0, intOf(decimals, 0));
      const unit = 10 ** d;
      q.answer.min = Math.round(numberOf(min, 0) * unit);
      q.answer.max = Math.round(numberOf(max, 100) * unit);
      if (d) q.answer.decimals = d;
      const edges = buckets.value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => Math.round(Number(s) * unit));
      if (edges.length) q.answer.buckets = edges;
    } else if (type.value === "choice" || type.value === "multi") {
      q.answer.options = lines(options);
      const k = intOf(maxSel, null);
      if (type.value === "multi" && k) q.answer.max_selections = k;
    } else if (type.value === "rating") {
      q.answer.scale = intOf(scale, 5);
    }
    return q;
  };
  const errors = () => {
    const out = [];
    if (!text.value.trim()) out.push([text, `Write question ${id}.`]);
    if (type.value === "number") {
      const lo = Number(min.value);
      const hi = Number(max.value);
      const d = Number(decimals.value || 0);
      if (min.value.trim() === "" || !Number.isFinite(lo)) out.push([min, "Enter the lowest answer allowed."]);
      if (max.value.trim() === "" || !Number.isFinite(hi)) out.push([max, "Enter the highest answer allowed."]);
      else if (Number.isFinite(lo) && hi <= lo) out.push([max, "The highest answer must be above the lowest."]);
      if (!Number.isInteger(d) || d < 0 || d > 6) out.push([decimals, "Decimals: a whole number from 0 to 6."]);
      const edges = buckets.value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
        .map(Number);
      if (edges.some((e) => !Number.isFinite(e)))
        out.push([buckets, "Bucket edges are numbers separated by commas, like 0, 25, 50."]);
      else if (edges.some((e, i) => i > 0 && e <= edges[i - 1]))
        out.push([buckets, "List the bucket edges from smallest to largest."]);
      else if (edges.some((e) => e < lo || e > hi))
        out.push([buckets, `Bucket edges must lie between the lowest (${lo}) and highest (${hi}) answers.`]);
    } else if (type.value === "choice" || type.value === "multi") {
      const opts = lines(options);
      if (opts.length < 2) out.push([options, "Give at least two options, one per line."]);
      else if (opts.length > 64) out.push([options, `At most 64 options; there are ${opts.length}.`]);
      if (new Set(opts).size !== opts.length) out.push([options, "Each option must be listed once."]);
      if (opts.some((o) => [...o].length > 64)) out.push([options, "Options are at most 64 characters."]);
    } else if (type.value === "rating") {
      const k = Number(scale.value);
      if (!Number.isInteger(k) || k < 2 || k > 100) out.push([scale, "The scale is a whole number from 2 to 100."]);
    }
    return out;
  };
  return { element, read, errors, focus: () => text.focus() };
}

export function surveyBuilder() {
  const list = h("div", { class: "questions-editor" });
  const editors = [];
  let next = 1;
  const element = h(
    "div",
    { class: "stack" },
    h(
      "p",
      { class: "small muted" },
      "Question types: numbers, one choice, several choices, ratings, yes or no. There is no free-text question: free text cannot be added up without someone reading it.",
    ),
    list,
  );
  const changed = () => element.dispatchEvent(new Event("input", { bubbles: true }));

  const add = (preset = {}) => {
    const id = `q${next++}`;
    const editor = questionEditor(id, preset, {
      remove: () => {
        if (editors.length === 1) {
          announce("A survey needs at least one question.");
          return;
        }
        editors.splice(editors.indexOf(editor), 1);
        editor.element.remove();
        announce(`Question ${id} removed.`);
        changed();
      },
      move: (delta) => {
        const at = editors.indexOf(editor);
        const to = at + delta;
        if (to < 0 || to >= editors.length) return;
        editors.splice(at, 1);
        editors.splice(to, 0, editor);
        list.replaceChildren(...editors.map((e) => e.element));
        announce(`Question ${id} moved to position ${to + 1}.`);
        changed();
      },
    });
    editors.push(editor);
    list.append(editor.element);
    return editor;
  };
  add({ text: "How many hours a week do you spend on it?", type: "number", min: 0, max: 80 });
  add({ text: "Which colour should the new logo be?", type: "choice" });
  element.append(
    h(
      "div",
      { class: "button-row" },
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            add({ text: "" }).focus();
            changed();
          },
        },
        "Add a question",
      ),
    ),
  );
  /** Replaces the questions with those of a schema (duplicating a session); ids restart at q1. */
  const load = (schema) => {
    editors.splice(0);
    list.replaceChildren();
    next = 1;
    for (const q of schema.questions) {
      const a = q.answer;
      const unit = 10 ** (a.decimals ?? 0);
      add({
        text: q.text,
        type: a.type,
        optional: q.optional,
        ...(a.type === "number"
          ? {
              min: a.min / unit,
              max: a.max / unit,
              decimals: a.decimals ?? 0,
              buckets: a.buckets?.map((b) => b / unit),
            }
          : {}),
        ...(a.options ? { options: a.options } : {}),
        ...(a.max_selections ? { max_selections: a.max_selections } : {}),
        ...(a.scale ? { scale: a.scale } : {}),
      });
    }
  };
  return {
    element,
    load,
    errors: () => editors.flatMap((e) => e.errors()),
    read: () => ({ questions: editors.map((e) => e.read()) }),
  };
}
