// Loads the Sotto WebAssembly package (copied into dist/pkg by
// scripts/build-www.sh) once, and knows where this site's relay is.

import init, * as sotto from "../pkg/web/sotto.js";
import { verifiedImport } from "./verified.js";
import { configuredRelay, toAppLink, toRelayLink } from "./relay-link.js";

/** @type {Promise<typeof sotto> | undefined} */
let loading;

/**
 * Resolves to the initialized package module (Organizer, Participant, …).
 * @returns {Promise<typeof sotto>}
 */
export function loadSotto() {
  loading ??= init().then(() => {
    if (configuredRelay()) showAppLinks(sotto.Organizer.prototype);
    return sotto;
  });
  return loading;
}

/**
 * With the app on another origin than its relay, the organizer's links
 * (which the package makes on the relay's origin) become links to this
 * app carrying `relay=` (js/relay-link.js).
 */
function showAppLinks(proto) {
  const links = proto.links;
  proto.links = function () {
    const l = links.call(this);
    return {
      ...l,
      members: l.members.map(toAppLink),
      participants: l.participants.map(toAppLink),
      read: toAppLink(l.read),
    };
  };
  const mint = proto.mintLinks;
  proto.mintLinks = async function (count) {
    return (await mint.call(this, count)).map(toAppLink);
  };
}

/**
 * The relay's WebSocket endpoint: the relay this build was pointed at, or
 * else the same host that served the page.
 */
export function relayUrl(origin = new URL(configuredRelay() ?? location.href)) {
  const scheme = origin.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${origin.host}/ws`;
}

/** The committee console of the package, in a Web Worker. */
export async function runMemberInWorker(link, keyName, onProgress) {
  const worker = await verifiedImport("pkg/member-worker.js", () => import("../pkg/member-worker.js"));
  // The page may hold the link to this app (with `relay=`); the worker's
  // package needs the relay's.
  return worker.runMemberInWorker(toRelayLink(link), keyName, onProgress);
}
