// The organizer's sessions, kept in this browser's localStorage. Each
// record holds the capability JSON of `Organizer.exportCapability()`: a
// secret that can close the session and read its result. It never leaves
// the browser except as a file the organizer exports on purpose.

const KEY = "sotto.organizer.sessions.v1";

function readAll() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function writeAll(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
}

/** All kept sessions, newest first. */
export function listSessions() {
  return readAll().sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

export function getSession(session) {
  return readAll().find((r) => r.session === session);
}

/** Inserts or replaces the record of `record.session`. */
export function saveSession(record) {
  const list = readAll().filter((r) => r.session !== record.session);
  list.push(record);
  writeAll(list);
}

export function updateSession(session, patch) {
  const rec = getSession(session);
  if (rec) saveSession({ ...rec, ...patch });
}

export function forgetSession(session) {
  writeAll(readAll().filter((r) => r.session !== session));
}

/** A record for an organizer, from its package object. */
export function recordOf(org, extra = {}) {
  const manifest = org.manifest();
  return {
    session: org.sessionId,
    title: manifest.title,
    kind: manifest.kind.kind,
    createdAt: Date.now(),
    capability: org.exportCapability(),
    closed: false,
    ...extra,
  };
}

// Receipts of the participant, per session, so a returning participant
// sees that this browser already answered.
const RECEIPTS = "sotto.receipts.v1";

export function saveReceipt(receipt) {
  const all = JSON.parse(localStorage.getItem(RECEIPTS) ?? "{}");
  all[receipt.submissionId] = receipt;
  localStorage.setItem(RECEIPTS, JSON.stringify(all));
}

export function receiptsFor(session) {
  const all = JSON.parse(localStorage.getItem(RECEIPTS) ?? "{}");
  return Object.values(all).filter((r) => r.session === session);
}

/**
 * The last receipt this browser kept for `link` (same session, same
 * token), or null. The participate page and the widget refuse a second
 * answer from the same browser with it, before anything is sent: for an
 * open link that is the only check there is (the relay accepts any number
 * of answers from it, limited in rate).
 */
export function answeredWith(session, token) {
  try {
    const mine = receiptsFor(session).filter((r) => r.tokenTag === token.slice(0, 8));
    return mine.sort((a, b) => (a.savedAt ?? 0) - (b.savedAt ?? 0)).at(-1) ?? null;
  } catch {
    return null;
  }
}
