// Load budgets of the web app (docs/web.md, "Delivery"), in Chromium and
// Firefox ESR against a real relay serving a built app:
//  - bytes on the wire per page (the start page, a participant link, the
//    committee console, a read link), cold (a fresh profile) and warm (the
//    same profile again), from the browser's resource timing (headers
//    included, the WebSocket not);
//  - time from navigation to an interactive participant form (the
//    "Encrypt and submit" button), median of RUNS fresh profiles, on
//    loopback and, in Chromium, with DevTools throttling at 150 ms latency,
//    1.6 Mbit/s down and 750 kbit/s up (Lighthouse's slow 4G);
//  - time to prepare one answer to a 20-question survey for a 5-member
//    committee (Participant.prepare in the page), mean of 50 after a warm-up.
// Targets (issue 17): a participant page under 250 KB cold and ready in
// under 2 s on the slow profile.
//
//   node --experimental-websocket scripts/bench-load.mjs [DIST]
//
// DIST defaults to www/dist (scripts/bench-load.sh builds it and the relay).
// Run it through scripts/bench-load.sh.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchBrowser } from "../tests/browser/browsers.mjs";
import { answer, startRelay, survey } from "./bench-common.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.resolve(process.argv[2] ?? path.join(root, "www/dist"));
const RUNS = 3;
const PREPARE_RUNS = 50;
const SLOW = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

/** Bytes on the wire of everything the page loaded so far (navigation included). */
function wireBytes(page) {
  return page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].reduce(
      (n, e) => n + e.transferSize,
      0,
    ),
  );
}

async function loadPage(page, url, ready) {
  const t0 = performance.now();
  await page.goto(url);
  await ready(page).waitFor({ timeout: 120_000 });
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchBrowser(name, origin, links) {
  const browser = await launchBrowser(name);
  const version = await browser.version();
  const pages = [
    ["start", `${origin}/`, (p) => p.locator("#create-form")],
    ["participant", links.participant, (p) => p.getByRole("button", { name: "Encrypt and submit" })],
    ["console", `${origin}/#console`, (p) => p.getByRole("button", { name: "Generate key" })],
    ["results", links.read, (p) => p.getByRole("heading", { name: "Waiting for the committee" })],
  ];
  const bytes = [];
  try {
    for (const [label, url, ready] of pages) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await loadPage(page, url, ready);
      const cold = await wireBytes(page);
      // Warm: a new tab of the same profile (its HTTP cache).
      const again = await ctx.newPage();
      await loadPage(again, url, ready);
      const warm = await wireBytes(again);
      await ctx.close();
      bytes.push([label, cold, warm]);
    }
    const ready = pages[1][2];
    const times = { loopback: [], slow: [] };
    for (const profile of name === "chromium" ? ["loopback", "slow"] : ["loopback"]) {
      for (let i = 0; i < RUNS; i++) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        if (profile === "slow") {
          const cdp = await ctx.newCDPSession(page);
          await cdp.send("Network.enable");
          await cdp.send("Network.emulateNetworkConditions", SLOW);
        }
        times[profile].push(await loadPage(page, links.participant, ready));
        await ctx.close();
      }
    }
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${origin}/`);
    const prepareMs = await page.evaluate(
      async ({ link, answerJson, runs }) => {
        const web = await import("/pkg/participant/sotto.js");
        await web.default();
        const p = await web.Participant.open(link);
        const a = JSON.parse(answerJson);
        if (!p.validate(a).valid) throw new Error("the benchmark answer is invalid");
        for (let i = 0; i < 5; i++) p.prepare(a);
        const t0 = performance.now();
        for (let i = 0; i < runs; i++) p.prepare(a);
        return (performance.now() - t0) / runs;
      },
      { link: links.survey, answerJson: JSON.stringify(answer()), runs: PREPARE_RUNS },
    );
    await ctx.close();
    return {
      name: `${name} ${version}`,
      bytes,
      loopback: median(times.loopback),
      slow: times.slow.length ? median(times.slow) : null,
      prepareMs,
    };
  } finally {
    await browser.close();
  }
}

const { child, addr, data } = await startRelay(dist);
try {
  // The sessions, made in Node with the package the build ships.
  const web = await import(pathToFileURL(path.join(dist, "pkg/organizer/sotto.js")).href);
  await web.default({ module_or_path: await readFile(path.join(dist, "pkg/organizer/sotto_bg.wasm")) });
  const keys = [0, 1, 2, 3, 4].map((i) => ({ name: `m${i + 1}`, ...web.CommitteeMember.generate().publicKeys() }));
  const members = keys.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 }));
  const surveyOrg = await web.Organizer.create(`ws://${addr}/ws`, {
    title: "Load benchmark survey",
    kind: "survey",
    schema: survey(),
    committee: { members },
    policy: { min_submissions: 5 },
  });
  const voteOrg = await web.Organizer.create(`ws://${addr}/ws`, {
    title: "Load benchmark vote",
    kind: "vote",
    schema: { method: "plurality", options: ["A", "B", "C"], reveal: "tally" },
    committee: { members: members.slice(0, 3) },
  });
  const links = {
    participant: voteOrg.links().participants[0],
    read: voteOrg.links().read,
    survey: surveyOrg.links().participants[0],
  };
  const origin = `http://${addr}`;

  const rows = [];
  for (const name of (process.env.SOTTO_BROWSERS ?? "chromium firefox").split(/\s+/).filter(Boolean)) {
    try {
      rows.push(await benchBrowser(name, origin, links));
    } catch (e) {
      rows.push({ name, error: String(e.message ?? e) });
    }
  }

  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`\nLoad budgets: ${path.relative(root, dist) || dist} (KB = 1,024 bytes on the wire)\n`);
  console.log("| browser | page | cold (KB) | warm (KB) |");
  console.log("|---|---|---:|---:|");
  for (const r of rows) {
    if (r.error) continue;
    for (const [label, cold, warm] of r.bytes) console.log(`| ${r.name} | ${label} | ${kb(cold)} | ${kb(warm)} |`);
  }
  console.log(
    `\n| browser | participant form ready, loopback (ms) | … 150 ms, 1.6 Mbit/s (ms) | prepare 20-question answer (ms) |`,
  );
  console.log("|---|---:|---:|---:|");
  for (const r of rows) {
    if (r.error) {
      console.log(`| ${r.name} | error: ${r.error} | | |`);
      continue;
    }
    const slow = r.slow === null ? "n/a (no throttling over BiDi)" : r.slow.toFixed(0);
    console.log(`| ${r.name} | ${r.loopback.toFixed(0)} | ${slow} | ${r.prepareMs.toFixed(1)} |`);
  }
  console.log(`\nmedian of ${RUNS} fresh profiles; targets: participant < 250 KB cold, < 2,000 ms on the slow profile`);
} finally {
  child.kill("SIGKILL");
  await rm(data, { recursive: true, force: true });
}
