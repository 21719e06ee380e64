// The organizer's page of one session: member links, participant links
// (list, CSV, more single-use links, embed snippet; a committee check has
// none to share), the read link, closing, the demo committee of circle
// mode, and the capability file.

import { h, replace, field, copyButton, announce } from "../dom.js";
import { loadSotto, runMemberInWorker } from "../sotto.js";
import { errorNotice } from "../errors.js";
import { download, downloadCsv, slug } from "../download.js";
import { getSession, updateSession, forgetSession } from "../store.js";

const MAX_TIMER_MS = 2 ** 31 - 1;

function linkItem(who, link, extra) {
  return h("li", {},
    h("div", {}, h("span", { class: "who" }, who), h("code", {}, link)),
    h("div", { class: "row" }, copyButton(() => link), extra));
}

function memberLinks(manifest, links) {
  return h("section", { class: "card", "aria-labelledby": "members-heading" },
    h("h2", { id: "members-heading" }, "Committee member links"),
    h("p", {}, "Send each member their own link, privately. They open it in the browser that holds their key, and keep the tab open until the result is published."),
    h("ul", { class: "link-list", id: "member-links" }, links.members.map((link, i) =>
      linkItem(manifest.committee.members[i]?.name ?? `Member ${i + 1}`, link))));
}

function embedSnippet(link, kind) {
  const tag = kind === "survey" ? "sotto-survey" : kind === "budget" ? "sotto-budget" : "sotto-vote";
  const origin = new URL(link).origin;
  return `<script type="module" src="${origin}/widget.js"></script>\n<${tag} link="${link}"></${tag}>`;
}

function participantLinks(org, record, manifest, kind) {
  const section = h("section", { class: "card", "aria-labelledby": "participants-heading" });
  const single = record.singleUse ?? (org.links().participants.length > 1);
  const render = () => {
    const { participants } = org.links();
    const csv = () => downloadCsv(`sotto-links-${slug(manifest.title)}.csv`, [["number", "link"], ...participants.map((l, i) => [i + 1, l])]);
    const more = h("input", { type: "number", min: 1, max: 10000, step: 1, value: "10", id: "mint-count" });
    const mint = h("button", { type: "button" }, "Make more links");
    const feedback = h("div", { "aria-live": "polite" });
    mint.addEventListener("click", async () => {
      mint.disabled = true;
      try {
        await org.mintLinks(Math.max(1, Number(more.value) || 1));
        updateSession(record.session, { capability: org.exportCapability() });
        render();
        announce("New links added to the list.");
      } catch (err) {
        replace(feedback, errorNotice(err));
        mint.disabled = false;
      }
    });
    const open = participants[0];
    replace(section,
      h("h2", { id: "participants-heading" }, "Participant links"),
      participants.length === 1 && !single
        ? [h("p", {}, "Anyone with this link can answer (the server limits how fast). Share it where your participants are."),
          h("ul", { class: "link-list", id: "participant-links" }, linkItem("Open link", open, h("a", { class: "button small", href: open, target: "_blank" }, "Open"))),
          h("details", {}, h("summary", {}, "Embed it in a web page"),
            h("pre", { class: "receipt" }, embedSnippet(open, kind)),
            h("p", {}, h("a", { href: `embed-example.html#${kind}=${encodeURIComponent(open)}`, target: "_blank" }, "See it in the embedding example")))]
        : [h("p", {}, `${participants.length} single-use links: send one to each person. Each can answer once.`),
          h("div", { class: "button-row" }, h("button", { type: "button", onclick: csv, id: "links-csv" }, "Download the links as CSV")),
          h("ol", { class: "link-list", id: "participant-links" }, participants.map((l, i) => linkItem(`Link ${i + 1}`, l))),
          h("div", { class: "row" }, field("More single-use links", more), mint),
          feedback]);
  };
  render();
  return section;
}

/** A committee check takes no answers: its one participant link only says so. */
function checkNotice(org) {
  const [open] = org.links().participants;
  return h("section", { class: "card", "aria-labelledby": "participants-heading" },
    h("h2", { id: "participants-heading" }, "Committee check"),
    h("p", {}, "This session takes no answers, so there are no participant links to share. Send each member their link, "
      + "close the session once they have all joined, and open the results page to see whether the committee found the known answer."),
    h("details", {}, h("summary", {}, "The participant link"),
      h("p", {}, "It only shows that the session takes no answers."),
      h("ul", { class: "link-list", id: "participant-links" }, linkItem("Open link", open))));
}

function closeControls(org, record, manifest, onClosed) {
  const box = h("div", {});
  const checking = manifest.kind.kind === "check";
  const render = () => {
    const rec = getSession(record.session);
    if (rec?.closed) {
      replace(box, h("p", { class: "notice ok", id: "session-state" }, checking
        ? "Closed: the committee runs the check now."
        : "Closed: no more answers are accepted. The committee computes the result now."));
      return;
    }
    const button = h("button", { type: "button", class: "danger", id: "close-session" }, checking ? "Close and run the check" : "Close submissions");
    const feedback = h("div", { "aria-live": "polite" });
    button.addEventListener("click", async () => {
      if (button.dataset.confirm !== "1") {
        button.dataset.confirm = "1";
        button.textContent = checking ? "Close now: the check starts" : "Close now: no more answers after this";
        return;
      }
      button.disabled = true;
      try {
        await org.close();
        updateSession(record.session, { closed: true });
        announce("Submissions closed.");
        render();
        onClosed?.();
      } catch (err) {
        replace(feedback, errorNotice(err));
        button.disabled = false;
      }
    });
    const closes = manifest.deadlines?.closes_at;
    replace(box,
      h("p", { id: "session-state" }, h("span", { class: "badge ok" }, "Open"), checking ? " Close it once every member has joined." : " Participants can answer."),
      closes ? h("p", {}, `Deadline ${new Date(closes * 1000).toLocaleString()}: the server closes the session then, and the committee computes.`) : null,
      h("div", { class: "button-row" }, button), feedback);
  };
  render();
  const closes = manifest.deadlines?.closes_at;
  if (closes && !record.closed) {
    const wait = closes * 1000 - Date.now();
    if (wait < MAX_TIMER_MS) {
      // The relay closes the session at its deadline; this only updates
      // the page (the close call is a no-op on a closed session).
      setTimeout(async () => {
        if (!box.isConnected || getSession(record.session)?.closed) return;
        try { await org.close(); } catch { /* already closed and computing */ }
        updateSession(record.session, { closed: true });
        render();
      }, Math.max(0, wait) + 1500);
    }
  }
  return box;
}

function demoCommittee(record, links, manifest) {
  const keys = record.circleKeys;
  if (!keys?.length) return null;
  const rows = keys.map((_, i) => h("li", { dataset: { member: String(i + 1) } }, `${manifest.committee.members[i]?.name}: not started`));
  const start = h("button", { type: "button", class: "primary", id: "run-demo-committee" }, "Run the demo committee here");
  start.addEventListener("click", () => {
    start.disabled = true;
    start.textContent = "Committee running in this tab";
    keys.forEach((key, i) => {
      const name = manifest.committee.members[i]?.name;
      const say = (text) => { rows[i].textContent = `${name}: ${text}`; };
      runMemberInWorker(links.members[i], key, (p) => {
        if (p.stage === "collecting") say(`${p.submissions} submission(s) received`);
        else if (p.stage === "computing") say("computing");
        else if (p.stage === "connected") say("connected");
        else if (p.stage === "reconnecting") say("reconnecting");
      }).then(() => { say("published"); rows[i].dataset.done = "1"; }, (err) => say(`failed (${err.code ?? "error"}): ${err.message}`));
    });
  });
  return h("section", { class: "card", "aria-labelledby": "demo-heading" },
    h("h2", { id: "demo-heading" }, "Demo committee (circle mode)"),
    h("p", { class: "notice warn" }, "This browser holds every member key of this session: fine for trying Sotto, not for real decisions."),
    h("p", {}, "Start the committee, keep this tab open, close the session when the answers are in, and the members compute in background workers."),
    h("div", { class: "button-row" }, start),
    h("ul", { id: "demo-status", "aria-live": "polite" }, rows));
}

function capabilityTools(org, record) {
  const exportIt = () => download(`sotto-organizer-${slug(record.title)}.json`, org.exportCapability(), "application/json");
  const forget = h("button", { type: "button", class: "danger" }, "Forget this session in this browser");
  forget.addEventListener("click", () => {
    if (forget.dataset.confirm !== "1") {
      forget.dataset.confirm = "1";
      forget.textContent = "Really forget? Export the file first. Click again";
      return;
    }
    forgetSession(record.session);
    location.hash = "";
  });
  return h("section", { class: "card", "aria-labelledby": "cap-heading" },
    h("h2", { id: "cap-heading" }, "Organizer file"),
    h("p", {}, "This browser keeps the session's organizer key (it can close the session and read the result). Export it to keep a copy or to manage the session from another browser; keep the file private."),
    h("div", { class: "button-row" }, h("button", { type: "button", onclick: exportIt }, "Export organizer file"), forget));
}

/** Renders the organizer's page of `session`. */
export async function manageView(main, session) {
  const sotto = await loadSotto();
  const record = getSession(session);
  if (!record) {
    replace(main, h("h1", {}, "Session not found in this browser"),
      h("p", {}, "This browser does not hold the organizer file of this session. Import it from the start page."),
      h("a", { class: "button", href: "./" }, "Go to the start page"));
    return;
  }
  let org;
  try {
    org = sotto.Organizer.importCapability(record.capability);
  } catch (err) {
    replace(main, h("h1", {}, record.title), errorNotice(err));
    return;
  }
  const manifest = org.manifest();
  const kind = manifest.kind.kind;
  const links = org.links();
  document.title = `${manifest.title} · Sotto`;
  replace(main,
    h("p", { class: "badge" }, kind),
    h("h1", {}, manifest.title),
    h("div", { class: "grid-2" },
      h("div", {},
        kind === "check" ? checkNotice(org) : participantLinks(org, record, manifest, kind),
        memberLinks(manifest, links),
        demoCommittee(record, links, manifest)),
      h("div", {},
        h("section", { class: "card", "aria-labelledby": "state-heading" },
          h("h2", { id: "state-heading" }, "Status"),
          closeControls(org, record, manifest),
          h("h3", {}, "Results"),
          h("p", {}, "The results page waits for the committee's signed result and shows it with charts. Its link lets anyone holding it read the result."),
          h("ul", { class: "link-list" }, linkItem("Results link", links.read)),
          h("div", { class: "button-row" }, h("a", { class: "button primary", href: links.read, id: "results-link" }, "Open the results page"))),
        capabilityTools(org, record))));
}
