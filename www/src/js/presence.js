// The committee in the organizer's live view: which members are online,
// computing, done or missing, from the relay's presence report (the
// session status's `members`: `{online, since}` per member, since in unix
// seconds of the last change, 0 when the relay has not seen the member)
// and the published result's signers. "Waiting for Carol since 14:02"
// when the committee needs a member that is not connected.

import { h, replace } from "./dom.js";
import { hm } from "./format.js";
import { t, language } from "./i18n/index.js";

/**
 * What each member is doing: "done" (signed the published result),
 * "computing" (connected while the committee computes), "online",
 * "missing" (not connected while the committee needs it) or "offline"
 * (not connected while answers are still coming in: not needed yet).
 */
export function presenceOf(state, seen, signed) {
  if (signed) return "done";
  const needed = state === "closed" || state === "computing" || state === "done";
  if (seen.online) return needed && state !== "done" ? "computing" : "online";
  return needed ? "missing" : "offline";
}

/** The committee's rows and, when members are missing, who the committee waits for; null without a report. */
export function presenceList(manifest, status, published) {
  if (!Array.isArray(status?.members)) return null;
  const names = manifest.committee.members.map((m) => m.name);
  const signers = new Set(published?.signers ?? []);
  const rows = rowsOf(status.state, status.members, (i) => names[i - 1], signers);
  return presenceBox(rows, waitingLine(rows.filter((r) => r.presence === "missing")));
}

/**
 * The committee console's view of the same: the member's worker reports
 * the relay's presence (`Progress` stage "presence", with the members the
 * computation has been waiting for) and the other stages say where the
 * session is. Returns `{element, update(progress), fromRelay(presence)}`;
 * `fromRelay` takes what the page asked itself before joining.
 */
export function memberPresence(committee) {
  const element = h("div");
  const name = (i) => committee.find((c) => c.index === i)?.name;
  const STATE = { connected: "open", collecting: "open", computing: "computing", dropped: "computing" };
  let state = "open";
  let last = null;
  const render = () => {
    if (!last) return;
    const rows = rowsOf(state, last.members, name, new Set());
    const waited = rows.filter((r) => last.waiting.includes(r.index));
    const offline = waited.filter((r) => r.presence === "missing");
    const missing = rows.filter((r) => r.presence === "missing");
    const line = offline.length
      ? waitingLine(offline)
      : waited.length
        ? t("presence.waitingOnline", { names: listOf(waited) })
        : waitingLine(missing);
    replace(element, presenceBox(rows, line));
  };
  // The page's own view before the member joins (`Participant.linkState()`
  // of a member link, asked without counting as the member): the relay's
  // state and who is connected. Once joined, the worker's reports take over.
  const RELAY = { draft: "open", open: "open", closed: "closed", computing: "computing", done: "open" };
  const fromRelay = (r) => {
    state = RELAY[r.state] ?? "open";
    last = { members: r.members, waiting: [] };
    render();
  };
  const update = (p) => {
    if (p.stage === "presence") last = p;
    else if (p.stage in STATE) state = STATE[p.stage];
    else if (p.stage === "published") {
      // Done: nobody is needed any more; who is still connected is all
      // there is left to say (the steps above say "published").
      state = "open";
      if (last) last = { ...last, waiting: [] };
    } else return;
    render();
  };
  return { element, update, fromRelay };
}

function rowsOf(state, members, nameOf, signers) {
  return members.map((seen, i) => {
    const presence = presenceOf(state, seen, signers.has(i + 1));
    const time = seen.since ? hm(seen.since) : null;
    return { name: nameOf(i + 1) ?? t("member.n", { i: i + 1 }), presence, time, index: i + 1 };
  });
}

function listOf(rows) {
  return new Intl.ListFormat(language(), { type: "conjunction" }).format(rows.map((r) => r.name));
}

/** "Waiting for Carol since 14:02", or null when nobody is missing. */
function waitingLine(missing) {
  if (!missing.length) return null;
  return missing.length === 1 && missing[0].time
    ? t("presence.waitingSince", { name: missing[0].name, time: missing[0].time })
    : t("presence.waiting", { names: listOf(missing) });
}

function presenceBox(rows, waiting) {
  return h(
    "div",
    { id: "presence-box" },
    h("h3", {}, t("presence.heading")),
    waiting ? h("p", { class: "notice warn", role: "status", id: "presence-waiting" }, waiting) : null,
    h(
      "ul",
      { class: "presence", id: "presence" },
      rows.map((r) =>
        h(
          "li",
          { dataset: { member: String(r.index), presence: r.presence } },
          h("span", { class: `dot ${r.presence}`, "aria-hidden": "true" }),
          h("span", {}, h("bdi", {}, r.name), ": ", t(`presence.${r.presence}`, { time: r.time })),
        ),
      ),
    ),
  );
}
