// "What leaves your browser": the committee the answer is encrypted to,
// with fingerprints and the threshold, in plain words.

import { h, uid, short } from "./dom.js";

/** The panel for an opened `Participant`. */
export function privacyPanel(participant, { headingLevel = "h2" } = {}) {
  const committee = participant.committee();
  const n = committee.length;
  const t = participant.threshold;
  const id = uid("privacy");
  const collusion =
    t === 0
      ? h("p", { class: "warn-text" }, "Warning: in this session a single committee member could read your answer.")
      : h(
          "p",
          {},
          `${t === 1 ? "No single member learns anything" : `Up to ${t} of them together learn nothing`} about your answer: it would take ${t + 1} of the ${n} members working together to read it. The committee only publishes the combined result the session allows.`,
        );
  return h(
    "section",
    { class: "card privacy", "aria-labelledby": id },
    h(headingLevel, { id }, "What leaves your browser"),
    h(
      "p",
      {},
      `Only encrypted pieces. This page splits your answer into ${n} random-looking shares and encrypts each one to one committee member:`,
    ),
    h(
      "ul",
      { class: "committee-list" },
      committee.map((m) =>
        h(
          "li",
          {},
          h("strong", {}, h("bdi", {}, m.name)),
          h("br"),
          h("span", { class: "small muted" }, "key fingerprint "),
          h("span", { class: "fingerprint" }, m.fingerprint),
        ),
      ),
    ),
    collusion,
    h(
      "p",
      {},
      "The server stores and forwards the encrypted shares; it sees their size and when they arrived, not your answer.",
    ),
    h(
      "p",
      { class: "small muted" },
      "Session fingerprint checked against your link: ",
      h("code", {}, short(participant.manifestHash, 16)),
    ),
  );
}
