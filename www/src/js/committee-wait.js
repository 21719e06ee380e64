// Who the committee is waiting for. The members' progress events do not
// say which member is missing; the one place that does is the error a
// member gives up with when nothing new arrived for two minutes after the
// close ("… waiting for members [2, 3] …"). These helpers turn that into
// names, and say plainly how long the computation has been waiting.

import { h } from "./dom.js";
import { errorNotice } from "./errors.js";
import { download } from "./download.js";
import { clock } from "./format.js";
import { t, language } from "./i18n/index.js";

/** The committee entries (`{index, name}`) named as missing in a member's error message. */
export function missingMembers(message, committee) {
  const m = String(message ?? "").match(/waiting for members \[([\d,\s]*)\]/);
  if (!m) return [];
  const wanted = m[1]
    .split(",")
    .map((s) => Number(s.trim()))
    .filter(Number.isInteger);
  return wanted.map((i) => committee.find((c) => c.index === i) ?? { index: i, name: t("member.n", { i }) });
}

/** "Grace (member 2) and Alan (member 3)". */
export function nameList(members) {
  const names = members.map((m) => t("wait.named", { name: m.name, index: m.index }));
  return new Intl.ListFormat(language(), { type: "conjunction" }).format(names);
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
    h("h2", {}, t("wait.waitingFor", { names: nameList(missing) })),
    h("p", {}, t("wait.missingBody", { n: missing.length, time: clock() })),
    h("p", { class: "small muted" }, t("err.details", { detail: err.message })),
  );
}

/**
 * The notice for a computation stopped by a member that broke the
 * protocol (`member_deviated`): who, when it can be named, and that
 * nothing wrong was published.
 */
function deviationNotice(err, committee) {
  const named = (Array.isArray(err.culprits) ? err.culprits : []).map(
    (i) => committee.find((c) => c.index === i) ?? { index: i, name: t("member.n", { i }) },
  );
  const who = named.length ? t("wait.sentBad", { names: nameList(named) }) : t("wait.someoneBad");
  return h(
    "div",
    { class: "notice error", role: "alert", dataset: { code: "member_deviated" }, id: "member-deviated" },
    h("h2", {}, named.length ? t("wait.broke", { names: nameList(named) }) : t("err.member_deviated.title")),
    h("p", {}, `${who} ${t("wait.stopped")}`),
    err.evidence instanceof Uint8Array ? proofDownload(err.evidence, named) : null,
    h("p", { class: "small muted" }, t("err.details", { detail: err.message })),
  );
}

/** A button that saves the signed proof of a deviation, and what it is for. */
function proofDownload(evidence, named) {
  const who = named.map((m) => m.index).join("-") || "member";
  return h(
    "div",
    { id: "deviation-proof" },
    h(
      "button",
      { type: "button", class: "secondary", onclick: () => download(`sotto-proof-member-${who}.bin`, evidence) },
      t("wait.proof"),
    ),
    h("p", { class: "small" }, t("wait.proofHelp")),
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
    const time = clock(new Date(since));
    element.textContent = s < slowAfter ? t("wait.since", { time }) : t("wait.slow", { time, s });
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
