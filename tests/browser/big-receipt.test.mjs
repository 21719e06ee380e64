// Receipts of a session with more counted answers than a result lists
// (8,192): the members sign the root of a Merkle tree over the sorted
// receipts and publish them in pages; the results page asks the relay for
// the proof about a receipt and checks it against the signed root. A
// vote of 8,200 ballots is run through the test's relay by `sotto
// simulate` (three members, the CLI's own participants); the results page
// then says "Your answer was counted" for one of its receipts and "Your
// answer is missing" for a receipt nobody sent, in English and in Spanish.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { SOTTO_BIN, runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { openResults } from "./flows.mjs";

const N = 8200;

await runTest("big-receipt", async ({ relay, context }) => {
  const dir = mkdtempSync(join(tmpdir(), "sotto-big-receipt-"));
  const scenario = join(dir, "scenario.json");
  const out = join(dir, "receipts.json");
  writeFileSync(
    scenario,
    JSON.stringify({
      draft: {
        kind: "vote",
        title: "A large vote",
        schema: { method: "plurality", options: ["Yes", "No"], reveal: "tally" },
        committee: { members: 3, threshold: 1 },
      },
      answers: Array.from({ length: N }, (_, i) => ({ choice: i % 3 ? "Yes" : "No" })),
    }),
  );
  const t0 = Date.now();
  const run = spawnSync(
    SOTTO_BIN,
    ["simulate", "--scenario", scenario, "--relay", `${relay.origin.replace("http", "ws")}/ws`, "--receipts-out", out],
    { encoding: "utf8", timeout: 300_000 },
  );
  assertEqual(run.status, 0, `sotto simulate: ${run.stderr}`);
  const { results_link: link, receipts } = JSON.parse(readFileSync(out, "utf8"));
  assertEqual(receipts.length, N, "a receipt per ballot");
  log(`${N} ballots counted through the relay in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const page = await (await context()).newPage();
  await openResults(page, link);
  await page.getByRole("heading", { name: "Check your receipt" }).waitFor();
  const check = async (code) => {
    await page.locator("#receipt-code").fill(code);
    await page.locator(".receipt-form button[type=submit]").click();
  };
  const mine = receipts.filter(Boolean)[4321];
  await check(mine);
  const counted = page.locator('#receipt-verdicts [data-receipt="counted"]');
  await counted.waitFor({ timeout: 30_000 });
  assert(
    (await counted.innerText()).includes(`Your answer was counted: receipt ${mine.slice(0, 8)}`),
    await counted.innerText(),
  );
  await check("5a".repeat(32));
  await page.locator('#receipt-verdicts [data-receipt="missing"]', { hasText: "Your answer is missing" }).waitFor();
  assertEqual(await page.locator('#receipt-verdicts [data-receipt="unknown"]').count(), 0, "every proof checked");
  await axeCheck(page, "results page of a large session, receipts checked");
  await screenshot(page, "big-receipt");
  log("a receipt of a session above 8,192 answers: counted, and a stranger's missing");

  // The switch reloads the page: wait for the Spanish one, not the old.
  await page.getByLabel("Language").selectOption("es");
  await page.getByRole("heading", { name: "Comprueba tu comprobante" }).waitFor({ timeout: 60_000 });
  await page.locator("#receipt-code").fill(mine);
  await page.locator(".receipt-form button[type=submit]").click();
  const es = page.locator('#receipt-verdicts [data-receipt="counted"]');
  await es.waitFor({ timeout: 30_000 });
  assert(!(await es.innerText()).includes("Your answer"), `in Spanish: ${await es.innerText()}`);
  log("and in Spanish");
});
