// The organizer's page of one session: member links, participant links
// (list, CSV, more single-use links, embed snippet; a committee check has
// none to share), the read link, closing, the demo committee of circle
// mode, and the capability file.

import { h, replace, field, copyButton, announce } from "../dom.js";
import { loadSotto } from "../sotto.js";
import { runMemberInWorker } from "../member-runner.js";
import { errorNotice } from "../errors.js";
import { download, downloadCsv, slug } from "../download.js";
import { getSession, updateSession, forgetSession } from "../store.js";
import { num, when, clock } from "../format.js";
import { memberFailure } from "../committee-wait.js";
import { keepDraft } from "./create.js";
import { qrDetails } from "../qr.js";
import { presenceList } from "../presence.js";
import { t } from "../i18n/index.js";

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
    qrDetails(link, t("qr.label", { who })),
  );
}

function memberLinks(manifest, links, circle) {
  const list = h(
    "ul",
    { class: "link-list", id: "member-links" },
    links.members.map((link, i) => linkItem(manifest.committee.members[i]?.name ?? t("member.n", { i: i + 1 }), link)),
  );
  if (circle) {
    // In circle mode this tab is every member: the links are not needed.
    return h(
      "section",
      { class: "card", "aria-labelledby": "members-heading" },
      h("h2", { id: "members-heading" }, t("manage.memberLinks")),
      h("details", {}, h("summary", {}, t("manage.circleLinks")), list),
    );
  }
  return h(
    "section",
    { class: "card", "aria-labelledby": "members-heading" },
    h("h2", { id: "members-heading" }, t("manage.memberLinks")),
    h("p", {}, t("manage.memberLinksBody")),
    list,
  );
}

function embedSnippet(link, kind) {
  const tag = kind === "survey" ? "sotto-survey" : kind === "budget" ? "sotto-budget" : "sotto-vote";
  const origin = new URL(link).origin;
  return `<script type="module" src="${origin}/widget.js"></script>\n<${tag} link="${link}"></${tag}>`;
}

/**
 * Beside each single-use link: whether an answer came with it, as the
 * relay's list of used link digests says (`status().usedLinks`); nothing
 * until the relay has answered once.
 */
function usedMark(i, used) {
  const mark = h("span", { class: "badge small link-used", dataset: { link: String(i) } });
  showUsed(mark, used);
  return mark;
}

function showUsed(mark, used) {
  if (!used) {
    mark.hidden = true;
    return;
  }
  const yes = used.has(Number(mark.dataset.link));
  mark.hidden = false;
  mark.classList.toggle("ok", yes);
  mark.dataset.used = yes ? "1" : "0";
  mark.textContent = t(yes ? "manage.linkUsed" : "manage.linkUnused");
}

function participantLinks(org, record, manifest, kind, usage) {
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
    const mint = h("button", { type: "button" }, t("manage.mint"));
    const feedback = h("div", { "aria-live": "polite" });
    mint.addEventListener("click", async () => {
      mint.disabled = true;
      try {
        await org.mintLinks(Math.max(1, Number(more.value) || 1));
        updateSession(record.session, { capability: org.exportCapability() });
        render();
        announce(t("manage.minted"));
      } catch (err) {
        replace(feedback, errorNotice(err));
        mint.disabled = false;
      }
    });
    const open = participants[0];
    replace(
      section,
      h("h2", { id: "participants-heading" }, t("create.participantLinks")),
      participants.length === 1 && !single
        ? [
            h("p", {}, t("manage.openBody")),
            h(
              "ul",
              { class: "link-list", id: "participant-links" },
              linkItem(t("manage.openLink"), open, [
                h("a", { class: "button small", href: open, target: "_blank" }, t("manage.open")),
                navigator.share
                  ? h(
                      "button",
                      {
                        type: "button",
                        class: "small",
                        onclick: () => navigator.share({ title: manifest.title, url: open }).catch(() => {}),
                      },
                      t("manage.share"),
                    )
                  : null,
              ]),
            ),
            h(
              "details",
              {},
              h("summary", {}, t("manage.embed")),
              h("pre", { class: "receipt" }, embedSnippet(open, kind)),
              h(
                "p",
                {},
                h(
                  "a",
                  { href: `embed-example.html#${kind}=${encodeURIComponent(open)}`, target: "_blank" },
                  t("manage.embedExample"),
                ),
              ),
            ),
          ]
        : [
            h("p", {}, t("manage.singleBody", { n: participants.length })),
            h(
              "div",
              { class: "button-row" },
              h("button", { type: "button", onclick: csv, id: "links-csv" }, t("manage.csv")),
              copyButton(() => participants.join("\n"), t("manage.copyAll")),
            ),
            h(
              "ol",
              { class: "link-list", id: "participant-links" },
              participants.map((l, i) => linkItem(t("manage.linkN", { i: i + 1 }), l, usedMark(i, usage.used))),
            ),
            h("div", { class: "row" }, field(t("manage.more"), more), mint),
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
    h("h2", { id: "participants-heading" }, t("kind.check")),
    h("p", {}, t("manage.checkBody")),
    h(
      "details",
      {},
      h("summary", {}, t("manage.checkLink")),
      h("p", {}, t("manage.checkLinkBody")),
      h("ul", { class: "link-list", id: "participant-links" }, linkItem(t("manage.openLink"), open)),
    ),
  );
}

// What the session page says in each state the relay reports.
const STATES = { draft: "warn", open: "ok", closed: "warn", computing: "warn", done: "ok" };

/**
 * The live status: the session's state as the relay reports it (polled
 * every few seconds while the page is open), the answers received, the
 * single-use links used, the deadline with its time zone, the close
 * button only while the session is open, and the published result.
 */
function liveStatus(org, record, manifest, links, usage, onClosed) {
  const box = h("div", { id: "live-status" });
  const checking = manifest.kind.kind === "check";
  const single = record.singleUse ?? links.participants.length > 1;
  let last = null;
  let published = null;
  let final = false;
  let closing = false;
  let closedHere = false;
  let polling = false;
  let problem = null;
  const button = h(
    "button",
    { type: "button", class: "danger", id: "close-session" },
    t(checking ? "manage.closeCheck" : "manage.close"),
  );
  const feedback = h("div", { "aria-live": "polite" });
  button.addEventListener("click", async () => {
    if (button.dataset.confirm !== "1") {
      button.dataset.confirm = "1";
      button.textContent = t(checking ? "manage.confirmCheck" : "manage.confirmClose");
      return;
    }
    button.disabled = true;
    closing = true;
    try {
      await org.close();
      updateSession(record.session, { closed: true, state: "closed" });
      closedHere = true;
      announce(t("manage.closed"));
      onClosed?.();
      last = { ...(last ?? { submissions: 0 }), state: last?.state === "open" || !last ? "closed" : last.state };
      render();
      // The count as the relay has it at the close, now: the last poll may
      // be up to POLL_MS old, from before the last answers.
      poll();
    } catch (err) {
      replace(feedback, errorNotice(err));
      button.disabled = false;
    } finally {
      closing = false;
    }
  });

  const sentence = (state) => {
    if (state === "open") return t(checking ? "manage.s.openCheck" : "manage.s.open");
    if (checking) return t(state === "done" ? "manage.s.checkDone" : "manage.s.checkRunning");
    if (state === "closed") return t("manage.s.closed");
    if (state === "computing") return t("manage.s.computing");
    if (state === "done") return t(published ? "manage.s.published" : "manage.s.done");
    if (state === "draft") return t("manage.s.draft");
    return "";
  };
  const render = () => {
    if (!box.isConnected && last) return;
    if (!last) {
      replace(box, h("p", { id: "session-state", class: "muted" }, t("manage.asking")), feedback);
      return;
    }
    const tone = STATES[last.state] ?? "warn";
    const label = STATES[last.state] ? t(`manage.badge.${last.state}`) : last.state;
    const state = published && last.state !== "open" ? "done" : last.state;
    const closes = manifest.deadlines?.closes_at;
    const n = last.submissions;
    const total = org.links().participants.length;
    const usedCount = usage.used ? usage.used.size : Math.min(n, total);
    replace(
      box,
      h(
        "p",
        { id: "session-state", dataset: { state } },
        h("span", { class: `badge ${published ? "ok" : tone}` }, published ? t("manage.badge.done") : label),
        " ",
        sentence(state),
      ),
      h(
        "dl",
        { class: "kv", id: "live-counts" },
        checking ? null : [h("dt", {}, t("manage.answers")), h("dd", { id: "answer-count" }, num(n))],
        !checking && single
          ? [
              h("dt", {}, t("manage.linksUsed")),
              h("dd", { id: "links-used" }, t("manage.xOfY", { x: usedCount, y: total })),
            ]
          : null,
        closes ? [h("dt", {}, t("manage.deadline")), h("dd", {}, when(closes, { seconds: true }))] : null,
        published
          ? [
              h("dt", {}, t("manage.result")),
              h(
                "dd",
                { id: "published-summary" },
                t("manage.resultSummary", {
                  valid: published.valid,
                  signed: published.signers.length,
                  members: manifest.committee.members.length,
                }),
              ),
            ]
          : null,
      ),
      presenceList(manifest, last, published),
      !checking && single
        ? h("p", { class: "small muted" }, t(usage.used ? "manage.linksNoteWhich" : "manage.linksNote"))
        : null,
      !checking && !single && last.state === "open" ? h("p", { class: "small muted" }, t("manage.openNote")) : null,
      problem ? h("p", { class: "notice warn", role: "status" }, problem) : null,
      h("p", { class: "small muted", id: "status-updated" }, t("manage.updated", { time: clock() })),
      last.state === "open" ? h("div", { class: "button-row" }, button) : null,
      feedback,
    );
  };

  let timer = null;
  // A poll asked for while one was under way: run it as soon as that ends.
  let again = false;
  const poll = async () => {
    clearTimeout(timer);
    if (polling) again = true;
    if ((!box.isConnected && last) || polling) return;
    polling = true;
    again = false;
    try {
      const status = await org.status();
      // A status asked before this page closed the session may still say
      // "open": not its state, but its count (counts only grow).
      if (!closing && !(closedHere && status.state === "open")) last = status;
      else if (last) last = { ...last, submissions: Math.max(last.submissions, status.submissions) };
      problem = null;
      if (Array.isArray(status.usedLinks)) {
        usage.used = new Set(status.usedLinks);
        for (const mark of document.querySelectorAll("#participant-links .link-used")) showUsed(mark, usage.used);
      }
      // Closed by the deadline or from another browser: a circle-mode
      // committee starts then too.
      if (status.state === "closed" || status.state === "computing") onClosed?.();
      // The result once t + 1 members signed it, and again when every
      // member has published (the signers the committee view marks done).
      if ((status.state === "computing" && !published) || (status.state === "done" && !final)) {
        published = (await org.result().catch(() => null)) ?? published;
        final = status.state === "done" && Boolean(published);
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
          ? t("manage.unreachable")
          : t("manage.noStatus", { code: err?.code ?? "error" });
    }
    polling = false;
    render();
    if (!(published && last?.state === "done")) timer = setTimeout(poll, again ? 0 : POLL_MS);
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
    h(
      "li",
      { dataset: { member: String(i + 1) } },
      h("bdi", {}, manifest.committee.members[i]?.name),
      t("manage.demo.notStarted"),
    ),
  );
  const start = h("button", { type: "button", class: "primary", id: "run-demo-committee" }, t("manage.demo.run"));
  const problems = h("div", {});
  let started = false;
  const run = () => {
    if (started) return;
    started = true;
    start.disabled = true;
    start.textContent = t("manage.demo.running");
    call.hidden = true;
    keys.forEach((key, i) => {
      const name = manifest.committee.members[i]?.name;
      const say = (text) => replace(rows[i], h("bdi", {}, name), `: ${text}`);
      runMemberInWorker(links.members[i], key, (p) => {
        if (p.stage === "collecting") say(t("manage.demo.received", { n: p.submissions }));
        else if (["computing", "connected", "reconnecting"].includes(p.stage)) say(t(`manage.demo.${p.stage}`));
      }).then(
        () => {
          say(t("manage.demo.published"));
          rows[i].dataset.done = "1";
        },
        (err) => {
          say(t("manage.demo.failed", { code: err.code ?? "error" }));
          replace(problems, memberFailure(err, committee));
        },
      );
    });
  };
  start.addEventListener("click", run);
  const call = h(
    "p",
    { class: "notice warn", id: "demo-not-started" },
    h("strong", {}, t("manage.demo.nobody")),
    t("manage.demo.press"),
  );
  const element = h(
    "section",
    { class: "card", "aria-labelledby": "demo-heading" },
    h("h2", { id: "demo-heading" }, t("manage.demo.heading")),
    h("p", { class: "notice warn" }, t("manage.demo.warn")),
    h("p", {}, t("manage.demo.body")),
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
      title: [...t("manage.copyTitle", { title: manifest.title })].slice(0, 200).join(""),
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
  return h("button", { type: "button", id: "duplicate-session", onclick: go }, t("manage.duplicate"));
}

function capabilityTools(org, record) {
  const exportIt = () =>
    download(`sotto-organizer-${slug(record.title)}.json`, org.exportCapability(), "application/json");
  const forget = h("button", { type: "button", class: "danger" }, t("manage.forget"));
  forget.addEventListener("click", () => {
    if (forget.dataset.confirm !== "1") {
      forget.dataset.confirm = "1";
      forget.textContent = t("manage.forgetConfirm");
      return;
    }
    forgetSession(record.session);
    location.hash = "";
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "cap-heading" },
    h("h2", { id: "cap-heading" }, t("manage.file")),
    h("p", {}, t("manage.fileBody")),
    h("div", { class: "button-row" }, h("button", { type: "button", onclick: exportIt }, t("manage.export")), forget),
  );
}

/** Renders the organizer's page of `session`. */
export async function manageView(main, session) {
  const sotto = await loadSotto();
  const record = getSession(session);
  if (!record) {
    replace(
      main,
      h("h1", {}, t("manage.notFound")),
      h("p", {}, t("manage.notFoundBody")),
      h("a", { class: "button", href: "./" }, t("manage.toStart")),
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
  // Which single-use links were used: filled by the live status's polls.
  const usage = { used: null };
  replace(
    main,
    h("p", { class: "badge" }, t(`kind.${kind}`)),
    h("h1", { dir: "auto" }, manifest.title),
    h(
      "div",
      { class: "grid-2" },
      h(
        "div",
        {},
        demo?.element,
        kind === "check" ? checkNotice(org) : participantLinks(org, record, manifest, kind, usage),
        memberLinks(manifest, links, circle),
      ),
      h(
        "div",
        {},
        h(
          "section",
          { class: "card", "aria-labelledby": "state-heading" },
          h("h2", { id: "state-heading" }, t("manage.status")),
          liveStatus(org, record, manifest, links, usage, () => demo?.start()),
          h("h3", {}, t("manage.results")),
          h("p", {}, t("manage.resultsBody")),
          h("ul", { class: "link-list" }, linkItem(t("manage.resultsLink"), links.read)),
          h(
            "div",
            { class: "button-row" },
            h("a", { class: "button primary", href: links.read, id: "results-link" }, t("manage.openResults")),
          ),
        ),
        capabilityTools(org, record),
        h("div", { class: "button-row" }, duplicateButton(manifest, record, links)),
      ),
    ),
  );
}
