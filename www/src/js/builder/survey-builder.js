// Builder of a survey schema: a list of questions, each with its answer
// type and the type's settings. Ids are q1, q2, … in creation order, so
// answers read `{"q1": 42, "q2": "red"}`.

import { h, field, announce } from "../dom.js";
import { lines, intOf, numberOf, select, showIf } from "./inputs.js";
import { t } from "../i18n/index.js";

const TYPES = ["number", "choice", "multi", "rating", "yesno"];

/** The manifest's limit on a question's description (crate/core, MAX_QUESTION_DESCRIPTION_CHARS). */
const MAX_QUESTION_DESCRIPTION = 500;

function questionEditor(id, preset, actions) {
  const text = h("input", {
    type: "text",
    maxlength: 200,
    value: preset.text ?? "",
    dataset: { role: "question-text" },
  });
  const description = h("textarea", { rows: 2, dataset: { role: "question-description" } }, preset.description ?? "");
  // As the manifest takes it: line breaks as \n, tabs as spaces, trimmed.
  const descriptionText = () => description.value.replace(/\r\n?/g, "\n").replace(/\t/g, " ").trim();
  const type = select(
    TYPES.map((v) => [v, t(`survey.type.${v}`)]),
    preset.type ?? "number",
  );
  const optional = h("input", { type: "checkbox", checked: Boolean(preset.optional) });
  const min = h("input", { type: "number", step: "any", value: String(preset.min ?? 0) });
  const max = h("input", { type: "number", step: "any", value: String(preset.max ?? 100) });
  const decimals = h("input", { type: "number", min: 0, max: 6, step: 1, value: String(preset.decimals ?? 0) });
  const buckets = h("input", {
    type: "text",
    placeholder: t("survey.bucketsPlaceholder"),
    inputmode: "decimal",
    value: preset.buckets?.join(", "),
  });
  const options = h("textarea", { rows: 3 }, (preset.options ?? t("survey.sampleOptions").split(",")).join("\n"));
  const maxSel = h("input", {
    type: "number",
    min: 1,
    step: 1,
    placeholder: t("survey.noLimit"),
    value: preset.max_selections,
  });
  const scale = h("input", { type: "number", min: 2, max: 100, step: 1, value: String(preset.scale ?? 5) });

  const numberFields = h(
    "div",
    { class: "row" },
    field(t("survey.lowest"), min),
    field(t("survey.highest"), max),
    field(t("survey.decimals"), decimals),
    field(t("survey.buckets"), buckets, t("survey.bucketsHint")),
  );
  const optionFields = field(t("survey.options"), options);
  const multiFields = field(t("survey.maxSel"), maxSel);
  const ratingFields = field(t("survey.scale"), scale);
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
      h("strong", {}, t("survey.question", { id })),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          { type: "button", class: "small", "aria-label": t("survey.up", { id }), onclick: () => actions.move(-1) },
          "↑",
        ),
        h(
          "button",
          { type: "button", class: "small", "aria-label": t("survey.down", { id }), onclick: () => actions.move(1) },
          "↓",
        ),
        h(
          "button",
          { type: "button", class: "small danger", "aria-label": t("survey.remove", { id }), onclick: actions.remove },
          t("survey.removeButton"),
        ),
      ),
    ),
    field(t("survey.text"), text),
    field(t("survey.description"), description, t("survey.descriptionHint", { max: MAX_QUESTION_DESCRIPTION })),
    field(t("survey.type"), type),
    numberFields,
    optionFields,
    multiFields,
    ratingFields,
    h("label", { class: "choice" }, optional, t("survey.optional")),
  );

  const read = () => {
    const q = { id, text: text.value.trim(), answer: { type: type.value } };
    if (descriptionText()) q.description = descriptionText();
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
    if (!text.value.trim()) out.push([text, t("survey.err.text", { id })]);
    const long = [...descriptionText()].length;
    if (long > MAX_QUESTION_DESCRIPTION)
      out.push([description, t("create.err.description", { max: MAX_QUESTION_DESCRIPTION, long })]);
    if (type.value === "number") {
      const lo = Number(min.value);
      const hi = Number(max.value);
      const d = Number(decimals.value || 0);
      if (min.value.trim() === "" || !Number.isFinite(lo)) out.push([min, t("survey.err.min")]);
      if (max.value.trim() === "" || !Number.isFinite(hi)) out.push([max, t("survey.err.max")]);
      else if (Number.isFinite(lo) && hi <= lo) out.push([max, t("survey.err.order")]);
      if (!Number.isInteger(d) || d < 0 || d > 6) out.push([decimals, t("survey.err.decimals")]);
      const edges = buckets.value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
        .map(Number);
      if (edges.some((e) => !Number.isFinite(e))) out.push([buckets, t("survey.err.buckets")]);
      else if (edges.some((e, i) => i > 0 && e <= edges[i - 1])) out.push([buckets, t("survey.err.bucketOrder")]);
      else if (edges.some((e) => e < lo || e > hi)) out.push([buckets, t("survey.err.bucketRange", { lo, hi })]);
    } else if (type.value === "choice" || type.value === "multi") {
      const opts = lines(options);
      if (opts.length < 2) out.push([options, t("survey.err.twoOptions")]);
      else if (opts.length > 64) out.push([options, t("builder.err.manyOptions", { n: opts.length })]);
      if (new Set(opts).size !== opts.length) out.push([options, t("survey.err.optionTwice")]);
      if (opts.some((o) => [...o].length > 64)) out.push([options, t("survey.err.optionLong")]);
    } else if (type.value === "rating") {
      const k = Number(scale.value);
      if (!Number.isInteger(k) || k < 2 || k > 100) out.push([scale, t("survey.err.scale")]);
    }
    return out;
  };
  return { element, read, errors, focus: () => text.focus(), control: text };
}

export function surveyBuilder() {
  const list = h("div", { class: "questions-editor" });
  const editors = [];
  let next = 1;
  const element = h("div", { class: "stack" }, h("p", { class: "small muted" }, t("survey.types")), list);
  const changed = () => element.dispatchEvent(new Event("input", { bubbles: true }));

  const add = (preset = {}) => {
    const id = `q${next++}`;
    const editor = questionEditor(id, preset, {
      remove: () => {
        if (editors.length === 1) {
          announce(t("survey.needOne"));
          return;
        }
        editors.splice(editors.indexOf(editor), 1);
        editor.element.remove();
        announce(t("survey.removed", { id }));
        changed();
      },
      move: (delta) => {
        const at = editors.indexOf(editor);
        const to = at + delta;
        if (to < 0 || to >= editors.length) return;
        editors.splice(at, 1);
        editors.splice(to, 0, editor);
        list.replaceChildren(...editors.map((e) => e.element));
        announce(t("survey.moved", { id, to: to + 1 }));
        changed();
      },
    });
    editors.push(editor);
    list.append(editor.element);
    return editor;
  };
  add({ text: t("survey.sample1"), type: "number", min: 0, max: 80 });
  add({ text: t("survey.sample2"), type: "choice" });
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
        t("survey.add"),
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
        description: q.description,
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
    /** The control a note about question `i` (in order) goes to. */
    sizeControl: (i) => editors[i]?.control,
  };
}
