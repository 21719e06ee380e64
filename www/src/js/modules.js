// Which WebAssembly module a page loads: the participant's (pkg/participant,
// js/participant-module.js) where people answer or read a result, the
// organizer's (pkg/organizer, js/sotto.js) where an organizer works, the
// console's (pkg/console, js/console-module.js) where a committee member
// manages its key. The results page of a session this browser organizes
// loads the organizer's module, for the organizer's tools. One rule for
// the app's entry, which starts the download early (js/verified.js,
// `preloadWasm`), and for the pages that load it.

import { sessionOf } from "./link.js";
import { getSession } from "./store.js";

/**
 * The module the page `view` (js/link.js, `routeOf`) of `link` loads, or
 * null for none.
 * @param {string} view
 * @param {string} link
 * @returns {"participant" | "organizer" | "console" | null}
 */
export function moduleFor(view, link) {
  if (view === "participate") return "participant";
  if (view === "results") return getSession(sessionOf(link)) ? "organizer" : "participant";
  if (view === "console") return "console";
  return view === "bad-link" ? null : "organizer";
}
