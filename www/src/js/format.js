// Numbers and times as people read them: thousands separators and dates
// in the language shown (Intl), the local time zone written out. Plurals
// are in the catalogs (js/i18n).

import { locale } from "./i18n/index.js";

// Made on first use, in the language shown (js/i18n): the catalog is
// chosen before any page renders.
let made = null;
function formats() {
  const lang = locale();
  if (made?.lang !== lang)
    made = {
      lang,
      numbers: new Intl.NumberFormat(lang, { maximumFractionDigits: 6 }),
      dates: new Intl.DateTimeFormat(lang, {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZoneName: "short",
      }),
      times: new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
      minutes: new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }),
    };
  return made;
}

/** `1234567.5` → "1,234,567.5" (in the browser's locale). */
export function num(n) {
  return typeof n === "number" && Number.isFinite(n) ? formats().numbers.format(n) : String(n);
}

/** A date and time with the local time zone, from a `Date`, milliseconds or unix seconds (`{seconds: true}`). */
export function when(value, { seconds = false } = {}) {
  const d = value instanceof Date ? value : new Date(seconds ? value * 1000 : value);
  return formats().dates.format(d);
}

/** A time of day, e.g. "14:02:07", for "updated at" lines. */
export function clock(value = new Date()) {
  return formats().times.format(value);
}

/** A time of day to the minute from unix seconds, e.g. "14:02", for "since" lines. */
export function hm(seconds) {
  return formats().minutes.format(new Date(seconds * 1000));
}
