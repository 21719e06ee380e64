// The organizer's page of one session: member links, participant links
// (list, CSV, more single-use links, embed snippet; a committee check has
// none to share), the read link, closing, the demo committee of circle
// mode, and the capability file.

import { h, replace, field, copyButton, announce } from "../dom.js";
import { loadSotto, runMemberInWorker } from "../sotto.js";
import { errorNotice } from "../errors.js";
import { download, downloadCsv, slug } from "../download.js";
import { getSession, updateSession, forgetSession } from "../store.js";
import { num, count, when, clock } from "../format.js";
import { memberFailure } from "../committee-wait.js";
import { keepDraft } from "./create.js";
import { qrDetails } from "../qr.js";

// How often the session page asks the relay for the session's state.
const POLL_MS = 3000;

function linkItem(who, link, extra) {
  return h(
    "li",
    {},
    h("div", {}, h("span", { class: "who" }, who), h("code", {}, link)),
    h(
      "div",
      { class: "row" },
      copyButton(() => link),
      extra,
    ),
    qrDetails(link, `QR code of the link: ${who}`),
  );
}

function memberLinks(manifest, links, circle) {
  const list = h(
    "ul",
    { class: "link-list", id: "member-links" },
    links.members.map((link, i) => linkItem(manifest.committee.members[i]?.name ?? `Member ${i + 1}`, link)),
  );
  if (circle) {
    // In circle mode this tab is every member: the links are not needed.
    return h(
      "section",
      { class: "card", "aria-labelledby": "members-heading" },
      h("h2", { id: "members-heading" }, "Committee member links"),
      h(
        "details",
        {},
        h("summary", {}, "Not needed in circle mode: this tab runs every member. Show them anyway"),
        list,
      ),
    );
  }
  return h(
    "section",
    { class: "card", "aria-labelledby": "members-heading" },
    h("h2", { id: "members-heading" }, "Committee member links"),
    h(
      "p",
      {},
      "Send each member their own link, privately. They open it in the browser that holds their key, and keep the tab open until the result is published.",
    ),
    list,
  );
}

function embedSnippet(link, kind) {
  const tag = kind === "survey" ? "sotto-survey" : kind === "budget" ? "sotto-budget" : "sotto-vote";
  const origin = new URL(link).origin;
  return `<script type="module" src="${origin}/widget.js"></script>\n<${tag} link="${link}"></${tag}>`;
}

function participantLinks(org, record, manifest, kind) {
  const section = h("section", { class: "card", "aria-labelledby": "participants-heading" });
  const single = record.singleUse ?? org.links().participants.length > 1;
  const render = () => {
    const { participants } = org.links();
    const csv = () =>
      downloadCsv(`sotto-links-${slug(manifest.title)}.csv`, [
        ["number", "link"],
        ...participants.map((l, i) => [i + 1, l]),
      ]);
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
    replace(
      section,
      h("h2", { id: "participants-heading" }, "Participant links"),
      participants.length === 1 && !single
        ? [
            h(
              "p",
              {},
              "Anyone with this link can answer (the server limits how fast). Share it where your participants are.",
            ),
            h(
              "ul",
              { class: "link-list", id: "participant-links" },
              linkItem("Open link", open, [
                h("a", { class: "button small", href: open, target: "_blank" }, "Open"),
                navigator.share
                  ? h(
                      "button",
                      {
                        type: "button",
                        class: "small",
                        onclick: () => navigator.share({ title: manifest.title, url: open }).catch(() => {}),
                      },
                      "Share…",
                    )
                  : null,
              ]),
            ),
            h(
              "details",
              {},
              h("summary", {}, "Embed it in a web page"),
              h("pre", { class: "receipt" }, embedSnippet(open, kind)),
              h(
                "p",
                {},
                h(
                  "a",
                  { href: `embed-example.html#${kind}=${encodeURIComponent(open)}`, target: "_blank" },
                  "See it in the embedding example",
                ),
              ),
            ),
          ]
        : [
            h("p", {}, `${participants.length} single-use links: send one to each person. Each can answer once.`),
            h(
              "div",
              { class: "button-row" },
              h("button", { type: "button", onclick: csv, id: "links-csv" }, "Download the links as CSV"),
              copyButton(() => participants.join("\n"), "Copy all links, one per line"),
            ),
            h(
              "ol",
              { class: "link-list", id: "participant-links" },
              participants.map((l, i) => linkItem(`Link ${i + 1}`, l)),
            ),
            h("div", { class: "row" }, field("More single-use links", more), mint),
            feedback,
          ],
    );
  };
  render();
  return section;
}

/** A committee check takes no answers: its one participant link only says so. */
function checkNotice(org) {
  const [open] = org.links().participants;
  return h(
    "section",
    { class: "card", "aria-labelledby": "participants-heading" },
    h("h2", { id: "participants-heading" }, "Committee check"),
    h(
      "p",
      {},
      "This session takes no answers, so there are no participant links to share. Send each member their link, " +
        "close the session once they have all joined, and open the results page to see whether the committee found the known answer.",
    ),
    h(
      "details",
      {},
      h("summary", {}, "The participant link"),
      h("p", {}, "It only shows that the session takes no answers."),
      h("ul", { class: "link-list", id: "participant-links" }, linkItem("Open link", open)),
    ),
  );
}

// What the session page says in each state the relay reports.
const STATES = {
  draft: ["Not open yet", "warn", "The session has not opened."],
  open: ["Open", "ok", null],
  closed: ["Closed", "warn", null],
  computing: ["Computing", "warn", null],
  done: ["Result published", "ok", null],
};

/**
 * The live status: the session's state as the relay reports it (polled
 * every few seconds while the page is open), the answers received, the
 * single-use links used, the deadline with its time zone, the close
 * button only while the session is open, and the published result.
 */
function liveStatus(org, record, manifest, links, onClosed) {
  const box = h("div", { id: "live-status" });
  const checking = manifest.kind.kind === "check";
  const single = record.singleUse ?? links.participants.length > 1;
  let last = null;
  let published = null;
  let closing = false;
  let closedHere = false;
  let polling = false;
  let problem = null;
  const button = h(
    "button",
    { type: "button", class: "danger", id: "close-session" },
    checking ? "Close and run the check" : "Close submissions",
  );
  const feedback = h("div", { "aria-live": "polite" });
  button.addEventListener("click", async () => {
    if (button.dataset.confirm !== "1") {
      button.dataset.confirm = "1";
      button.textContent = checking ? "Close now: the check starts" : "Close now: no more answers after this";
      return;
    }
    button.disabled = true;
    closing = true;
    try {
      await org.close();
      updateSession(record.session, { closed: true, state: "closed" });
      closedHere = true;
      announce("Submissions closed.");
      onClosed?.();
      last = { ...(last ?? { submissions: 0 }), state: last?.state === "open" || !last ? "closed" : last.state };
      render();
    } catch (err) {
      replace(feedback, errorNotice(err));
      button.disabled = false;
    } finally {
      closing = false;
    }
  });

  const sentence = (state) => {
    if (state === "open") return checking ? "Close it once every member has joined." : "Participants can answer.";
    if (checking) return state === "done" ? "The check is finished." : "Closed: the committee runs the check now.";
    if (state === "closed")
      return "Closed: no more answers are accepted. Waiting for the committee to start computing.";
    if (state === "computing") return "Closed: no more answers are accepted. The committee is computing the result.";
    if (state === "done")
      return published ? "Every committee member signed and published the result." : "The committee has finished.";
    return STATES[state]?.[2] ?? "";
  };
  const render = () => {
    if (!box.isConnected && last) return;
    if (!last) {
      replace(
        box,
        h("p", { id: "session-state", class: "muted" }, "Asking the server for the session's state…"),
        feedback,
      );
      return;
    }
    const [label, tone] = STATES[last.state] ?? [last.state, "warn"];
    const state = published && last.state !== "open" ? "done" : last.state;
    const closes = manifest.deadlines?.closes_at;
    const n = last.submissions;
    const total = links.participants.length;
    replace(
      box,
      h(
        "p",
        { id: "session-state", dataset: { state } },
        h("span", { class: `badge ${published ? "ok" : tone}` }, published ? "Result published" : label),
        " ",
        sentence(state),
      ),
      h(
        "dl",
        { class: "kv", id: "live-counts" },
        checking ? null : [h("dt", {}, "Answers received"), h("dd", { id: "answer-count" }, num(n))],
        !checking && single
          ? [
              h("dt", {}, "Single-use links used"),
              h("dd", { id: "links-used" }, `${num(Math.min(n, total))} of ${num(total)}`),
            ]
          : null,
        closes ? [h("dt", {}, "Deadline"), h("dd", {}, when(closes, { seconds: true }))] : null,
        published
          ? [
              h("dt", {}, "Result"),
              h(
                "dd",
                { id: "published-summary" },
                `${count(published.valid, "valid answer")}, signed by ${published.signers.length} of ${manifest.committee.members.length} members`,
              ),
            ]
          : null,
      ),
      !checking && single
        ? h(
            "p",
            { class: "small muted" },
            "The server counts how many links were used, not which: it never links an answer to a person.",
          )
        : null,
      !checking && !single && last.state === "open"
        ? h(
            "p",
            { class: "small muted" },
            "An open link can answer more than once from different browsers; the count is of answers, not people.",
          )
        : null,
      problem ? h("p", { class: "notice warn", role: "status" }, problem) : null,
      h(
        "p",
        { class: "small muted", id: "status-updated" },
        `Updated ${clock()}; the page checks again every few seconds.`,
      ),
      last.state === "open" ? h("div", { class: "button-row" }, button) : null,
      feedback,
    );
  };

  let timer = null;
  const poll = async () => {
    clearTimeout(timer);
    if ((!box.isConnected && last) || polling) return;
    polling = true;
    try {
      const status = await org.status();
      // A status asked before this page closed the session may still say "open".
      if (!closing && !(closedHere && status.state === "open")) last = status;
      problem = null;
      // Closed by the deadline or from another browser: a circle-mode
      // committee starts then too.
      if (status.state === "closed" || status.state === "computing") onClosed?.();
      if (status.state === "computing" || status.state === "done") {
        published = published ?? (await org.result().catch(() => null));
      }
      const rec = getSession(record.session);
      if (rec && rec.state !== (published ? "published" : status.state)) {
        updateSession(record.session, {
          state: published ? "published" : status.state,
          closed: status.state !== "open" && status.state !== "draft",
        });
      }
    } catch (err) {
      problem =
        err?.code === "relay_unreachable"
          ? "Cannot reach the Sotto server right now; the status below may be out of date. Retrying."
          : `The server did not report the status (${err?.code ?? "error"}).`;
    }
    polling = false;
    render();
    if (!(published && last?.state === "done")) timer = setTimeout(poll, POLL_MS);
  };
  render();
  poll();
  return box;
}

/**
 * Circle mode: this tab runs every member in a Web Worker. `start()` is
 * also called when the organizer closes the session without having
 * started it, so a circle-mode session never waits for a committee that
 * nobody runs.
 */
function demoCommittee(record, links, manifest) {
  const keys = record.circleKeys;
  if (!keys?.length) return null;
  const committee = manifest.committee.members.map((m, i) => ({ index: i + 1, name: m.name }));
  const rows = keys.map((_, i) =>
    h("li", { dataset: { member: String(i + 1) } }, h("bdi", {}, manifest.committee.members[i]?.name), ": not started"),
  );
  const start = h(
    "button",
    { type: "button", class: "primary", id: "run-demo-committee" },
    "Run the demo committee here",
  );
  const problems = h("div", {});
  let started = false;
  const run = () => {
    if (started) return;
    started = true;
    start.disabled = true;
    start.textContent = "Committee running in this tab";
    call.hidden = true;
    keys.forEach((key, i) => {
      const name = manifest.committee.members[i]?.name;
      const say = (text) => replace(rows[i], h("bdi", {}, name), `: ${text}`);
      runMemberInWorker(links.members[i], key, (p) => {
        if (p.stage === "collecting") say(`${count(p.submissions, "submission")} received`);
        else if (p.stage === "computing") say("computing");
        else if (p.stage === "connected") say("connected");
        else if (p.stage === "reconnecting") say("reconnecting");
      }).then(
        () => {
          say("published");
          rows[i].dataset.done = "1";
        },
        (err) => {
          say(`failed (${err.code ?? "error"})`);
          replace(problems, memberFailure(err, committee));
        },
      );
    });
  };
  start.addEventListener("click", run);
  const call = h(
    "p",
    { class: "notice warn", id: "demo-not-started" },
    h("strong", {}, "Nobody computes until the committee runs. "),
    "Press “Run the demo committee here” and keep this tab open. If you close the session first, the committee starts then.",
  );
  const element = h(
    "section",
    { class: "card", "aria-labelledby": "demo-heading" },
    h("h2", { id: "demo-heading" }, "Demo committee (circle mode)"),
    h(
      "p",
      { class: "notice warn" },
      "This browser holds every member key of this session: fine for trying Sotto, not for real decisions.",
    ),
    h(
      "p",
      {},
      "Start the committee, keep this tab open, close the session when the answers are in, and the members compute in background workers.",
    ),
    call,
    h("div", { class: "button-row" }, start),
    h("ul", { id: "demo-status", "aria-live": "polite" }, rows),
    problems,
  );
  return { element, start: run };
}

/** "Duplicate this session": the create page filled with this session's settings (no deadline). */
function duplicateButton(manifest, record, links) {
  const go = () => {
    keepDraft({
      from: manifest.title,
      title: [...`${manifest.title} (copy)`].slice(0, 200).join(""),
      description: manifest.description,
      kind: manifest.kind.kind,
      schema: manifest.kind.schema,
      members: manifest.committee.members,
      threshold: manifest.committee.threshold,
      circle: Boolean(record.circleKeys?.length),
      policy: manifest.policy,
      singleUse: (record.singleUse ?? links.participants.length > 1) ? links.participants.length : 0,
    });
    location.hash = "";
  };
  return h("button", { type: "button", id: "duplicate-session", onclick: go }, "Duplicate this session");
}

function capabilityTools(org, record) {
  const exportIt = () =>
    download(`sotto-organizer-${slug(record.title)}.json`, org.exportCapability(), "application/json");
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
  return h(
    "section",
    { class: "card", "aria-labelledby": "cap-heading" },
    h("h2", { id: "cap-heading" }, "Organizer file"),
    h(
      "p",
      {},
      "This browser keeps the session's organizer key (it can close the session and read the result). Export it to keep a copy or to manage the session from another browser; keep the file private.",
    ),
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "button", onclick: exportIt }, "Export organizer file"),
      forget,
    ),
  );
}

/** Renders the organizer's page of `session`. */
export async function manageView(main, session) {
  const sotto = await loadSotto();
  const record = getSession(session);
  if (!record) {
    replace(
      main,
      h("h1", {}, "Session not found in this browser"),
      h("p", {}, "This browser does not hold the organizer file of this session. Import it from the start page."),
      h("a", { class: "button", href: "./" }, "Go to the start page"),
    );
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
  const demo = demoCommittee(record, links, manifest);
  const circle = Boolean(demo);
  replace(
    main,
    h("p", { class: "badge" }, kind),
    h("h1", { dir: "auto" }, manifest.title),
    h(
      "div",
      { class: "grid-2" },
      h(
        "div",
        {},
        demo?.element,
        kind === "check" ? checkNotice(org) : participantLinks(org, record, manifest, kind),
        memberLinks(manifest, links, circle),
      ),
      h(
        "div",
        {},
        h(
          "section",
          { class: "card", "aria-labelledby": "state-heading" },
          h("h2", { id: "state-heading" }, "Status"),
          liveStatus(org, record, manifest, links, () => demo?.start()),
          h("h3", {}, "Results"),
          h(
            "p",
            {},
            "The results page waits for the committee's signed result and shows it with charts. Its link lets anyone holding it read the result.",
          ),
          h("ul", { class: "link-list" }, linkItem("Results link", links.read)),
          h(
            "div",
            { class: "button-row" },
            h("a", { class: "button primary", href: links.read, id: "results-link" }, "Open the results page"),
          ),
        ),
        capabilityTools(org, record),
        h("div", { class: "button-row" }, duplicateButton(manifest, record, links)),
      ),
    ),
  );
}
