// The participant's form for a vote, survey or budget schema (docs/apps.md),
// used by the participate page, the builder's live preview and the
// embeddable widget. `read()` returns the answer JSON the package expects.

import { h, uid, announce } from "./dom.js";
import { t } from "./i18n/index.js";
import { num } from "./format.js";

const METHODS = new Set(["plurality", "approval", "score", "borda", "irv"]);

function radios(name, items, { inline = false } = {}) {
  return h(
    "div",
    { class: inline ? "choices inline" : "choices" },
    items.map(({ label, value }) => h("label", { class: "choice" }, h("input", { type: "radio", name, value }), label)),
  );
}

function checkboxes(name, options) {
  return h(
    "div",
    { class: "choices" },
    options.map((o) => h("label", { class: "choice" }, h("input", { type: "checkbox", name, value: o }), o)),
  );
}

function checkedValues(root, name) {
  return Array.from(root.querySelectorAll(`input[name="${CSS.escape(name)}"]:checked`), (i) => i.value);
}

function group(legend, hint, ...controls) {
  const hintEl = hint ? h("p", { class: "hint small muted", id: uid("hint") }, hint) : null;
  const fs = h("fieldset", {}, h("legend", {}, legend), hintEl, controls);
  if (hintEl) fs.setAttribute("aria-describedby", hintEl.id);
  return fs;
}

/** A reorderable list operated with buttons (keyboard and screen-reader friendly, no drag and drop needed). */
function rankingList(options, onChange) {
  const list = h("ol", { class: "ranking" });
  const move = (li, delta) => {
    const items = Array.from(list.children);
    const at = items.indexOf(li);
    const to = at + delta;
    if (to < 0 || to >= items.length) return;
    if (delta < 0) list.insertBefore(li, items[to]);
    else list.insertBefore(li, items[to].nextSibling);
    li.querySelector(delta < 0 ? "button.up" : "button.down")?.focus();
    announce(`${li.dataset.option} moved to position ${to + 1} of ${items.length}`);
    onChange?.();
  };
  for (const o of options) {
    const li = h("li", { dataset: { option: o } }, h("span", { class: "label" }, o));
    li.append(
      h(
        "button",
        { type: "button", class: "small up", "aria-label": t("form.moveUp", { o }), onclick: () => move(li, -1) },
        "↑",
      ),
      h(
        "button",
        { type: "button", class: "small down", "aria-label": t("form.moveDown", { o }), onclick: () => move(li, 1) },
        "↓",
      ),
    );
    list.append(li);
  }
  return list;
}

function voteForm(schema, prefix, onChange) {
  const { method, options } = schema;
  let hint = METHODS.has(method) ? t(`form.prompt.${method}`) : "";
  if (method === "approval" && schema.max_approvals) hint += t("form.atMost", { n: schema.max_approvals });
  const name = `${prefix}-vote`;
  if (method === "plurality") {
    const el = group(
      t("form.yourChoice"),
      hint,
      radios(
        name,
        options.map((o) => ({ label: o, value: o })),
      ),
    );
    return {
      element: el,
      read: () => {
        const [choice] = checkedValues(el, name);
        return choice === undefined ? {} : { choice };
      },
    };
  }
  if (method === "approval") {
    const el = group(t("form.approve"), hint, checkboxes(name, options));
    return { element: el, read: () => ({ approve: checkedValues(el, name) }) };
  }
  if (method === "score") {
    const max = schema.max_score ?? 5;
    const inputs = options.map((o) => {
      const input = h("input", {
        type: "number",
        min: 0,
        max,
        step: 1,
        inputmode: "numeric",
        value: "0",
        id: uid(prefix),
      });
      return { o, input, row: h("div", { class: "field field-inline" }, h("label", { for: input.id }, o), input) };
    });
    const el = group(
      t("form.scores"),
      t("form.scoreRange", { hint, max }),
      inputs.map((i) => i.row),
    );
    return {
      element: el,
      read: () => ({
        scores: Object.fromEntries(inputs.map(({ o, input }) => [o, input.value === "" ? 0 : Number(input.value)])),
      }),
    };
  }
  // borda, irv
  const list = rankingList(options, onChange);
  const el = group(t("form.yourRanking"), hint, list);
  return { element: el, read: () => ({ ranking: Array.from(list.children, (li) => li.dataset.option) }) };
}

function numberQuestion(q, id) {
  const { min, max, decimals = 0 } = q.answer;
  const scale = 10 ** decimals;
  const lo = min / scale;
  const hi = max / scale;
  const input = h("input", {
    type: "number",
    id,
    min: lo,
    max: hi,
    step: decimals ? 1 / scale : 1,
    inputmode: decimals ? "decimal" : "numeric",
  });
  const hint = t("form.numberHint", { lo: num(lo), hi: num(hi), decimals });
  const hintEl = h("span", { class: "hint", id: uid("hint") }, hint);
  input.setAttribute("aria-describedby", hintEl.id);
  if (!q.optional) input.required = true;
  const el = h(
    "div",
    { class: "field question", dataset: { question: q.id } },
    h("label", { for: id }, q.text, q.optional ? h("span", { class: "hint" }, t("form.optional")) : null),
    input,
    hintEl,
  );
  return { element: el, read: () => (input.value === "" ? undefined : Number(input.value)) };
}

/**
 * The question's description (the organizer's words, line breaks kept)
 * under its label or legend, and in the accessible description of its
 * input or group before the hint.
 */
function described(q, part) {
  if (!q.description) return part;
  const desc = h("p", { class: "description question-description", id: uid("qdesc"), dir: "auto" }, q.description);
  const el = part.element;
  el.querySelector(":scope > legend, :scope > label")?.after(desc);
  const target = el.tagName === "FIELDSET" ? el : el.querySelector("input");
  const rest = target?.getAttribute("aria-describedby");
  target?.setAttribute("aria-describedby", rest ? `${desc.id} ${rest}` : desc.id);
  return part;
}

function surveyQuestion(q, prefix) {
  const id = `${prefix}-${q.id}`;
  const a = q.answer;
  const legend = [q.text, q.optional ? h("span", { class: "hint" }, t("form.optional")) : null];
  const wrap = (el) => {
    el.classList.add("question");
    el.dataset.question = q.id;
    return el;
  };
  switch (a.type) {
    case "number":
      return numberQuestion(q, id);
    case "choice": {
      const el = wrap(
        group(
          legend,
          null,
          radios(
            id,
            a.options.map((o) => ({ label: o, value: o })),
          ),
        ),
      );
      return { element: el, read: () => checkedValues(el, id)[0] };
    }
    case "multi": {
      const hint = a.max_selections ? t("form.tickUpTo", { n: a.max_selections }) : t("form.tickAll");
      const el = wrap(group(legend, hint, checkboxes(id, a.options)));
      return {
        element: el,
        read: () => {
          const v = checkedValues(el, id);
          return v.length || !q.optional ? v : undefined;
        },
      };
    }
    case "rating": {
      const items = Array.from({ length: a.scale }, (_, i) => ({ label: String(i + 1), value: String(i + 1) }));
      const el = wrap(group(legend, t("form.ratingHint", { scale: a.scale }), radios(id, items, { inline: true })));
      return {
        element: el,
        read: () => {
          const v = checkedValues(el, id)[0];
          return v === undefined ? undefined : Number(v);
        },
      };
    }
    case "yesno": {
      const el = wrap(
        group(
          legend,
          null,
          radios(
            id,
            [
              { label: t("form.yes"), value: "yes" },
              { label: t("form.no"), value: "no" },
            ],
            { inline: true },
          ),
        ),
      );
      return {
        element: el,
        read: () => {
          const v = checkedValues(el, id)[0];
          return v === undefined ? undefined : v === "yes";
        },
      };
    }
    default:
      return { element: h("p", {}, t("form.unsupported", { type: a.type })), read: () => undefined };
  }
}

function surveyForm(schema, prefix) {
  const parts = schema.questions.map((q) => ({ id: q.id, ...described(q, surveyQuestion(q, prefix)) }));
  return {
    element: h(
      "div",
      { class: "questions" },
      parts.map((p) => p.element),
    ),
    read: () => {
      const answer = {};
      for (const p of parts) {
        const v = p.read();
        if (v !== undefined) answer[p.id] = v;
      }
      return answer;
    },
  };
}

function budgetForm(schema, prefix) {
  const { total, projects } = schema;
  const status = h("p", { class: "budget-total", "aria-live": "polite" });
  const inputs = projects.map((p) => {
    const input = h("input", {
      type: "number",
      min: 0,
      max: total,
      step: 1,
      inputmode: "numeric",
      value: "",
      placeholder: "0",
      id: uid(prefix),
    });
    return { p, input, row: h("div", { class: "field field-inline" }, h("label", { for: input.id }, p), input) };
  });
  const amounts = () => inputs.map(({ input }) => (input.value === "" ? 0 : Number(input.value)));
  const update = () => {
    const sum = amounts().reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const left = total - sum;
    status.textContent =
      left === 0
        ? t("form.allAllocated", { total: num(total) })
        : left > 0
          ? t("form.leftToAllocate", { sum: num(sum), total: num(total), left: num(left) })
          : t("form.tooMany", { sum: num(sum), total: num(total), over: num(-left) });
    status.className = `budget-total ${left === 0 ? "exact" : left < 0 ? "over" : ""}`;
  };
  const el = group(
    t("form.split", { total: num(total) }),
    t("form.splitHint"),
    inputs.map((i) => i.row),
    status,
  );
  el.addEventListener("input", update);
  update();
  return { element: el, read: () => Object.fromEntries(inputs.map(({ p }, i) => [p, amounts()[i]])) };
}

/**
 * The form fields for `kind` (`vote`, `survey`, `budget`) and `schema`.
 * `onChange` hears every edit. Returns `{element, read}`.
 * @param {string} kind
 * @param {object} schema
 * @param {{prefix?: string, onChange?: (event: Event) => void}} [options]
 */
export function answerForm(kind, schema, { prefix = uid("form"), onChange } = {}) {
  const form =
    kind === "vote"
      ? voteForm(schema, prefix, onChange)
      : kind === "survey"
        ? surveyForm(schema, prefix)
        : budgetForm(schema, prefix);
  if (onChange) {
    form.element.addEventListener("input", onChange);
    form.element.addEventListener("change", onChange);
  }
  return form;
}
