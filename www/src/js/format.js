// Numbers, counts and times as people read them: thousands separators and
// dates in the browser's locale (Intl), the local time zone written out,
// and "1 answer" / "2 answers".

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
    };
  return made;
}

/** `1234567.5` → "1,234,567.5" (in the browser's locale). */
export function num(n) {
  return typeof n === "number" && Number.isFinite(n) ? formats().numbers.format(n) : String(n);
}

/** `count(1, "answer")` → "1 answer"; `count(3, "answer")` → "3 answers". */
export function count(n, one, many = `${one}s`) {
  return `${num(n)} ${n === 1 ? one : many}`;
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
