// Loads the committee console's WebAssembly module (pkg/console, copied
// into dist by scripts/build-www.sh) once: the key store, key files
// (Argon2id) and reading links and results, without the organizer's or the
// participant's code (js/modules.js).

import init, * as sotto from "../pkg/console/sotto.js";

/** @type {Promise<typeof sotto> | undefined} */
let loading;

/**
 * Resolves to the initialized console module.
 * @returns {Promise<typeof sotto>}
 */
export function loadConsoleModule() {
  loading ??= init().then(() => sotto);
  return loading;
}
