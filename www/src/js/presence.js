// The committee in the organizer's live view: which members are online,
// computing, done or missing, from the relay's presence report (the
// session status's `members`: `{online, since}` per member, since in unix
// seconds of the last change, 0 when the relay has not seen the member)
// and the published result's signers. "Waiting for Carol since 14:02"
// when the committee needs a member that is not connected.

import { h } from "./dom.js";
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
  const rows = status.members.map((seen, i) => {
    const presence = presenceOf(status.state, seen, signers.has(i + 1));
    const time = seen.since ? hm(seen.since) : null;
    return { name: names[i] ?? t("member.n", { i: i + 1 }), presence, time, index: i + 1 };
  });
  const missing = rows.filter((r) => r.presence === "missing");
  const list = new Intl.ListFormat(language(), { type: "conjunction" });
  return h(
    "div",
    { id: "presence-box" },
    h("h3", {}, t("presence.heading")),
    missing.length
      ? h(
          "p",
          { class: "notice warn", role: "status", id: "presence-waiting" },
          missing.length === 1 && missing[0].time
            ? t("presence.waitingSince", { name: missing[0].name, time: missing[0].time })
            : t("presence.waiting", { names: list.format(missing.map((r) => r.name)) }),
        )
      : null,
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
