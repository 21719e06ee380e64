// The Firefox adapter's locators against Playwright's own: the same pages
// of the real app (served by a real relay) in Chromium through
// playwright-core and in Firefox through puppeteer-compat.mjs, and for
// every locator below the number of matches and the first match's text
// must be equal. This is what makes a pass in Firefox mean what a pass in
// Chromium means. tests/browser/run.sh runs it once, before the suites.

import { startRelay, log } from "./lib.mjs";
import { launchBrowser } from "./browsers.mjs";

/** Locators built the way the tests build them, on the start page and the embedding example. */
const PAGES = {
  "/": (p) => ({
    "label Title": p.getByLabel("Title"),
    "label Title exact": p.getByLabel("Title", { exact: true }),
    "label title (case)": p.getByLabel("title"),
    "label circle mode": p.getByLabel("Circle mode: this browser makes all member keys (demo)"),
    "label regex": p.getByLabel(/number of/i),
    "role button": p.getByRole("button"),
    "role button create": p.getByRole("button", { name: "Create the session" }),
    "role button create (case)": p.getByRole("button", { name: "create the" }),
    "role button exact miss": p.getByRole("button", { name: "Create", exact: true }),
    "role radio": p.getByRole("radio"),
    "role checkbox": p.getByRole("checkbox"),
    "role heading": p.getByRole("heading"),
    "role link": p.getByRole("link"),
    "text Sotto": p.getByText("Sotto"),
    "text create": p.getByText("create"),
    "text regex": p.getByText(/single-use/i),
    "text exact": p.getByText("Create", { exact: true }),
    "css label hasText": p.locator("label", { hasText: "Title" }),
    "css field has input": p.locator(".field", { has: p.locator("input[type=number]") }),
    "css filter nth": p.locator("#create-form input").filter({ hasText: /x/ }).nth(0),
    "css first": p.locator("#create-form label").first(),
    or: p.getByRole("button", { name: "Create the session" }).or(p.locator("#create-form")),
  }),
  "/embed-example.html": (p) => ({
    "shadow text": p.locator("sotto-vote").getByText("This link is incomplete or damaged"),
    "shadow css": p.locator("sotto-vote [data-code]"),
    "shadow role": p.locator("sotto-vote").getByRole("heading"),
    "text everywhere": p.getByText("link"),
  }),
};

/** Count and first text of every locator of `path` in `browser`. */
async function measure(browser, origin, path) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${origin}${path}`);
  await page.waitForTimeout(1500);
  const out = {};
  for (const [name, loc] of Object.entries(PAGES[path](page))) {
    const count = await loc.count();
    const text = count ? (await loc.first().textContent()).replace(/\s+/g, " ").trim().slice(0, 60) : null;
    out[name] = { count, text };
  }
  return out;
}

const relay = await startRelay();
const chromium = await launchBrowser("chromium");
const firefox = await launchBrowser("firefox");
const differences = [];
let compared = 0;
try {
  for (const path of Object.keys(PAGES)) {
    const [want, got] = [await measure(chromium, relay.origin, path), await measure(firefox, relay.origin, path)];
    for (const name of Object.keys(want)) {
      compared += 1;
      if (JSON.stringify(want[name]) !== JSON.stringify(got[name])) {
        differences.push(
          `${path} ${name}: playwright ${JSON.stringify(want[name])}, adapter ${JSON.stringify(got[name])}`,
        );
      }
    }
  }
} finally {
  await chromium.close();
  await firefox.close();
  relay.stop();
}
if (differences.length) {
  console.error(`FAIL locators: the adapter differs from Playwright:\n  ${differences.join("\n  ")}`);
  process.exit(1);
}
log(`ok locators: ${compared} locators match Playwright's in count and first text`);
