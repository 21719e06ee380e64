// Plain-language explanations of the package's error codes, each with what
// the person can do about it.

import { h } from "./dom.js";

const MESSAGES = {
  bad_link: {
    title: "This link is incomplete or damaged",
    body: "Copy the whole link again from the message you received (it is long and ends with r=…), or ask the organizer to send it again.",
  },
  manifest_mismatch: {
    title: "This session may have been tampered with",
    body: "The session description on the server does not match the fingerprint in your link. Do not answer. Tell the organizer, through another channel, that the link failed its check.",
  },
  app_tampered: {
    title: "This copy of Sotto failed its integrity check",
    body: "A file of the app does not match the hash the page was built with, so it was not run. Do not answer here. Reload later, or tell the organizer through another channel.",
  },
  invalid_answer: {
    title: "The answer is not complete yet",
    body: "Check the highlighted questions and try again.",
  },
  relay_unreachable: {
    title: "Cannot reach the Sotto server",
    body: "Check your connection. Sotto keeps retrying; nothing is confirmed until it gets through.",
    retry: true,
  },
  already_submitted: {
    title: "This link has already been used",
    body: "Each personal link counts once, and an answer was already stored with it (after a connection problem, possibly your own first attempt). If it was not you, tell the organizer.",
  },
  session_closed: {
    title: "This session is closed",
    body: "Answers are no longer accepted. The organizer shares the result when the committee has computed it.",
  },
  unauthorized: {
    title: "The server did not accept this link",
    body: "Its access code is not valid for this session. Ask the organizer for a new link.",
  },
  rate_limited: {
    title: "Too many requests in a short time",
    body: "Wait a minute, then try again.",
    retry: true,
  },
  refused: {
    title: "The server refused the request",
    body: "The session may not be open yet, or it does not accept this action now.",
  },
  bad_key: {
    title: "The key could not be read",
    body: "Check the key file and its passphrase.",
  },
  unverified: {
    title: "The result could not be verified",
    body: "The committee's signatures on the published result do not check out. Do not rely on it; tell the organizer.",
  },
  no_result: {
    title: "No result yet",
    body: "The committee has not published a signed result yet.",
    retry: true,
  },
  computation_failed: {
    title: "The committee could not finish",
    body: "A committee member dropped out or disagreed. The organizer can ask the members to join again.",
  },
  member_deviated: {
    title: "A committee member broke the protocol",
    body: "The computation stopped and nothing was published, so no wrong result can appear. The details name the member when it can be identified; the organizer can run the count again without it.",
  },
  member_left_out: {
    title: "The other members went on without you",
    body: "This member did not answer in time, so the others compute the result without it. Nothing is lost and nothing more is needed from you; the result appears on the results page.",
  },
  storage: {
    title: "This browser's storage is not available",
    body: "Private windows and some settings block it. Use a normal window of a current browser.",
  },
  invalid_options: {
    title: "The session settings are not valid",
    body: "Change the setting named below and try again.",
  },
  internal: {
    title: "Something went wrong",
    body: "Reload the page and try again. If it keeps happening, report it with the time it happened.",
  },
};

/** `{code, title, body, detail, retry}` for any thrown value. */
export function describeError(err) {
  const code = (err && err.code) || "internal";
  const known = MESSAGES[code] ?? MESSAGES.internal;
  const detail = err && err.message ? String(err.message) : String(err ?? "");
  return { code, ...known, retry: Boolean(known.retry), detail };
}

/**
 * A notice element for `err`. `actions` are extra buttons; the technical
 * message is kept for people who report the problem.
 */
export function errorNotice(err, { actions = [], showDetail = true } = {}) {
  const d = describeError(err);
  const tone = d.code === "no_result" || d.retry ? "warn" : "error";
  return h(
    "div",
    { class: `notice ${tone}`, role: tone === "error" ? "alert" : "status", dataset: { code: d.code } },
    h("h2", {}, d.title),
    h("p", {}, d.body),
    // For refused settings the reason is the message, not small print.
    d.code === "invalid_options" && d.detail ? h("p", { class: "reason" }, h("strong", {}, d.detail)) : null,
    d.code === "invalid_options" && err?.detail ? h("p", { class: "small muted" }, `Details: ${err.detail}`) : null,
    showDetail && d.code !== "invalid_options" && d.detail && d.detail !== d.title
      ? h("p", { class: "small muted" }, `Details: ${d.detail}`)
      : null,
    actions.length ? h("div", { class: "button-row" }, actions) : null,
  );
}
