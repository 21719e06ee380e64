// Plain-language explanations of the package's error codes, each with what
// the person can do about it.

import { h } from "./dom.js";
import { t } from "./i18n/index.js";

// Texts are in the catalog (js/i18n): `err.<code>.title` and `.body`.
const CODES = new Set([
  "bad_link",
  "manifest_mismatch",
  "app_tampered",
  "invalid_answer",
  "relay_unreachable",
  "already_submitted",
  "session_closed",
  "unauthorized",
  "rate_limited",
  "refused",
  "bad_key",
  "unverified",
  "no_result",
  "computation_failed",
  "member_deviated",
  "member_left_out",
  "storage",
  "invalid_options",
  "internal",
]);
const RETRY = new Set(["relay_unreachable", "rate_limited", "no_result"]);

/** `{code, title, body, detail, retry}` for any thrown value. */
export function describeError(err) {
  const code = (err && err.code) || "internal";
  const known = CODES.has(code) ? code : "internal";
  const detail = err && err.message ? String(err.message) : String(err ?? "");
  return { code, title: t(`err.${known}.title`), body: t(`err.${known}.body`), retry: RETRY.has(known), detail };
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
    d.code === "invalid_options" && err?.detail
      ? h("p", { class: "small muted" }, t("err.details", { detail: err.detail }))
      : null,
    showDetail && d.code !== "invalid_options" && d.detail && d.detail !== d.title
      ? h("p", { class: "small muted" }, t("err.details", { detail: d.detail }))
      : null,
    actions.length ? h("div", { class: "button-row" }, actions) : null,
  );
}
