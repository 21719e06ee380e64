// The running copy of the app: its pinning on first use (the service
// worker www/src/sw.js; docs/web.md, "Pinning") and a footer panel that
// shows its version, the SHA-384 of its index.html (which fixes every
// other file by integrity) and the release key it was pinned with.

import { h, replace } from "./dom.js";
import { t } from "./i18n/index.js";

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
  const panel = h("details", { class: "app-version" }, h("summary", {}, t("version.summary")), body);
  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    try {
      const v = await appVersion();
      const row = (term, value) => (value ? [h("dt", {}, term), h("dd", {}, value)] : []);
      replace(
        body,
        h("p", {}, v.pinned ? t("version.pinned") : t("version.notPinned")),
        h(
          "dl",
          {},
          row(t("version.version"), v.version),
          row(t("version.hash"), v.index && h("code", { "data-app-hash": "" }, v.index)),
          row(t("version.key"), v.releaseKey && h("code", {}, v.releaseKey)),
          row(t("version.signed"), v.signedAt),
          row(t("version.since"), v.pinnedAt),
          row(t("version.from"), v.previousVersion && `${v.previousVersion} (${v.updatedAt})`),
        ),
      );
      body.dataset.pinned = String(v.pinned);
    } catch (err) {
      replace(body, h("p", {}, t("version.unreadable", { err: String(err) })));
    }
  });
  footer.append(panel);
}
