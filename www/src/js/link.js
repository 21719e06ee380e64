// Invite links: `http://HOST/#s=<session>&h=<manifest hash>&t=<token>&r=<role>`.
// The fragment never reaches the server. The site root dispatches on `r=`.

/** The route named by a URL fragment. */
export function routeOf(hash) {
  const fragment = (hash ?? "").replace(/^#/, "");
  if (fragment === "") return { view: "create" };
  if (fragment === "console") return { view: "console" };
  const params = new URLSearchParams(fragment);
  const role = params.get("r");
  if (params.has("manage")) return { view: "manage", session: params.get("manage") };
  if (role === "participant") return { view: "participate" };
  if (role === "member") return { view: "console" };
  if (role === "organizer") return { view: "results" };
  if (params.has("s") || params.has("r")) return { view: "bad-link" };
  return { view: "create" };
}

/** The session id (hex) of an invite link, or "" when it has none. */
export function sessionOf(link) {
  const at = link.indexOf("#");
  if (at < 0) return "";
  return new URLSearchParams(link.slice(at + 1)).get("s") ?? "";
}

/** The token of an invite link, or "". */
export function tokenOf(link) {
  const at = link.indexOf("#");
  if (at < 0) return "";
  return new URLSearchParams(link.slice(at + 1)).get("t") ?? "";
}

/** The link to the organizer's page of a session kept in this browser. */
export function manageHref(session) {
  return `#manage=${encodeURIComponent(session)}`;
}

/**
 * What a participant link's state from the relay (`Participant.linkState`:
 * `{state, used, resubmit}`) means for the form, before anything is
 * filled in: `null` (answer), `"again"` (a used single-use link the
 * session lets answer again; the new answer replaces the stored one), or
 * an error `{code, message}` that blocks the form (a used link, a closed
 * or unpublished session).
 */
export function linkBlock({ state, used, resubmit }) {
  if (state === "open" && !used) return null;
  if (state === "open" && resubmit) return "again";
  const code = state === "open" ? "already_submitted" : state === "draft" ? "refused" : "session_closed";
  const why = state === "open" ? "an answer is already stored with this single-use link" : `the session is ${state}`;
  return Object.assign(new Error(why), { code });
}

/** Errors of `linkState` that mean the link cannot answer (others, like an unreachable relay, leave it to the submission's retries). */
export const LINK_REFUSED = ["unauthorized", "bad_link", "already_submitted"];
