// The running copy of the app: its pinning on first use (the service
// worker www/src/sw.js; docs/web.md, "Pinning") and a footer panel that
// shows its version, the SHA-384 of its index.html (which fixes every
// other file by integrity) and the release key it was pinned with.

import { h, replace } from "./dom.js";

/** Whether this page is the built app (the unbuilt sources have no build.json and no pin). */
function built() {
  return document.querySelector('meta[name="sotto-modules"]') !== null;
}

/** Registers the pinning service worker (the built app only, where the browser has them). */
export async function startPinning() {
  if (!built() || !("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(new URL("sw.js", document.baseURI), {
      scope: "./",
      updateViaCache: "none",
    });
  } catch (err) {
    // Private windows and some browsers refuse service workers: the app
    // still runs, unpinned (the panel says so).
    console.warn(`sotto: the app cannot be pinned here: ${err}`);
  }
}

/**
 * What the panel shows: the pin (from the service worker, when it controls
 * this page), else what the server's build.json says.
 *
 * @returns {Promise<{pinned: boolean, version?: string, index?: string, releaseKey?: string, signedAt?: string, pinnedAt?: string, updatedAt?: string | null, previousVersion?: string | null}>}
 */
export async function appVersion() {
  if (navigator.serviceWorker?.controller) {
    const res = await fetch("sotto-pin.json", { cache: "no-store" });
    if (res.ok) {
      const pin = await res.json();
      if (pin.pinned) return pin;
    }
  }
  const res = await fetch("build.json", { cache: "no-store" });
  if (!res.ok) return { pinned: false };
  const build = await res.json();
  return {
    pinned: false,
    version: build.version,
    index: build.files?.["index.html"],
    releaseKey: build.releaseKey,
    signedAt: build.signedAt,
  };
}

/** Adds the "This copy of Sotto" panel to `footer`; it loads its details when opened. */
export function versionPanel(footer) {
  if (!built() || !footer) return;
  const body = h("div", { class: "app-version-body" }, "…");
  const panel = h("details", { class: "app-version" }, h("summary", {}, "This copy of Sotto"), body);
  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    try {
      const v = await appVersion();
      const row = (term, value) => (value ? [h("dt", {}, term), h("dd", {}, value)] : []);
      replace(
        body,
        h(
          "p",
          {},
          v.pinned
            ? "Pinned on first use: this browser runs this version, and a later one only when it is signed by the same release key."
            : "Not pinned yet (or this browser keeps no service workers here): the version the server names.",
        ),
        h(
          "dl",
          {},
          row("Version", v.version),
          row("App hash (SHA-384 of index.html)", v.index && h("code", { "data-app-hash": "" }, v.index)),
          row("Release key (Ed25519)", v.releaseKey && h("code", {}, v.releaseKey)),
          row("Signed", v.signedAt),
          row("Pinned since", v.pinnedAt),
          row("Updated from", v.previousVersion && `${v.previousVersion} (${v.updatedAt})`),
        ),
      );
      body.dataset.pinned = String(v.pinned);
    } catch (err) {
      replace(body, h("p", {}, `The version could not be read: ${err}`));
    }
  });
  footer.append(panel);
}
