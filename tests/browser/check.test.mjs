// End to end, committee check in circle mode: the organizer's browser makes
// all three member keys and runs the committee; the session takes no
// answers (its participant link, on the page and in the widget, says so);
// after the close the results page shows that the committee found the
// known answer, with verified signatures.

import { readFileSync } from "node:fs";
import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { fillCreateForm, createSession, openResults, tableRows } from "./flows.mjs";

const COMPARISONS = 300;
const BITS = 20;

await runTest("check", async ({ relay, context }) => {
  const origin = relay.origin;
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Committee dry run",
    kind: "check",
    build: async (page) => {
      await page.getByLabel("Secret comparisons").fill(String(COMPARISONS));
      await page.getByLabel("Bits per compared value").fill(String(BITS));
    },
    circle: 3,
  });
  await org.locator("#preview").getByText("A committee check takes no answers").waitFor();
  assert(!(await org.locator("#min-submissions").isVisible()), "no privacy policy for a check");
  assert(!(await org.locator("#single-use-count").isVisible()), "no participant links for a check");
  await axeCheck(org, "create page (check)");
  await screenshot(org, "create-check");

  const links = await createSession(org);
  assertEqual(links.participants.length, 1, "the one participant link, tucked away");
  assertEqual(await org.locator("#mint-count").count(), 0, "no minting of single-use links");
  await org.getByRole("button", { name: "Run the demo committee here" }).click();
  await axeCheck(org, "session page (check)");

  // The participant link shows that there is nothing to answer, and so does the widget.
  const visitor = await (await context()).newPage();
  await visitor.goto(links.participants[0]);
  await visitor.getByRole("heading", { name: "This is a committee check: it takes no answers" }).waitFor();
  assertEqual(await visitor.getByRole("button", { name: "Encrypt and submit" }).count(), 0, "no form");
  await axeCheck(visitor, "participate page (check)");
  await screenshot(visitor, "participate-check");
  await visitor.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(links.participants[0])}`);
  await visitor.reload();
  await visitor.locator("sotto-vote").getByText("This is a committee check: it takes no answers.").waitFor();
  await visitor.close();

  // Close once every member is connected; the members run the check.
  await org
    .locator("#demo-status li")
    .filter({ hasText: /connected|received/ })
    .nth(2)
    .waitFor({ timeout: 30_000 });
  const close = org.locator("#close-session");
  await close.click();
  await close.click();
  await org.getByText("Closed: the committee runs the check now.").waitFor();
  const closedAt = Date.now();
  await org.locator("#demo-status li[data-done]").nth(2).waitFor({ timeout: 150_000 });
  log(`demo committee published ${((Date.now() - closedAt) / 1000).toFixed(1)} s after the close`);
  await screenshot(org, "session-check-published");

  await openResults(org, links.read);
  await org.getByText("Committee check passed").waitFor();
  const verification = await org.locator('[data-verified="true"]').innerText();
  assert(/Signed by [23] of 3/.test(verification), `verification text: ${verification}`);
  const rows = await tableRows(org, "Committee check");
  const less = rows[2]?.[1];
  assert(Number(less) > 0 && Number(less) < COMPARISONS, `a plausible count of "less": ${less}`);
  assertEqual(
    rows,
    [
      ["Secret comparisons", String(COMPARISONS)],
      ["Bits per compared value", String(BITS)],
      ["Comparisons that came out “less”", less],
      ["Known answer", less],
      ["Verdict", "correct"],
    ],
    "check table",
  );
  const [csv] = await Promise.all([
    org.waitForEvent("download"),
    org.getByRole("button", { name: "Download CSV" }).click(),
  ]);
  const csvText = readFileSync(await csv.path(), "utf8");
  assert(
    csvText.includes(`comparisons,${COMPARISONS}\r\n`) && csvText.includes("correct,true"),
    `CSV export: ${csvText}`,
  );
  await axeCheck(org, "results page (check)");
  await screenshot(org, "results-check");
});
