// Loads the organizer's WebAssembly module (pkg/organizer, copied into
// dist by scripts/build-www.sh) once, for the organizer's pages (create,
// manage, and the results of a session this browser organizes), and knows
// where this site's relay is. (The participant's pages load
// js/participant-module.js, the committee console js/console-module.js:
// js/modules.js.)

import init, * as sotto from "../pkg/organizer/sotto.js";
import { configuredRelay, toAppLink } from "./relay-link.js";

/** @type {Promise<typeof sotto> | undefined} */
let loading;

/**
 * Resolves to the initialized organizer's module (Organizer, Participant,
 * answerSize, the key store, …).
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
