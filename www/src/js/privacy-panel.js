// "What leaves your browser": the committee the answer is encrypted to,
// with fingerprints and the threshold, in plain words.

import { h, uid, short } from "./dom.js";
import { t as tr } from "./i18n/index.js";

/** The panel for an opened `Participant`. */
export function privacyPanel(participant, { headingLevel = "h2" } = {}) {
  const committee = participant.committee();
  const n = committee.length;
  const t = participant.threshold;
  const id = uid("privacy");
  const collusion =
    t === 0 ? h("p", { class: "warn-text" }, tr("privacy.single")) : h("p", {}, tr("privacy.collusion", { t, n }));
  return h(
    "section",
    { class: "card privacy", "aria-labelledby": id },
    h(headingLevel, { id }, tr("privacy.heading")),
    h("p", {}, tr("privacy.shares", { n })),
    h(
      "ul",
      { class: "committee-list" },
      committee.map((m) =>
        h(
          "li",
          {},
          h("strong", {}, h("bdi", {}, m.name)),
          h("br"),
          h("span", { class: "small muted" }, tr("privacy.fingerprint")),
          h("span", { class: "fingerprint" }, m.fingerprint),
        ),
      ),
    ),
    collusion,
    h("p", {}, tr("privacy.server")),
    h(
      "p",
      { class: "small muted" },
      tr("privacy.sessionFingerprint"),
      h("code", {}, short(participant.manifestHash, 16)),
    ),
  );
}
