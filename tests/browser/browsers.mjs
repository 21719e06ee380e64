// The browsers the tests run in, behind one launch function. Both give the
// test code the same Playwright-style API: Chromium is driven by
// playwright-core (the system chromium), Firefox ESR by puppeteer-core over
// WebDriver BiDi through the adapter in puppeteer-compat.mjs (playwright-core
// cannot drive a stock Firefox).

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { launchFirefox } from "./puppeteer-compat.mjs";

const require = createRequire(fileURLToPath(new URL("../../www/package.json", import.meta.url)));

/** The browsers tests/browser/run.sh runs every test in. */
export const BROWSERS = ["chromium", "firefox"];

/** The browser of this run: SOTTO_BROWSER (chromium or firefox), chromium by default. */
export const BROWSER = process.env.SOTTO_BROWSER ?? "chromium";
if (!BROWSERS.includes(BROWSER)) throw new Error(`SOTTO_BROWSER=${BROWSER}: use one of ${BROWSERS.join(", ")}`);

// The launch flags that work as root on this machine (docs: TOOLCHAIN.md).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Launches a headless `name` ("chromium" or "firefox"): the system chromium
 * (or CHROMIUM) through playwright-core, or /usr/bin/firefox-esr (or
 * FIREFOX) through puppeteer-core. Either way the result has Playwright's
 * `newContext`, `version` and `close`.
 *
 * @param {string} name the browser
 * @returns {Promise<object>} a Playwright-style Browser
 */
export async function launchBrowser(name) {
  if (name === "firefox") {
    return launchFirefox({ executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr" });
  }
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}
