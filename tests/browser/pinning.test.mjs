// Pinning on first use (docs/web.md, "Pinning"; www/src/sw.js), on a real
// relay serving a copy of www/dist that the test changes between visits of
// one browser profile:
//   - the first visit pins the build (version, index.html's hash, release
//     key), and the footer panel shows what runs;
//   - a changed bundle (a new entry module that sets a global, with
//     index.html and build.json rewritten to match) is refused when
//     build.json is unsigned, and when it is signed by another key: the
//     page is the refusal notice and the changed code does not run;
//   - the same bundle signed by the release key is accepted: the changed
//     code runs and the panel shows the new version;
//   - the first build again (signed, but earlier) is then refused: no going
//     back to an older signed version;
//   - a build signed by the release key with `nextKey` moves the pin to
//     another key: a build signed by that key is then accepted.

import { createHash, generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BROWSER } from "./browsers.mjs";
import { ROOT, runTest, log, assert } from "./lib.mjs";
import { publicKeyOf, readKey, signBuild } from "../../www/release.mjs";

const dist = mkdtempSync(join(tmpdir(), "sotto-pin-"));
cpSync(join(ROOT, "www", "dist"), dist, { recursive: true });
process.on("exit", () => rmSync(dist, { recursive: true, force: true }));

const releaseKeyFile = process.env.SOTTO_RELEASE_KEY ?? join(ROOT, ".release", "dev-release-key.pem");
const releaseKey = readKey(releaseKeyFile);

const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

/** Writes a file of the served copy, dropping its precompressed twins (the relay would prefer them). */
function put(file, bytes) {
  const path = join(dist, file);
  writeFileSync(path, bytes);
  for (const ext of ["br", "gz"]) rmSync(`${path}.${ext}`, { force: true });
}

/** Every top-level file the test changes, as the build wrote them. */
const ORIGINAL = Object.fromEntries(
  ["index.html", "build.json", "build.json.sig"].map((f) => [f, readFileSync(join(dist, f))]),
);
const build0 = JSON.parse(ORIGINAL["build.json"].toString());

/**
 * Serves a changed bundle: a copy of the entry module under a new name that
 * also sets `globalThis.stolen`, index.html loading it (with its
 * integrity), and build.json listing both with the version `version`;
 * unsigned (no build.json.sig) until `sign` is called on it.
 */
function serveChanged(version) {
  const oldEntry = build0.entry;
  const code = Buffer.concat([readFileSync(join(dist, oldEntry)), Buffer.from("\n;globalThis.stolen = 1;\n")]);
  const newEntry = oldEntry.replace(/\.js$/, "-changed.js");
  put(newEntry, code);
  const html = ORIGINAL["index.html"]
    .toString()
    .replace(`src="${oldEntry}" integrity="${build0.files[oldEntry]}"`, `src="${newEntry}" integrity="${sri(code)}"`);
  assert(html.includes(newEntry), "the changed index.html loads the changed entry");
  put("index.html", html);
  const build = structuredClone(build0);
  delete build.releaseKey;
  delete build.signedAt;
  build.version = version;
  build.entry = newEntry;
  build.files[newEntry] = sri(code);
  build.files["index.html"] = sri(Buffer.from(html));
  put("build.json", `${JSON.stringify(build, null, 2)}\n`);
  rmSync(join(dist, "build.json.sig"), { force: true });
  return build.files["index.html"];
}

/** Serves the build as it was made. */
function serveOriginal() {
  for (const [f, bytes] of Object.entries(ORIGINAL)) put(f, bytes);
}

/** The service worker's pin, as the page sees it (null before the worker controls the page). */
async function pinOf(page) {
  return page.evaluate(async () => {
    if (!navigator.serviceWorker.controller) return null;
    const res = await fetch("sotto-pin.json", { cache: "no-store" });
    return res.ok ? res.json() : null;
  });
}

/** Opens the start page and says what it shows: "app" or "refused" (and whether changed code ran). */
async function visit(page, origin) {
  await page.goto(`${origin}/`);
  const app = page.locator("#create-form");
  const refused = page.locator("[data-code=app_unsigned_change]");
  await app.or(refused).first().waitFor({ timeout: 30_000 });
  const shown = (await refused.count()) > 0 ? "refused" : "app";
  const ran = await page.evaluate(() => "stolen" in globalThis);
  const text = (await page.locator("main").innerText()).replace(/\s+/g, " ");
  return { shown, ran, text };
}

/** The footer panel's version and app hash. */
async function panel(page) {
  const details = page.locator("details.app-version");
  await details.locator("summary").click();
  await page.locator(".app-version-body[data-pinned]").waitFor();
  const text = await page.locator(".app-version-body").innerText();
  const hash = await page.locator(".app-version-body [data-app-hash]").innerText();
  return { pinned: await page.locator(".app-version-body").getAttribute("data-pinned"), text, hash };
}

await runTest(
  "pinning",
  async ({ relay, context }) => {
    const profile = await context();
    const page = await profile.newPage();

    // First use: the app runs and the service worker pins this build.
    let seen = await visit(page, relay.origin);
    assert(seen.shown === "app" && !seen.ran, `the first visit runs the build: ${seen.text.slice(0, 200)}`);
    let pin = null;
    for (let i = 0; i < 100 && !pin?.pinned; i++) {
      await page.waitForTimeout(100);
      pin = await pinOf(page);
    }
    assert(pin?.pinned, `the first visit pins the build: ${JSON.stringify(pin)}`);
    assert(pin.index === build0.files["index.html"], "the pin is the served index.html");
    assert(pin.releaseKey === build0.releaseKey && pin.version === build0.version, "the pin names the release key");
    let shown = await panel(page);
    assert(
      shown.pinned === "true" && shown.hash === build0.files["index.html"],
      `the panel shows the pin: ${shown.text}`,
    );
    assert(shown.text.includes(build0.version), "the panel shows the version");
    log(`pinned ${pin.version} ${pin.index.slice(0, 20)}… with key ${pin.releaseKey}`);

    // The same build again: runs.
    seen = await visit(page, relay.origin);
    assert(seen.shown === "app", "the pinned build runs on the next visit");

    // A changed bundle without a signature: refused, its code never runs.
    const changed = serveChanged(`${build0.version}+changed`);
    seen = await visit(page, relay.origin);
    log(`unsigned change: ${seen.text.slice(0, 160)}`);
    assert(seen.shown === "refused" && !seen.ran, `a changed unsigned bundle is refused: ${seen.text.slice(0, 300)}`);
    assert(/not signed/.test(seen.text), `the notice says why: ${seen.text}`);
    assert(
      seen.text.includes(changed) && seen.text.includes(build0.files["index.html"]),
      "the notice names both hashes",
    );

    // Signed by another key: refused.
    const { privateKey: otherKey } = generateKeyPairSync("ed25519");
    signBuild(dist, otherKey);
    for (const ext of ["br", "gz"]) rmSync(join(dist, `build.json.${ext}`), { force: true });
    seen = await visit(page, relay.origin);
    assert(
      seen.shown === "refused" && !seen.ran,
      `a bundle signed by another key is refused: ${seen.text.slice(0, 300)}`,
    );
    assert(/not signed by the release key this browser pinned/.test(seen.text), `the notice says why: ${seen.text}`);
    log("signed by another key: refused");

    // Signed by the release key: accepted, the new code runs, the pin moves.
    signBuild(dist, releaseKey);
    for (const ext of ["br", "gz"]) rmSync(join(dist, `build.json.${ext}`), { force: true });
    seen = await visit(page, relay.origin);
    assert(seen.shown === "app" && seen.ran, `a bundle signed by the release key runs: ${seen.text.slice(0, 300)}`);
    pin = await pinOf(page);
    assert(
      pin?.index === changed && pin.version === `${build0.version}+changed`,
      `the pin moved: ${JSON.stringify(pin)}`,
    );
    assert(pin.previousVersion === build0.version, "the pin remembers the version it replaced");
    shown = await panel(page);
    assert(shown.hash === changed && shown.text.includes("+changed"), `the panel shows the new version: ${shown.text}`);
    log(`signed by the release key: accepted, now ${pin.version}`);

    // The first build again: validly signed, but older than the pin.
    serveOriginal();
    rmSync(join(dist, build0.entry.replace(/\.js$/, "-changed.js")));
    seen = await visit(page, relay.origin);
    assert(seen.shown === "refused" && !seen.ran, `an older signed build is refused: ${seen.text.slice(0, 300)}`);
    assert(/not newer/.test(seen.text), `the notice says why: ${seen.text}`);

    // Key rotation: signed by the release key, naming the next key.
    const { privateKey: nextKey } = generateKeyPairSync("ed25519");
    signBuild(dist, releaseKey, { nextKey: publicKeyOf(nextKey) });
    for (const ext of ["br", "gz"]) rmSync(join(dist, `build.json.${ext}`), { force: true });
    seen = await visit(page, relay.origin);
    assert(seen.shown === "app" && !seen.ran, `the rotation build runs: ${seen.text.slice(0, 300)}`);
    pin = await pinOf(page);
    assert(pin?.releaseKey === publicKeyOf(nextKey), `the pin moved to the next key: ${JSON.stringify(pin)}`);
    serveChanged(`${build0.version}+next`);
    signBuild(dist, nextKey);
    for (const ext of ["br", "gz"]) rmSync(join(dist, `build.json.${ext}`), { force: true });
    seen = await visit(page, relay.origin);
    assert(seen.shown === "app" && seen.ran, `a build signed by the next key runs: ${seen.text.slice(0, 300)}`);
    assert((await pinOf(page))?.version === `${build0.version}+next`, "pinned the next key's build");
    log("key rotation: the pin moved to the next key");
    assert(existsSync(join(dist, "index.html")), "the copy is intact");
    log(`pinning checks passed in ${BROWSER}`);
  },
  { dist },
);
