// Who the committee is waiting for. The members' progress events do not
// say which member is missing; the one place that does is the error a
// member gives up with when nothing new arrived for two minutes after the
// close ("… waiting for members [2, 3] …"). These helpers turn that into
// names, and say plainly how long the computation has been waiting.

import { h } from "./dom.js";
import { errorNotice } from "./errors.js";
import { clock } from "./format.js";

/** The committee entries (`{index, name}`) named as missing in a member's error message. */
export function missingMembers(message, committee) {
  const m = String(message ?? "").match(/waiting for members \[([\d,\s]*)\]/);
  if (!m) return [];
  const wanted = m[1]
    .split(",")
    .map((s) => Number(s.trim()))
    .filter(Number.isInteger);
  return wanted.map((i) => committee.find((c) => c.index === i) ?? { index: i, name: `Member ${i}` });
}

/** "Grace (member 2) and Alan (member 3)". */
export function nameList(members) {
  const names = members.map((m) => `${m.name} (member ${m.index})`);
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * The notice for a member's failure: when the error names missing
 * members, it says who and what to do; otherwise the usual notice.
 */
export function memberFailure(err, committee) {
  if (err?.code === "member_deviated") return deviationNotice(err, committee);
  const missing = missingMembers(err?.message, committee);
  if (!missing.length) return errorNotice(err);
  return h(
    "div",
    { class: "notice error", role: "alert", dataset: { code: "member_missing" }, id: "member-missing" },
    h("h2", {}, `Waiting for ${nameList(missing)}`),
    h(
      "p",
      {},
      `Nothing arrived from ${missing.length === 1 ? "this member" : "these members"} for two minutes after the session closed (noticed at ${clock()}). ` +
        "They may have closed their page or lost their connection. Ask them to open their member link again in the browser that holds their key, then press “Join again” here: " +
        "the computation continues from where it stopped.",
    ),
    h("p", { class: "small muted" }, `Details: ${err.message}`),
  );
}

/**
 * The notice for a computation stopped by a member that broke the
 * protocol (`member_deviated`): who, when it can be named, and that
 * nothing wrong was published.
 */
function deviationNotice(err, committee) {
  const named = (Array.isArray(err.culprits) ? err.culprits : []).map(
    (i) => committee.find((c) => c.index === i) ?? { index: i, name: `Member ${i}` },
  );
  const who = named.length
    ? `${nameList(named)} sent values that fail the protocol's checks.`
    : "A member sent values that fail the protocol's checks; with this committee size it cannot be told which one.";
  return h(
    "div",
    { class: "notice error", role: "alert", dataset: { code: "member_deviated" }, id: "member-deviated" },
    h("h2", {}, named.length ? `${nameList(named)} broke the protocol` : "A committee member broke the protocol"),
    h(
      "p",
      {},
      `${who} The computation stopped and nothing was published, so no wrong result can appear. ` +
        "The organizer can replace that member and run the count again.",
    ),
    h("p", { class: "small muted" }, `Details: ${err.message}`),
  );
}

/**
 * A line that says, while the committee computes, how long it has been
 * waiting and what may be wrong once that is longer than usual. Returns
 * `{element, start(), stop()}`.
 */
export function computingClock({ slowAfter = 20 } = {}) {
  const element = h("p", { class: "small", id: "computing-clock", "aria-live": "off" });
  let timer = null;
  let since = 0;
  const tick = () => {
    const s = Math.round((Date.now() - since) / 1000);
    element.textContent =
      s < slowAfter
        ? `Computing since ${clock(new Date(since))}.`
        : `Still computing since ${clock(new Date(since))} (${s} s). Usually this takes seconds: a committee member may have closed their page. ` +
          "Every member must keep their page open until the result is published; if one is missing, the others name them after two minutes.";
    element.className = s < slowAfter ? "small muted" : "notice warn";
  };
  return {
    element,
    start() {
      if (timer) return;
      since = Date.now();
      tick();
      timer = setInterval(tick, 1000);
    },
    stop() {
      clearInterval(timer);
      timer = null;
      element.textContent = "";
      element.className = "small";
    },
  };
}
