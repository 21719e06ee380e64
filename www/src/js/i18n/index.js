// The web app's words: one catalog per language (en.js, es.js), the
// language chosen from the browser's (navigator.languages) unless the
// person picked one with the switch (remembered in localStorage), and
// `t(key, params)` to read a string. English is in the entry bundle (and
// is the fallback for a key a catalog lacks); another catalog is its own
// chunk, loaded (with integrity, js/verified.js) only when chosen.

import { h } from "../dom.js";
import { verifiedImport } from "../verified.js";
import { num } from "../format.js";
import en from "./en.js";

/** The languages there are catalogs for, by BCP 47 code, named in themselves. */
export const LANGUAGES = { en: "English", es: "Español" };
const STORED = "sotto.language.v1";

/** @type {Record<string, string | ((p: any) => string)>} */
let catalog = en;
let current = "en";

/**
 * The language to show: the one picked with the switch, else `preferred`
 * (the widget's host page language) when there is a catalog for it, else
 * the browser's first supported one, else English.
 */
export function chosenLanguage(preferred = null) {
  let picked = null;
  try {
    picked = localStorage.getItem(STORED);
  } catch {
    /* storage blocked: follow the browser */
  }
  if (picked && picked in LANGUAGES) return picked;
  if (preferred && preferred in LANGUAGES) return preferred;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

/**
 * Loads the chosen language's catalog (call before rendering) and sets
 * `<html lang>`. `preferred`: see `chosenLanguage`;
 * the widget passes `setDocument: false` (the host page's `<html>` is not its own).
 */
export async function loadLanguage({ preferred = null, setDocument = true } = {}) {
  current = chosenLanguage(preferred);
  if (current === "es") {
    const es = await verifiedImport("js/i18n/es.js", () => import("./es.js"));
    catalog = { ...en, ...es.default };
  } else {
    catalog = en;
  }
  if (setDocument) document.documentElement.lang = current;
}

/** The language shown now. */
export function language() {
  return current;
}

/**
 * The locale `Intl` formats with: the browser's first preferred locale in
 * the language shown (keeping its region: en-GB dates stay en-GB), else
 * the language itself.
 */
export function locale() {
  const own = (navigator.languages ?? [navigator.language]).find(
    (tag) => String(tag).toLowerCase().split("-")[0] === current,
  );
  return own ?? current;
}

/**
 * The string for `key` in the current language; `params` fill a
 * function entry (counts, names). An unknown key is returned as it is, so
 * a missing string shows up in tests rather than as a blank.
 */
export function t(key, params = {}) {
  const v = catalog[key] ?? en[key];
  if (v === undefined) return key;
  return typeof v === "function" ? v(params, HELPERS) : v;
}

// What a catalog function gets besides its parameters: numbers written
// the language's way (js/format.js; it reads `locale()` only when called,
// so the two modules can import each other).
const HELPERS = { num };

/** The visible language switch: picking a language stores it and reloads the page in it. */
export function languageSwitch() {
  const select = h(
    "select",
    { id: "language", "aria-label": t("language.label") },
    Object.entries(LANGUAGES).map(([code, name]) =>
      h("option", { value: code, lang: code, selected: code === current }, name),
    ),
  );
  select.addEventListener("change", () => {
    try {
      localStorage.setItem(STORED, select.value);
    } catch {
      /* not remembered, but shown */
    }
    location.reload();
  });
  return select;
}
