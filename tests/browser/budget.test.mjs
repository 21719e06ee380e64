// End to end, budget in circle mode: the organizer's browser makes all
// three member keys (the demo mode) and runs the committee in background
// workers; five participants split 100 through the open link; the results
// page shows the allocation bars with exact means and medians.

import { runTest, screenshot, axeCheck, log, assertEqual } from "./lib.mjs";
import {
  fillCreateForm,
  createSession,
  openParticipant,
  submitAnswer,
  closeSession,
  openResults,
  tableRows,
} from "./flows.mjs";

const SPLITS = [
  { park: 60, library: 40, pool: 0 },
  { park: 50, library: 30, pool: 20 },
  { park: 40, library: 30, pool: 30 },
  { park: 70, library: 20, pool: 10 },
  { park: 30, library: 30, pool: 40 },
];

await runTest("budget", async ({ relay, context }) => {
  const org = await (await context()).newPage();
  await fillCreateForm(org, relay.origin, { title: "Neighbourhood fund", kind: "budget", circle: 3 });
  await org.getByText("For trying Sotto out only.").waitFor();
  await screenshot(org, "create-budget-circle");
  const links = await createSession(org);
  await org.getByRole("button", { name: "Run the demo committee here" }).click();
  await axeCheck(org, "session page (circle mode)");

  // Before the close, the results page waits for the committee.
  const waiting = await (await context()).newPage();
  await waiting.goto(links.read);
  await waiting.getByRole("heading", { name: "Waiting for the committee" }).waitFor();
  await screenshot(waiting, "results-waiting");
  await waiting.close();

  // Each person in their own browser profile: a browser answers once.
  for (const [i, split] of SPLITS.entries()) {
    const page = await (await context()).newPage();
    await openParticipant(page, links.participants[0]);
    for (const [project, amount] of Object.entries(split))
      await page.getByLabel(project, { exact: true }).fill(String(amount));
    if (i === 0) {
      await page.getByText("All 100 allocated.").waitFor();
      await axeCheck(page, "participate page (budget)");
      await screenshot(page, "participate-budget");
    }
    assertEqual(await submitAnswer(page), "sent", `split ${i + 1}`);
    await page.close();
  }
  log("five splits sent");
  await org.locator("#demo-status li", { hasText: "5 submissions received" }).first().waitFor({ timeout: 30_000 });

  await closeSession(org);
  await org.locator("#demo-status li[data-done]").nth(2).waitFor({ timeout: 150_000 });
  await screenshot(org, "session-budget-published");
  log("demo committee published");

  await openResults(org, links.read);
  const rows = await tableRows(org, "Allocation per project");
  assertEqual(
    rows,
    [
      ["park", "1", "50", "50"],
      ["library", "2", "30", "30"],
      ["pool", "3", "20", "20"],
    ],
    "budget means and medians",
  );
  await axeCheck(org, "results page (budget)");
  await screenshot(org, "results-budget");
});
