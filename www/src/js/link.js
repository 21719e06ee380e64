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
