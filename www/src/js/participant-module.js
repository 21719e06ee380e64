// Loads the participant's WebAssembly module (pkg/participant, copied into
// dist by scripts/build-www.sh) once: `Participant`, `verifyResult` and
// `checkReceipt`, without the organizer's and the committee console's
// code, so the pages where people answer or read a result download the
// smallest module (docs/web.md, "Delivery"; js/sotto.js loads the
// organizer's module, js/console-module.js the console's).

import init, * as sotto from "../pkg/participant/sotto.js";

/** @type {Promise<typeof sotto> | undefined} */
let loading;

/**
 * Resolves to the initialized participant module.
 * @returns {Promise<typeof sotto>}
 */
export function loadParticipantModule() {
  loading ??= init().then(() => sotto);
  return loading;
}
