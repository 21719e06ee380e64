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
import { createView } from "./views/create.js";
import { participateView } from "./views/participate.js";
import { consoleView } from "./views/console.js";
import { resultsView } from "./views/results.js";
import { manageView } from "./views/manage.js";

const main = document.getElementById("main");

async function route() {
  const r = routeOf(location.hash);
  const link = location.href;
  document.title = "Sotto: private votes, surveys and budgets";
  // Participants see their form only, not the organizer's navigation.
  const nav = /** @type {HTMLElement | null} */ (document.querySelector(".site-header nav"));
  if (nav) nav.hidden = r.view === "participate";
  try {
    switch (r.view) {
      case "participate":
        return await participateView(main, link);
      case "console":
        return await consoleView(main, location.hash === "#console" ? null : link);
      case "results":
        return await resultsView(main, link);
      case "manage":
        return await manageView(main, r.session);
      case "bad-link":
        return replace(
          main,
          h("h1", {}, "This link cannot be used"),
          errorNotice(Object.assign(new Error("unknown role in the link"), { code: "bad_link" })),
        );
      default:
        return await createView(main);
    }
  } catch (err) {
    replace(main, h("h1", {}, "Sotto could not start"), errorNotice(err));
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
route();
