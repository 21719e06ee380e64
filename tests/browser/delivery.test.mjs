// Delivery of the app (docs/web.md, "Delivery"), on a real relay serving a
// copy of www/dist: a participant's browser loads only the participate
// page's hashed modules and the participant's wasm module, once (never the
// organizer's or the committee's code, nor their modules), compressed on
// the wire; a second visit takes them from the cache without
// asking the relay; and a changed module or wasm file is refused by the
// browser (Subresource Integrity) while the untouched build runs;
// `sotto verify-app` finds the served app equal to the build, and names a
// changed file.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BROWSER } from "./browsers.mjs";
import { ROOT, SOTTO_BIN, runTest, log, assert } from "./lib.mjs";
import { circleVote, openParticipant } from "./flows.mjs";

const dist = mkdtempSync(join(tmpdir(), "sotto-dist-"));
cpSync(join(ROOT, "www", "dist"), dist, { recursive: true });
process.on("exit", () => rmSync(dist, { recursive: true, force: true }));

// What the build fixed: the entry's modules (preloaded by index.html) and,
// per lazily loaded module, its files.
const html = readFileSync(join(dist, "index.html"), "utf8");
const meta = html.match(/<meta name="sotto-modules" content="([^"]*)"/);
assert(meta, "index.html lists the lazy modules");
const lazy = JSON.parse(
  meta[1]
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&amp;/g, "&"),
);
const entryFiles = [...html.matchAll(/(?:href|src)="assets\/([^"]+\.js)" integrity=/g)].map((m) => m[1]);
const build = JSON.parse(readFileSync(join(dist, "build.json"), "utf8"));
const wasmOf = (prefix) =>
  Object.keys(build.files)
    .find((f) => f.startsWith(`assets/${prefix}-`) && f.endsWith(".wasm"))
    ?.slice("assets/".length);

/** The wasm files a page fetched, once it has fetched one (at most 30 s). */
async function wasmLoaded(page) {
  for (let i = 0; i < 300; i++) {
    const files = (await assetsLoaded(page)).filter((a) => a.file.endsWith(".wasm")).map((a) => a.file);
    if (files.length) return [...new Set(files)];
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

/** The files under assets/ a page fetched, with their resource-timing sizes. */
async function assetsLoaded(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => new URL(e.name).pathname.startsWith("/assets/"))
      .map((e) => ({
        file: new URL(e.name).pathname.slice("/assets/".length),
        transfer: e.transferSize,
        encoded: e.encodedBodySize,
        decoded: e.decodedBodySize,
      })),
  );
}

/** Changes dist/assets/FILE by `change` and removes its compressed copies; returns the restore. */
function tamper(file, change) {
  const path = join(dist, "assets", file);
  const original = readFileSync(path);
  const copies = ["br", "gz"]
    .map((ext) => `${path}.${ext}`)
    .filter((p) => existsSync(p))
    .map((p) => [p, readFileSync(p)]);
  writeFileSync(path, change(original));
  for (const [p] of copies) rmSync(p);
  return () => {
    writeFileSync(path, original);
    for (const [p, bytes] of copies) writeFileSync(p, bytes);
  };
}

/**
 * Opens `link` in a fresh profile (not the harness's: the refusals are
 * expected errors here) and resolves to what the page shows after at most
 * `timeout` ms: "form", or the text of its main part, plus the console's
 * errors and whether the code the tampering adds ran.
 */
async function openFresh(browser, link, timeout = 30_000) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(link);
  const form = page.getByRole("button", { name: "Encrypt and submit" });
  const failed = page.locator(".notice.error, .feedback [data-code], [role=alert]").first();
  const appeared = await form
    .or(failed)
    .first()
    .waitFor({ timeout })
    .then(() => true)
    .catch(() => false);
  const text = (await page.locator("main").innerText()).slice(0, 300);
  const shown = appeared && (await form.isVisible()) ? "form" : text;
  // What the tampered files would set if they ran.
  const ran = await page.evaluate(() => "stolen" in globalThis);
  await ctx.close();
  return { shown, errors, ran };
}

await runTest(
  "delivery",
  async ({ relay, browser, context }) => {
    const org = await (await context()).newPage();
    const links = await circleVote(org, relay.origin, "Delivery check");
    const link = links.participants[0];

    // Each kind of page loads its own wasm module and no other: the
    // organizer's pages (create, manage) the organizer's, the committee
    // console the console's (key files), the participant below its own.
    const organizerWasm = await wasmLoaded(org);
    assert(
      organizerWasm.length === 1 && organizerWasm[0] === wasmOf("organizer"),
      `the organizer's pages load the organizer's module only: ${organizerWasm.join(", ")}`,
    );
    const consolePage = await (await context()).newPage();
    await consolePage.goto(`${relay.origin}/#console`);
    const consoleWasm = await wasmLoaded(consolePage);
    assert(
      consoleWasm.length === 1 && consoleWasm[0] === wasmOf("console"),
      `the console loads the console's module only: ${consoleWasm.join(", ")}`,
    );

    // Cold: only the entry, the participate page's modules and the
    // participant's wasm module.
    const profile = await context();
    const page = await profile.newPage();
    await openParticipant(page, link);
    const cold = await assetsLoaded(page);
    const allowed = new Set([
      ...entryFiles,
      ...lazy["js/views/participate.js"].map(([f]) => f),
      wasmOf("participant"),
      ...Object.keys(build.files)
        .filter((f) => /^assets\/styles-.*\.css$/.test(f))
        .map((f) => f.slice("assets/".length)),
    ]);
    const extra = cold.filter((a) => !allowed.has(a.file)).map((a) => a.file);
    assert(extra.length === 0, `a participant loads only its own code; also fetched: ${extra.join(", ")}`);
    for (const key of ["js/views/create.js", "js/views/console.js", "js/views/manage.js", "js/views/results.js"]) {
      const own = lazy[key].at(-1)[0];
      assert(!cold.some((a) => a.file === own), `the participant did not fetch ${own} (${key})`);
    }
    assert(!cold.some((a) => /^(member|worker|member-worker)-/.test(a.file)), "no committee code for a participant");
    for (const other of ["organizer", "console", "member"])
      assert(!cold.some((a) => a.file === wasmOf(other)), `no ${other} module for a participant`);
    // Over the network once: the package's own fetch takes the entry's
    // preload. Chromium lists one entry; Firefox lists the taken preload a
    // second time, with nothing transferred (a preload left unused would
    // make Chromium list two entries, even when the second came from the
    // cache).
    const listed = cold.filter((a) => a.file.endsWith(".wasm"));
    const wasms = listed.filter((a) => a.transfer > 0);
    assert(wasms.length === 1, `the participant's wasm came once: ${JSON.stringify(listed)}`);
    if (BROWSER === "chromium") assert(listed.length === 1, `one request for the wasm: ${JSON.stringify(listed)}`);
    const wasm = wasms[0];
    // Compressed on the wire: what came is much smaller than the module.
    assert(wasm.encoded > 0 && wasm.encoded < wasm.decoded * 0.6, `wasm compressed: ${JSON.stringify(wasm)}`);
    for (const a of cold.filter((x) => x.file.endsWith(".js") && x.decoded > 2048)) {
      assert(a.encoded < a.decoded, `${a.file} compressed: ${JSON.stringify(a)}`);
    }
    const coldBytes = cold.reduce((n, a) => n + a.transfer, 0);
    log(`participant, cold: ${cold.length} assets, ${coldBytes} bytes on the wire`);

    // Warm, in a new tab of the same profile: every hashed file from the
    // cache, without a request to the relay (immutable), only the HTML
    // revalidated.
    const again = await profile.newPage();
    await openParticipant(again, link);
    const warm = await assetsLoaded(again);
    assert(warm.length > 0, "the warm page used its assets");
    const fetched = warm.filter((a) => a.transfer > 0);
    assert(fetched.length === 0, `warm load fetched nothing: ${JSON.stringify(fetched)}`);
    log(`participant, warm: ${warm.length} assets from the cache`);

    // The untouched copy works in a fresh profile (the baseline of the checks below).
    assert((await openFresh(browser, link)).shown === "form", "the untouched build shows the form");

    // A changed participate module: refused, the form never runs.
    const participate = lazy["js/views/participate.js"].at(-1)[0];
    let restore = tamper(participate, (b) => Buffer.concat([b, Buffer.from("\n;globalThis.stolen = 1;\n")]));
    let seen = await openFresh(browser, link);
    restore();
    log(`tampered ${participate}: ${seen.shown.replace(/\s+/g, " ")}`);
    assert(seen.shown !== "form" && !seen.ran, "a tampered module does not run");
    assert(/integrity check/.test(seen.shown), `the page says the app failed its check: ${seen.shown}`);

    // A changed entry module (loaded by the HTML itself): refused too.
    const entry = entryFiles.at(-1);
    restore = tamper(entry, (b) => Buffer.concat([b, Buffer.from("\n;globalThis.stolen = 1;\n")]));
    seen = await openFresh(browser, link, 8_000);
    restore();
    assert(seen.shown !== "form" && !seen.ran, `a tampered entry does not run: ${seen.shown}`);

    // A changed module of the entry's graph (preloaded by the HTML with its
    // hash, then imported by the entry): refused too.
    for (const shared of entryFiles.slice(0, -1)) {
      restore = tamper(shared, (b) => Buffer.concat([b, Buffer.from("\n;globalThis.stolen = 1;\n")]));
      seen = await openFresh(browser, link, 8_000);
      restore();
      assert(seen.shown !== "form" && !seen.ran, `a tampered ${shared} does not run: ${seen.shown}`);
    }

    // A changed wasm module (its hash is fixed in the JavaScript): refused.
    const participantWasm = wasmOf("participant");
    restore = tamper(participantWasm, (b) => {
      const c = Buffer.from(b);
      c[c.length - 1] ^= 1;
      return c;
    });
    seen = await openFresh(browser, link);
    restore();
    log(
      `tampered ${participantWasm}: ${seen.shown.replace(/\s+/g, " ")}; console: ${seen.errors.join(" | ").slice(0, 300)}`,
    );
    assert(/could not start/.test(seen.shown), `a tampered wasm module does not run: ${seen.shown}`);

    // And once restored, the same link works again.
    assert((await openFresh(browser, link)).shown === "form", "the restored build shows the form");

    // `sotto verify-app` (crate/cli): the served app equals the local build,
    // and a changed file is named.
    const verify = () =>
      spawnSync(SOTTO_BIN, ["verify-app", relay.origin, "--dist", join(ROOT, "www", "dist")], { encoding: "utf8" });
    let check = verify();
    assert(check.status === 0 && /^equal: /m.test(check.stdout), `verify-app passes: ${check.stdout}${check.stderr}`);
    restore = tamper(participate, (b) => Buffer.concat([b, Buffer.from("\n")]));
    check = verify();
    restore();
    assert(check.status === 1, `verify-app fails on a changed file: ${check.stdout}${check.stderr}`);
    assert(check.stdout.includes(`changed  assets/${participate}`), `verify-app names the file: ${check.stdout}`);
    log("verify-app: the served app equals the build; a changed file is named");
    log(`delivery checks passed in ${BROWSER}`);
  },
  { dist },
);
