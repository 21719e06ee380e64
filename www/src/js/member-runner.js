// Runs the committee member in a Web Worker (the package's member module),
// for the committee console and an organizer's circle of members on this
// device.

import { verifiedImport } from "./verified.js";
import { toRelayLink } from "./relay-link.js";

/**
 * The committee computation of the package, in a Web Worker, with the key
 * stored as `keyName` (or `secret`, a key kept only as its key file and
 * unlocked by the page).
 */
export async function runMemberInWorker(link, keyName, onProgress, secret) {
  const worker = await verifiedImport("pkg/member-worker.js", () => import("../pkg/member-worker.js"));
  // The page may hold the link to this app (with `relay=`); the worker's
  // package needs the relay's.
  return worker.runMemberInWorker(toRelayLink(link), keyName, onProgress, secret);
}
