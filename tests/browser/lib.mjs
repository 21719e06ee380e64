// Shared harness of the browser tests: a real sotto-relay serving www/dist
// on a loopback port, a headless browser (Chromium through playwright-core,
// or Firefox ESR through puppeteer-core over WebDriver BiDi: see
// browsers.mjs; SOTTO_BROWSER picks one), and the checks every test makes
// (no external requests, no page errors, axe-core, screenshots under
// target/screenshots/).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BROWSER, launchBrowser } from "./browsers.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const AXE = readFileSync(join(ROOT, "www/node_modules/axe-core/axe.min.js"), "utf8");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
/** The `sotto` CLI that tests/browser/run.sh builds (release). */
export const SOTTO_BIN = join(TARGET, "release", "sotto");
/** Chromium's screenshots in target/screenshots/, Firefox's in target/screenshots/firefox/. */
export const SCREENSHOTS = join(ROOT, "target", "screenshots", ...(BROWSER === "chromium" ? [] : [BROWSER]));

const started = Date.now();
export function log(...args) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s]`, ...args);
}

/**
 * Starts `sotto-relay --listen 127.0.0.1:0 --static DIST` (www/dist unless
 * `dist` names another built copy; `extra` arguments after it) and waits
 * for its "listening on" line.
 */
export async function startRelay(dist = join(ROOT, "www", "dist"), extra = []) {
  const bin = join(TARGET, "release", "sotto-relay");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run tests/browser/run.sh (it builds it)`);
  if (!existsSync(join(dist, "index.html"))) throw new Error(`${dist} is missing: run scripts/build-www.sh`);
  const data = mkdtempSync(join(tmpdir(), "sotto-browser-"));
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--data", data, "--static", dist, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const addr = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the relay did not start; stderr: ${stderr}`)), 15_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/sotto-relay listening on (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the relay exited (${code}); stderr: ${stderr}`));
    });
  });
  child.stdout.resume();
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(data, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return { origin: `http://${addr}`, stop, process: child };
}

/**
 * Runs one browser test: a relay (serving `options.dist`, www/dist by
 * default, with `options.relayArgs`), the browser SOTTO_BROWSER names, and
 * `body({relay, browser, context, allowOrigin})`.
 * Fails (exit status 1) on a thrown error, an uncaught page error or a
 * request that leaves the relay's origin.
 */
export async function runTest(name, body, options = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const relay = await startRelay(options.dist, options.relayArgs);
  // Origins the pages may reach: the relay's, and those a test adds.
  const origins = [relay.origin];
  const browser = await launchBrowser(BROWSER);
  const problems = [];
  const contexts = [];
  const harness = {
    relay,
    browser,
    problems,
    /** Lets the pages reach `origin` too (a second static host). */
    allowOrigin(origin) {
      origins.push(origin);
    },
    /** A fresh browser profile (own storage) watched for external requests and errors. */
    async context(options = {}) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      contexts.push(ctx);
      ctx.setDefaultTimeout(30_000);
      ctx.on("request", (req) => {
        const url = req.url();
        if (!(
          origins.some((o) => url.startsWith(o) || url.startsWith(o.replace("http", "ws"))) || /^(data|blob):/.test(url)
        )) {
          problems.push(`external request: ${url}`);
        }
      });
      ctx.on("page", (page) => watchPage(page, problems));
      return ctx;
    },
  };
  let failed = null;
  log(`${name} in ${BROWSER} ${await browser.version()}: relay at ${relay.origin}`);
  try {
    await body(harness);
    if (problems.length) throw new Error(`problems seen:\n  ${problems.join("\n  ")}`);
  } catch (err) {
    failed = err;
    await dumpPages(contexts);
  } finally {
    await browser.close().catch(() => {});
    relay.stop();
  }
  if (failed) {
    console.error(`FAIL ${name} (${BROWSER}): ${failed.stack ?? failed}`);
    process.exit(1);
  }
  log(`ok ${name} (${BROWSER})`);
}

/** On failure: a screenshot and the text of every open page, for the log. */
async function dumpPages(contexts) {
  let n = 0;
  for (const ctx of contexts) {
    for (const page of ctx.pages()) {
      n += 1;
      try {
        await page.screenshot({ path: join(SCREENSHOTS, `failure-${n}.png`), fullPage: true });
        const text = await page.locator("body").innerText({ timeout: 2000 });
        console.error(`--- page ${n} (${page.url().split("#")[0]}), failure-${n}.png:\n${text.slice(0, 1500)}`);
      } catch {
        /* closed meanwhile */
      }
    }
  }
}

function watchPage(page, problems) {
  page.on("pageerror", (err) => problems.push(`page error on ${page.url().split("#")[0]}: ${err.message}`));
  page.on("console", (msg) => {
    if (
      msg.type() === "error" &&
      !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource|can’t establish a connection|was interrupted while the page was loading/.test(
        msg.text(),
      )
    ) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
}

/** Full-page screenshot `target/screenshots/<name>.png`. */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  log(`screenshot ${name}.png`);
}

/** axe-core on the page (shadow roots included); throws on serious or critical violations. */
export async function axeCheck(page, label) {
  const has = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!has) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const minor = violations.filter((v) => !bad.includes(v));
  if (minor.length) log(`axe ${label}: minor: ${minor.map((v) => `${v.id} (${v.impact})`).join(", ")}`);
  if (bad.length) {
    throw new Error(
      `axe ${label}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(", ")}`).join("; ")}`,
    );
  }
  log(`axe ${label}: no serious or critical violations`);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}
