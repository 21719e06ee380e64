// Sotto's service worker: pins the app on first use (docs/web.md,
// "Pinning"; docs/threat-model.md, "The app's code").
//
// On its first install it fetches build.json (the version, the SHA-384 of
// every file of the bundle and the release public key, `releaseKey`),
// build.json.sig (its Ed25519 signature) and index.html, checks that the
// signature is the release key's and that index.html is the one build.json
// lists, and keeps that as the pin (Cache Storage, "sotto-pin-v1").
//
// Then, for every page load (a navigation to the app):
//   - index.html with the pinned hash is served as it is (its integrity
//     attributes fix every module and wasm file it loads);
//   - a changed index.html is served only when the server's build.json
//     lists it and carries a valid signature by the pinned release key,
//     signed later than the pinned one (no going back to an older signed
//     version); the pin then moves to the new build (and to the key its
//     `nextKey` names, if any: a key rotation signed by the old key);
//   - otherwise the page is a notice that says the app changed without the
//     release key's signature; nothing of the changed code runs.
// Files the pinned build lists but whose requests carry no `integrity`
// (the committee worker's script: `new Worker()` takes none) are checked
// here against the pin. Other documents of the origin (a relay's error
// page, anything a server adds) are shown with `Content-Security-Policy:
// sandbox`: they cannot run script on the app's origin, where the keys
// live.
//
// GET sotto-pin.json (answered here, never sent) tells the page what runs.
//
// Not covered: this file itself. Browsers fetch a service worker's script
// from the server to look for updates, and a changed one replaces this
// one; a server that wants to drop the pin serves another sw.js. See the
// threat model.

const PIN_CACHE = "sotto-pin-v1";
const SCOPE = new URL(self.registration.scope);
const PIN_URL = new URL("sotto-pin.json", SCOPE).href;
const APP = new Set([SCOPE.pathname, `${SCOPE.pathname}index.html`]);

self.addEventListener("install", (event) => {
  event.waitUntil(pinFirst().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== SCOPE.origin) return;
  if (url.href === PIN_URL) {
    event.respondWith(pinStatus());
  } else if (req.mode === "navigate") {
    event.respondWith(navigate(req, url));
  } else if (!req.integrity) {
    event.respondWith(subresource(req, url));
  }
});

/** `sha384-…` of some bytes, as build.json writes it. */
async function sri(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
  return `sha384-${btoa(String.fromCharCode(...digest))}`;
}

function fromBase64(text) {
  return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
}

async function loadPin() {
  const cache = await caches.open(PIN_CACHE);
  const res = await cache.match(PIN_URL);
  return res ? res.json() : null;
}

async function savePin(pin) {
  const cache = await caches.open(PIN_CACHE);
  await cache.put(PIN_URL, new Response(JSON.stringify(pin), { headers: { "Content-Type": "application/json" } }));
}

/** The path of a file of the bundle relative to the scope, or null. */
function bundlePath(url) {
  if (!url.pathname.startsWith(SCOPE.pathname)) return null;
  return APP.has(url.pathname) ? "index.html" : url.pathname.slice(SCOPE.pathname.length);
}

/**
 * The server's build.json and its signature, checked with `key`: the
 * build, or the reason it cannot be trusted.
 */
async function signedBuild(key) {
  const [json, sig] = await Promise.all([
    fetch(new URL("build.json", SCOPE), { cache: "no-store" }),
    fetch(new URL("build.json.sig", SCOPE), { cache: "no-store" }),
  ]);
  if (!json.ok) return { reason: `the server has no build.json (HTTP ${json.status})` };
  const bytes = await json.arrayBuffer();
  let build;
  try {
    build = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { reason: "the server's build.json is not JSON" };
  }
  if (!build || typeof build.files !== "object" || typeof build.releaseKey !== "string") {
    return { reason: "the server's build.json names no release key" };
  }
  if (!sig.ok) return { reason: "the server's build.json is not signed (no build.json.sig)" };
  let valid;
  try {
    const pub = await crypto.subtle.importKey("raw", fromBase64(key ?? build.releaseKey), { name: "Ed25519" }, false, [
      "verify",
    ]);
    valid = await crypto.subtle.verify({ name: "Ed25519" }, pub, fromBase64(await sig.text()), bytes);
  } catch (err) {
    return { reason: `the signature could not be checked (${err?.name ?? err})` };
  }
  if (!valid) {
    return {
      reason: key
        ? "its build.json is not signed by the release key this browser pinned"
        : "its build.json's signature does not match its own release key",
    };
  }
  return { build };
}

/** The pin of a build whose index.html hashes to `index`. */
function pinOf(build, index, previous) {
  return {
    version: String(build.version),
    index,
    files: build.files,
    // A build signed by the pinned key may hand the pin to a new key.
    releaseKey: typeof build.nextKey === "string" ? build.nextKey : build.releaseKey,
    signedAt: String(build.signedAt ?? ""),
    pinnedAt: previous?.pinnedAt ?? new Date().toISOString(),
    updatedAt: previous ? new Date().toISOString() : null,
    previousVersion: previous ? previous.version : null,
  };
}

/** First use: pins the build the server serves now (when it is signed and consistent). */
async function pinFirst() {
  try {
    if (await loadPin()) return;
    const { build, reason } = await signedBuild(null);
    if (!build) {
      console.warn(`sotto: not pinned: ${reason}`);
      return;
    }
    const page = await fetch(SCOPE, { cache: "no-store" });
    const index = await sri(await page.arrayBuffer());
    if (!page.ok || build.files["index.html"] !== index) {
      console.warn("sotto: not pinned: index.html is not the one build.json lists");
      return;
    }
    await savePin(pinOf(build, index, null));
  } catch (err) {
    console.warn(`sotto: not pinned: ${err}`);
  }
}

/** The response `res` with `body`, without the headers of the encoding it came in. */
function rebuilt(res, body, extra = {}) {
  const headers = new Headers(res.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  for (const [k, v] of Object.entries(extra)) headers.append(k, v);
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

async function navigate(req, url) {
  const pin = await loadPin();
  if (!pin) return fetch(req);
  const path = bundlePath(url);
  const res = await fetch(req);
  const body = await res.arrayBuffer();
  const hash = await sri(body);
  if (path !== "index.html") {
    // A document of the bundle (the embedding example) with its pinned
    // hash runs; anything else is shown without script.
    const pinned = path !== null && pin.files[path] === hash && res.ok;
    return rebuilt(res, body, pinned ? {} : { "Content-Security-Policy": "sandbox" });
  }
  if (!res.ok) return rebuilt(res, body, { "Content-Security-Policy": "sandbox" });
  if (hash === pin.index) return rebuilt(res, body);
  const { build, reason } = await signedBuild(pin.releaseKey);
  let why = reason;
  if (build && build.files["index.html"] !== hash) why = "the page served is not the one its signed build.json lists";
  else if (build && !(String(build.signedAt ?? "") > pin.signedAt)) {
    why = `its signed build (${build.signedAt}) is not newer than the pinned one (${pin.signedAt})`;
  }
  if (build && !why) {
    await savePin(pinOf(build, hash, pin));
    return rebuilt(res, body);
  }
  return refusal(pin, hash, why);
}

/** A file of the pinned bundle fetched without `integrity`: checked here. */
async function subresource(req, url) {
  const pin = await loadPin();
  const path = pin && bundlePath(url);
  const expected = path && path !== "index.html" ? pin.files[path] : undefined;
  // A file outside the bundle goes to the network as it would without the
  // worker; a failed fetch (the page left, the relay went away) answers
  // with a network error instead of rejecting respondWith, which browsers
  // report as an error of the worker.
  if (!expected) return fetch(req).catch(() => Response.error());
  const res = await fetch(req);
  if (!res.ok) return res;
  const body = await res.arrayBuffer();
  if ((await sri(body)) !== expected) {
    console.error(`sotto: ${path} does not match the pinned build; refused`);
    return Response.error();
  }
  return rebuilt(res, body);
}

async function pinStatus() {
  const pin = await loadPin();
  const status = pin
    ? {
        pinned: true,
        version: pin.version,
        index: pin.index,
        releaseKey: pin.releaseKey,
        signedAt: pin.signedAt,
        pinnedAt: pin.pinnedAt,
        updatedAt: pin.updatedAt,
        previousVersion: pin.previousVersion,
        refused: lastRefusal,
      }
    : { pinned: false };
  return new Response(JSON.stringify(status), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

/** The last refused version (for the about panel of the pinned app), if any. */
let lastRefusal = null;

const escape = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function refusal(pin, served, why) {
  lastRefusal = { served, why, at: new Date().toISOString() };
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Sotto: this copy of the app was changed</title>
<link rel="icon" href="data:," />
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1f; }
.notice { border-left: 4px solid #b3261e; background: #fdecea; padding: 0.75rem 1rem; }
code { word-break: break-all; font-size: 0.85em; }
</style>
</head>
<body>
<main id="main">
<h1>This copy of Sotto was changed</h1>
<div class="notice error" role="alert" data-code="app_unsigned_change">
<p>The server now sends a different version of the app than the one this browser pinned on its first visit, and the change is not signed by the app's release key: ${escape(why)}.</p>
<p>The changed app was not run. Nothing was sent and no key was read.</p>
</div>
<h2>What you can do</h2>
<ul>
<li>Do not enter answers or keys on this site for now, and tell the person who sent you the link.</li>
<li>If the site's operator announced a new release, they can sign it with the release key; the page then opens normally.</li>
<li>To trust the new version anyway, remove this site's data in the browser's settings; the next visit pins what the server sends then.</li>
</ul>
<h2>Details</h2>
<dl>
<dt>Pinned version</dt><dd>${escape(pin.version)} (signed ${escape(pin.signedAt)}, pinned ${escape(pin.pinnedAt)})</dd>
<dt>Pinned index.html</dt><dd><code>${escape(pin.index)}</code></dd>
<dt>Served index.html</dt><dd><code>${escape(served)}</code></dd>
<dt>Release key</dt><dd><code>${escape(pin.releaseKey)}</code></dd>
</dl>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      "X-Frame-Options": "DENY",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
}
