// Tiny DOM helpers: build elements without innerHTML (no injection of
// session titles or option labels as markup), and announce changes to
// screen readers.

// The catalog reads `h` only when called, so the two modules can import each other.
import { t } from "./i18n/index.js";

const PROPS = new Set(["value", "checked", "selected", "indeterminate"]);
const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.setAttribute("class", value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (PROPS.has(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

/** Appends children: nodes, strings, numbers, arrays; null and false are skipped. */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** `h("p", {class: "x"}, "text", child)`: an HTML element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  return append(el, children);
}

/** `svg("rect", {x: 0, ...})`: an SVG element. */
export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  return append(el, children);
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let counter = 0;
/** A document-unique id with a readable prefix. */
export function uid(prefix = "id") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Says `message` through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A separate task, so repeated identical messages are read again.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** A labelled form field: `<div class=field><label>…</label>{control}<span class=hint>…</span></div>`. */
export function field(labelText, control, hint) {
  // A file picker (filePicker) is labelled through its input.
  const target = control.classList.contains("file-picker") ? control.querySelector("input") : control;
  if (!target.id) target.id = uid("f");
  const hintEl = hint ? h("span", { class: "hint", id: uid("hint") }, hint) : null;
  if (hintEl) target.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: target.id }, labelText), control, hintEl);
}

/**
 * A file chooser whose words come from the catalog: the browser's own
 * `<input type=file>` shows the browser's language ("Choose File", "No
 * file chosen"), so the input is visually hidden (still labelled, for
 * assistive technology and tests) and a button opens it, beside the
 * chosen file's name. Returns the wrapper; use the input as before.
 */
export function filePicker(input) {
  input.classList.add("visually-hidden");
  input.tabIndex = -1;
  const name = h("span", { class: "small muted file-name" }, t("file.none"));
  const button = h("button", { type: "button", class: "small", onclick: () => input.click() }, t("file.choose"));
  input.addEventListener("change", () => {
    name.textContent = input.files?.[0]?.name ?? t("file.none");
  });
  return h("span", { class: "file-picker" }, input, button, " ", name);
}

/** A button that copies `text()` to the clipboard, with feedback. */
export function copyButton(text, label = t("dom.copy")) {
  const button = h("button", { type: "button", class: "small" }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = t("dom.copied");
    } catch {
      button.textContent = t("dom.copyByHand");
    }
    announce(button.textContent);
    setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
  return button;
}

/** Shortens a long hex string for display: `1a2b3c…9f0e`. */
export function short(hex, n = 8) {
  return hex && hex.length > 2 * n ? `${hex.slice(0, n)}…${hex.slice(-4)}` : hex;
}

/**
 * Shows `message` at the field of `control`: the field is outlined, the
 * control is `aria-invalid` and described by the message. `tone` "warn"
 * marks a setting that is allowed but worth a second look.
 */
export function markField(control, message, tone = "error") {
  const box = control.closest(".field") ?? control.parentElement;
  const note = h("p", { class: `field-${tone}`, id: uid("field-note"), dataset: { fieldNote: tone } }, message);
  box.classList.add(tone === "error" ? "invalid" : "warned");
  box.append(note);
  if (tone === "error") control.setAttribute("aria-invalid", "true");
  const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
  control.setAttribute("aria-describedby", [...described, note.id].join(" "));
  return note;
}

/** Removes every note `markField` put inside `root`. */
export function clearFields(root) {
  for (const note of root.querySelectorAll("[data-field-note]")) {
    const box = note.parentElement;
    for (const control of box.querySelectorAll("[aria-describedby]")) {
      const rest = control
        .getAttribute("aria-describedby")
        .split(" ")
        .filter((id) => id && id !== note.id);
      if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
      else control.removeAttribute("aria-describedby");
      if (note.dataset.fieldNote === "error") control.removeAttribute("aria-invalid");
    }
    box.classList.remove("invalid", "warned");
    note.remove();
  }
}
