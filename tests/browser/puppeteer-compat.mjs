// The subset of Playwright's Browser / BrowserContext / Page / Locator API
// that the browser tests use, implemented on puppeteer-core. It lets the
// same test code drive Firefox ESR over WebDriver BiDi (playwright-core
// cannot drive a stock Firefox). Locators are resolved in the page by
// locator-engine.mjs with Playwright's matching rules; actions wait for
// their element like Playwright's (attached, one match, visible, enabled,
// editable), clicks and key presses are real input events, downloads are
// real files in a per-context folder.
//
// Not covered (no test needs it): frames, popups, routes, tracing.

import { EventEmitter } from "node:events";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { locate } from "./locator-engine.mjs";

const require = createRequire(fileURLToPath(new URL("../../www/package.json", import.meta.url)));

const POLL_MS = 100;
/** Playwright's key names that puppeteer spells differently over BiDi. */
const KEY_NAMES = { Space: " " };
/** Firefox's console reports that are not uncaught exceptions. */
const NOT_EXCEPTIONS =
  /^(Firefox can[’']t establish a connection|The connection to .* was interrupted|Content-Security-Policy: )/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A text matcher step from a string or RegExp (Playwright's `string | RegExp` arguments). */
function matcherOf(text, exact) {
  return text instanceof RegExp
    ? { regex: { source: text.source, flags: text.flags } }
    : { text: String(text), exact: Boolean(exact) };
}

/** Errors that mean "the page navigated while we looked": look again. */
function isTransient(err) {
  return /context.*(destroyed|discarded)|no such (frame|node|handle)|Execution context|navigat|Target closed|detached|realm/i.test(
    String(err?.message ?? err),
  );
}

/**
 * Launches Firefox with puppeteer-core (WebDriver BiDi) and wraps it in the
 * Playwright-style API.
 *
 * @param {{executablePath?: string, headless?: boolean}} [options] the binary (Debian's firefox-esr by default)
 * @returns {Promise<CompatBrowser>} the browser
 */
export async function launchFirefox({ executablePath = "/usr/bin/firefox-esr", headless = true } = {}) {
  const puppeteer = require("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath,
    headless,
    // The network is closed: no update checks, telemetry or remote settings.
    extraPrefsFirefox: {
      "app.update.enabled": false,
      "browser.safebrowsing.malware.enabled": false,
      "browser.safebrowsing.phishing.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      "browser.download.manager.showWhenStarting": false,
      "browser.download.alwaysOpenPanel": false,
    },
  });
  return new CompatBrowser(browser);
}

/** Playwright-style Browser over a puppeteer Browser. */
export class CompatBrowser {
  /** @param {import("puppeteer-core").Browser} browser */
  constructor(browser) {
    this.puppeteer = browser;
    this.contexts = [];
  }

  /** A fresh profile: own storage, own download folder. Options: viewport, deviceScaleFactor, isMobile, hasTouch. */
  async newContext(options = {}) {
    const downloads = mkdtempSync(join(tmpdir(), "sotto-downloads-"));
    const ctx = await this.puppeteer.createBrowserContext({
      downloadBehavior: { policy: "allow", downloadPath: downloads },
    });
    const compat = new CompatContext(ctx, downloads, options);
    this.contexts.push(compat);
    return compat;
  }

  async close() {
    for (const ctx of this.contexts) ctx.stopDownloads();
    await this.puppeteer.close();
  }

  version() {
    return this.puppeteer.version();
  }
}

/** Playwright-style BrowserContext. Emits "page" (new pages) and "request" (their requests). */
export class CompatContext extends EventEmitter {
  constructor(ctx, downloads, options) {
    super();
    this.puppeteer = ctx;
    this.downloads = downloads;
    this.options = options;
    this.timeout = 30_000;
    this.openPages = [];
    this.known = new Set();
    this.timer = null;
  }

  setDefaultTimeout(ms) {
    this.timeout = ms;
  }

  pages() {
    return this.openPages.filter((p) => !p.closed);
  }

  async newPage() {
    // A window per page, not a tab: a background tab is throttled (timers,
    // rendering) and reports itself hidden; Playwright's pages are all visible.
    const raw = await this.puppeteer.newPage({ type: "window" });
    const {
      viewport = { width: 1280, height: 900 },
      deviceScaleFactor = 1,
      isMobile = false,
      hasTouch = false,
    } = this.options;
    await raw.setViewport({ ...viewport, deviceScaleFactor, isMobile, hasTouch });
    const page = new CompatPage(raw, this);
    raw.on("request", (req) => this.emit("request", { url: () => req.url() }));
    this.openPages.push(page);
    this.emit("page", page);
    this.watchDownloads();
    return page;
  }

  /** Polls the download folder; a new complete file is a "download" event on every open page. */
  watchDownloads() {
    if (this.timer) return;
    this.timer = setInterval(() => {
      let names;
      try {
        names = readdirSync(this.downloads);
      } catch {
        return;
      }
      const partial = new Set(
        names.filter((n) => /\.(part|crdownload)$/.test(n)).map((n) => n.replace(/\.(part|crdownload)$/, "")),
      );
      for (const name of names) {
        if (this.known.has(name) || /\.(part|crdownload)$/.test(name) || partial.has(name)) continue;
        this.known.add(name);
        const path = join(this.downloads, name);
        const download = { path: async () => path, suggestedFilename: () => name, size: () => statSync(path).size };
        for (const p of this.pages()) p.emit("download", download);
      }
    }, POLL_MS);
    this.timer.unref();
  }

  stopDownloads() {
    clearInterval(this.timer);
    rmSync(this.downloads, { recursive: true, force: true });
  }

  async close() {
    this.stopDownloads();
    await this.puppeteer.close();
  }
}

/** Playwright-style Page. Emits "pageerror", "console", "download", "websocket". */
export class CompatPage extends EventEmitter {
  constructor(raw, context) {
    super();
    this.raw = raw;
    this.context = context;
    this.closed = false;
    this.keyboard = { press: (key) => raw.keyboard.press(KEY_NAMES[key] ?? key) };
    raw.on("pageerror", (err) => {
      const error = err instanceof Error ? err : new Error(String(err?.message ?? err));
      // Firefox reports network and security failures as script errors;
      // Playwright (and Chromium) report them as console errors, not page
      // errors (uncaught exceptions). Keep that distinction.
      if (NOT_EXCEPTIONS.test(error.message)) this.emit("console", { type: () => "error", text: () => error.message });
      else this.emit("pageerror", error);
    });
    raw.on("console", (msg) => this.emit("console", { type: () => msg.type(), text: () => msg.text() }));
    raw.on("close", () => {
      this.closed = true;
    });
    this.sockets = null;
    this.socketsReady = null;
    this.on("newListener", (event) => {
      if (event === "websocket") this.watchSockets();
    });
  }

  /**
   * "websocket" events: a socket opened by this page (main thread), with
   * "framesent" events for each `send`. WebDriver BiDi reports neither, so
   * a page script (installed before any page script runs) reports them
   * through an exposed function.
   */
  watchSockets() {
    if (this.sockets) return;
    this.sockets = new Map();
    this.socketsReady = (async () => {
      await this.raw.exposeFunction("__sottoSocketEvent", (id, kind, url) => {
        if (kind === "open") {
          const ws = new EventEmitter();
          ws.url = () => url;
          this.sockets.set(id, ws);
          this.emit("websocket", ws);
        } else {
          this.sockets.get(id)?.emit("framesent", {});
        }
      });
      const hook = () => {
        if (window.__sottoSocketsWatched) return;
        window.__sottoSocketsWatched = true;
        const Native = window.WebSocket;
        let next = 0;
        const report = (...args) => window.__sottoSocketEvent?.(...args);
        class Watched extends Native {
          constructor(url, protocols) {
            super(url, protocols);
            this.__sottoId = ++next;
            report(this.__sottoId, "open", String(url));
          }
          send(data) {
            report(this.__sottoId, "framesent");
            return super.send(data);
          }
        }
        window.WebSocket = Watched;
      };
      await this.raw.evaluateOnNewDocument(hook);
      await this.raw.evaluate(hook);
    })();
  }

  url() {
    return this.raw.url();
  }

  async goto(url) {
    await this.socketsReady;
    return this.raw.goto(url, { waitUntil: "load", timeout: this.context.timeout });
  }

  async reload() {
    return this.raw.reload({ waitUntil: "load", timeout: this.context.timeout });
  }

  async close() {
    this.closed = true;
    await this.raw.close();
  }

  /** Runs `fn(arg)` (or a script string) in the page; CSP does not apply. */
  /** Runs `fn` in every document this page loads from now on, before its scripts. */
  async addInitScript(fn) {
    await this.raw.evaluateOnNewDocument(fn);
  }

  async evaluate(fn, arg) {
    return typeof fn === "string" ? this.raw.evaluate(fn) : this.raw.evaluate(fn, arg);
  }

  async screenshot({ path, fullPage = false } = {}) {
    return this.raw.screenshot({ path, fullPage });
  }

  async waitForTimeout(ms) {
    await sleep(ms);
  }

  /** Resolves with the next `event` (e.g. "download"). */
  waitForEvent(event, { timeout = this.context.timeout } = {}) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, handler);
        reject(new Error(`page.waitForEvent("${event}"): timeout ${timeout} ms exceeded`));
      }, timeout);
      const handler = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.once(event, handler);
    });
  }

  locator(selector, options) {
    return new Locator(this, []).locator(selector, options);
  }
  getByText(text, options) {
    return new Locator(this, []).getByText(text, options);
  }
  getByLabel(text, options) {
    return new Locator(this, []).getByLabel(text, options);
  }
  getByRole(role, options) {
    return new Locator(this, []).getByRole(role, options);
  }
}

/** Playwright-style Locator: an immutable list of steps, resolved on use. */
export class Locator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }

  with(...steps) {
    return new Locator(this.page, [...this.steps, ...steps]);
  }
  filterSteps({ hasText, has } = {}) {
    const steps = [];
    if (hasText !== undefined) steps.push({ kind: "hasText", ...matcherOf(hasText, false) });
    if (has) steps.push({ kind: "has", steps: has.steps });
    return steps;
  }
  locator(selector, options) {
    return this.with({ kind: "css", selector }, ...this.filterSteps(options));
  }
  getByText(text, { exact } = {}) {
    return this.with({ kind: "text", ...matcherOf(text, exact) });
  }
  getByLabel(text, { exact } = {}) {
    return this.with({ kind: "label", ...matcherOf(text, exact) });
  }
  getByRole(role, { name, exact, checked } = {}) {
    return this.with({ kind: "role", role, name: name === undefined ? undefined : matcherOf(name, exact), checked });
  }
  filter(options) {
    return this.with(...this.filterSteps(options));
  }
  nth(index) {
    return this.with({ kind: "nth", index });
  }
  first() {
    return this.nth(0);
  }
  last() {
    return this.nth(-1);
  }
  or(other) {
    return this.with({ kind: "or", steps: other.steps });
  }

  toString() {
    return this.steps
      .map((s) => {
        if (s.kind === "css") return `locator(${JSON.stringify(s.selector)})`;
        if (s.kind === "nth") return `nth(${s.index})`;
        if (s.kind === "or") return `or(${new Locator(this.page, s.steps)})`;
        if (s.kind === "has") return `has(${new Locator(this.page, s.steps)})`;
        if (s.kind === "role")
          return `getByRole(${s.role}${s.name ? `, ${JSON.stringify(s.name.text ?? s.name.regex)}` : ""})`;
        return `${s.kind}(${JSON.stringify(s.text ?? s.regex)})`;
      })
      .join(".");
  }

  /** One evaluation of the engine, retried while the page navigates (up to the default timeout). */
  async run(op, arg) {
    await this.page.socketsReady;
    const deadline = Date.now() + this.page.context.timeout;
    for (;;) {
      try {
        return await this.page.raw.evaluate(locate, this.steps, op, arg ?? null);
      } catch (err) {
        if (!isTransient(err) || Date.now() > deadline) throw err;
        await sleep(POLL_MS);
      }
    }
  }

  /**
   * Waits until the locator matches exactly one element meeting `need`
   * (visible, enabled, editable), then runs `op`; throws on several matches
   * (Playwright's strict mode) and on timeout.
   */
  async one(op, arg, { need = {}, timeout = this.page.context.timeout } = {}) {
    const deadline = Date.now() + timeout;
    let last = "no element matches";
    for (;;) {
      const state = await this.run("state");
      if (state.strict) throw new Error(`strict mode violation: ${this} resolved to ${state.strict} elements`);
      if (state.error) throw new Error(`${this}: ${state.error}`);
      if (state.value) {
        const s = state.value;
        const unmet = Object.keys(need).find((k) => need[k] && !s[k]);
        if (!unmet) {
          const result = op === "state" ? state : await this.run(op, arg);
          if (result.error) throw new Error(`${this}.${op}: ${result.error}`);
          if (result.value !== undefined && !result.retry && !result.missing && !result.strict) return result.value;
          last = result.retry ?? (result.strict ? `${result.strict} elements` : "element went away");
        } else {
          last = `element is not ${unmet}`;
        }
      }
      if (Date.now() > deadline) throw new Error(`${this}: timeout ${timeout} ms exceeded (${last})`);
      await sleep(POLL_MS);
    }
  }

  /** The one matching element as a puppeteer ElementHandle (waits like an action). */
  async handle(need, timeout) {
    const deadline = Date.now() + (timeout ?? this.page.context.timeout);
    for (;;) {
      await this.one("state", null, { need, timeout: Math.max(0, deadline - Date.now()) });
      try {
        const h = await this.page.raw.evaluateHandle(locate, this.steps, "element", null);
        const el = h.asElement();
        if (el) return el;
        await h.dispose();
      } catch (err) {
        if (!isTransient(err)) throw err;
      }
      await sleep(POLL_MS);
    }
  }

  async waitFor({ state = "visible", timeout = this.page.context.timeout } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const r = await this.run("state");
      if (r.strict) throw new Error(`strict mode violation: ${this} resolved to ${r.strict} elements`);
      if (r.error) throw new Error(`${this}: ${r.error}`);
      const attached = Boolean(r.value);
      const visible = attached && r.value.visible;
      if (
        (state === "attached" && attached) ||
        (state === "detached" && !attached) ||
        (state === "visible" && visible) ||
        (state === "hidden" && !visible)
      )
        return;
      if (Date.now() > deadline)
        throw new Error(`${this}.waitFor({state: "${state}"}): timeout ${timeout} ms exceeded`);
      await sleep(POLL_MS);
    }
  }

  async click({ force = false, timeout } = {}) {
    const el = await this.handle(force ? {} : { visible: true, enabled: true }, timeout);
    try {
      await el.click();
    } finally {
      await el.dispose().catch(() => {});
    }
  }
  async check() {
    const checked = await this.one("isChecked", null, { need: { visible: true, enabled: true } });
    if (!checked) await this.click();
    const now = await this.one("isChecked");
    if (!now) throw new Error(`${this}.check(): the element did not become checked`);
  }
  async fill(value) {
    await this.one("fill", String(value), { need: { visible: true, enabled: true, editable: true } });
  }
  async selectOption(value) {
    return this.one("selectOption", String(value), { need: { visible: true, enabled: true } });
  }
  async setInputFiles(path) {
    const el = await this.handle({});
    try {
      await el.uploadFile(...[path].flat());
    } finally {
      await el.dispose().catch(() => {});
    }
  }
  async inputValue() {
    return this.one("inputValue");
  }
  async innerText({ timeout } = {}) {
    return this.one("innerText", null, { timeout });
  }
  async textContent() {
    return this.one("textContent");
  }
  async getAttribute(name) {
    return this.one("getAttribute", name);
  }
  async isChecked() {
    return this.one("isChecked");
  }
  async isDisabled() {
    return this.one("isDisabled");
  }
  /** Like Playwright: false when nothing matches, no waiting. */
  async isVisible() {
    const r = await this.run("state");
    if (r.strict) throw new Error(`strict mode violation: ${this} resolved to ${r.strict} elements`);
    return Boolean(r.value?.visible);
  }
  async count() {
    return (await this.run("count")).value;
  }
  async allTextContents() {
    return (await this.run("textContents")).value;
  }
  async evaluate(fn, arg) {
    const el = await this.handle({});
    try {
      return await el.evaluate(fn, arg);
    } finally {
      await el.dispose().catch(() => {});
    }
  }
  async evaluateAll(fn, arg) {
    const list = await this.page.raw.evaluateHandle(locate, this.steps, "elements", null);
    try {
      return await list.evaluate(fn, arg);
    } finally {
      await list.dispose().catch(() => {});
    }
  }
  async screenshot(options) {
    const el = await this.handle({ visible: true });
    return el.screenshot(options);
  }
}
