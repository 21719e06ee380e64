// Loads the Sotto WebAssembly package (copied into dist/pkg by
// scripts/build-www.sh) once, and knows where this site's relay is.

import init, * as sotto from "../pkg/web/sotto.js";
import { verifiedImport } from "./verified.js";

/** @type {Promise<typeof sotto> | undefined} */
let loading;

/**
 * Resolves to the initialized package module (Organizer, Participant, …).
 * @returns {Promise<typeof sotto>}
 */
export function loadSotto() {
  loading ??= init().then(() => sotto);
  return loading;
}

/** The relay's WebSocket endpoint: the same host that served the page. */
export function relayUrl(origin = location) {
  const scheme = origin.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${origin.host}/ws`;
}

/** The committee console of the package, in a Web Worker. */
export async function runMemberInWorker(link, keyName, onProgress) {
  const worker = await verifiedImport("pkg/member-worker.js", () => import("../pkg/member-worker.js"));
  return worker.runMemberInWorker(link, keyName, onProgress);
}
