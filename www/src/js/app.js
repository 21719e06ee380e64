// Entry point of the web app. Every invite link points at the site root;
// the URL fragment (never sent to the server) says which page to show:
//
//   (none)                     start page: create a session
//   #console                   committee console (keys)
//   #…&r=participant           participate
//   #…&r=member                committee console joined to a session
//   #…&r=organizer             results (the read link)
//   #manage=<session>          the organizer's page of a session

import { h, replace } from "./dom.js";
import { routeOf } from "./link.js";
import { errorNotice } from "./errors.js";
import { preloadWasm, verifiedImport } from "./verified.js";
import { moduleFor } from "./modules.js";
import { toRelayLink } from "./relay-link.js";
import { startPinning, versionPanel } from "./app-version.js";
import { loadLanguage, languageSwitch, t } from "./i18n/index.js";

// Each page is its own module, loaded when shown (and checked against the
// hashes in index.html): a participant never downloads the organizer's or
// the committee's code.
const views = {
  create: () => verifiedImport("js/views/create.js", () => import("./views/create.js")),
  participate: () => verifiedImport("js/views/participate.js", () => import("./views/participate.js")),
  console: () => verifiedImport("js/views/console.js", () => import("./views/console.js")),
  results: () => verifiedImport("js/views/results.js", () => import("./views/results.js")),
  manage: () => verifiedImport("js/views/manage.js", () => import("./views/manage.js")),
};

const main = document.getElementById("main");

async function route() {
  const r = routeOf(location.hash);
  // With the app on another origin, the relay named in the link (js/relay-link.js).
  const link = toRelayLink(location.href);
  document.title = t("shell.title");
  // Participants see their form only, not the organizer's navigation.
  const nav = /** @type {HTMLElement | null} */ (document.querySelector(".site-header nav"));
  if (nav) nav.hidden = r.view === "participate";
  try {
    switch (r.view) {
      case "participate":
        return await (await views.participate()).participateView(main, link);
      case "console":
        return await (await views.console()).consoleView(main, location.hash === "#console" ? null : link);
      case "results":
        return await (await views.results()).resultsView(main, link);
      case "manage":
        return await (await views.manage()).manageView(main, r.session);
      case "bad-link":
        return replace(
          main,
          h("h1", {}, t("shell.badLinkTitle")),
          errorNotice(Object.assign(new Error("unknown role in the link"), { code: "bad_link" })),
        );
      default:
        return await (await views.create()).createView(main);
    }
  } catch (err) {
    replace(main, h("h1", {}, t("shell.cannotStart")), errorNotice(err));
  }
}

let current = location.hash;
window.addEventListener("hashchange", () => {
  if (location.hash === current) return;
  current = location.hash;
  // A new page starts at its top (the title and, on a session page, the
  // links), not at the scroll position of the form that led there.
  route().then(() => {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  });
});
/** The shell (index.html is English) in the chosen language, with the language switch. */
function shell() {
  const set = (selector, key, attr) => {
    const el = document.querySelector(selector);
    if (!el) return;
    if (attr) el.setAttribute(attr, t(key));
    else el.textContent = t(key);
  };
  set(".skip-link", "shell.skip");
  set(".site-header nav", "shell.nav", "aria-label");
  set('.site-header nav a[href="./"]', "shell.create");
  set('.site-header nav a[href="#console"]', "shell.console");
  set(".site-footer p", "shell.footer");
  document.querySelector(".site-header")?.append(languageSwitch());
}

// The first page's wasm module starts downloading now, beside the
// language catalog and the page's own modules (index.html cannot know
// which module the fragment needs).
preloadWasm(moduleFor(routeOf(location.hash).view, toRelayLink(location.href)));

loadLanguage()
  .catch(() => {
    /* the catalog failed its integrity check or to load: English */
  })
  .then(() => {
    shell();
    versionPanel(document.querySelector(".site-footer"));
    return route();
  })
  // Pin this version on first use (www/src/sw.js) once the first page is
  // shown: the worker's install fetches do not compete with the page's own
  // on a slow link. The footer panel shows what runs.
  .finally(startPinning);
