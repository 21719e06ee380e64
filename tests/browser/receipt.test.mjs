// Receipts a voter can check (Helios's ballot tracker is the model): the
// committee signs, with the result, the receipts of the answers it
// counted. A circle-mode vote, three voters through the open link, each
// in their own browser; after the demo committee publishes, the results
// page opened in a voter's browser says "Your answer was counted" for the
// receipt that browser kept, and a receipt nobody sent, pasted, is
// missing; a malformed one is refused. Also at 390 px.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { circleVote, openParticipant, submitAnswer, closeSession, openResults } from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

await runTest("receipt", async ({ relay, context }) => {
  const org = await (await context()).newPage();
  const links = await circleVote(org, relay.origin, "Receipt check", {
    description: "Pick one.\nYour receipt shows later whether it was counted.",
  });

  const voters = [];
  for (const choice of ["A", "B", "A"]) {
    const page = await (await context()).newPage();
    await openParticipant(page, links.participants[0]);
    // The session's description, its line break kept.
    if (!voters.length) {
      const text = await page.locator("#description").innerText();
      assertEqual(text.trim(), "Pick one.\nYour receipt shows later whether it was counted.", "the description");
    }
    await page.getByLabel(choice, { exact: true }).check();
    assertEqual(await submitAnswer(page), "sent", `vote ${choice}`);
    voters.push(page);
  }
  // The receipt page says where the check will be.
  await voters[0].locator("#receipt-later", { hasText: "whether your answer was counted" }).waitFor();
  const code = (await voters[0].locator("#receipt-summary .fingerprint").innerText()).trim();
  assert(/^[0-9a-f]{64}$/.test(code), `a receipt code: ${code}`);
  log("three votes sent");

  await org.locator("#demo-status li", { hasText: "3 submissions received" }).first().waitFor({ timeout: 30_000 });
  await closeSession(org);
  await org.locator("#demo-status li[data-done]").nth(2).waitFor({ timeout: 150_000 });

  // The voter's own browser: its kept receipt is checked at once.
  const mine = voters[0];
  await openResults(mine, links.read);
  await mine.getByRole("heading", { name: "Check your receipt" }).waitFor();
  const verdict = mine.locator("#receipt-verdicts [data-receipt]").first();
  assertEqual(await verdict.getAttribute("data-receipt"), "counted", "the kept receipt");
  assert(
    (await verdict.innerText()).includes(`Your answer was counted: receipt ${code.slice(0, 8)}`),
    await verdict.innerText(),
  );
  // The page names the receipt, never the answer.
  assert(!(await mine.locator("#receipt-verdicts").innerText()).includes("Your answer: A"), "no answer shown");
  await mine.locator("#receipt-code").fill("7e".repeat(32));
  await mine.getByRole("button", { name: "Check", exact: true }).click();
  await mine.locator('#receipt-verdicts [data-receipt="missing"]', { hasText: "Your answer is missing" }).waitFor();
  await mine.locator("#receipt-code").fill("not a receipt");
  await mine.getByRole("button", { name: "Check", exact: true }).click();
  await mine.locator('#receipt-verdicts [data-receipt="unreadable"]').waitFor();
  await axeCheck(mine, "results page with the receipt check");
  await mine.evaluate(() => document.getElementById("receipt-check-heading")?.scrollIntoView());
  await screenshot(mine, "results-receipt-check");

  // Another browser (a phone) with a pasted code: the second voter's.
  const other = (await voters[1].locator("#receipt-summary .fingerprint").innerText()).trim();
  const phone = await (await context(PHONE)).newPage();
  await openResults(phone, links.read);
  assertEqual(await phone.locator("#receipt-verdicts [data-receipt]").count(), 0, "no receipts kept there");
  await phone.locator("#receipt-code").fill(other);
  await phone.getByRole("button", { name: "Check", exact: true }).click();
  await phone.locator('#receipt-verdicts [data-receipt="counted"]').waitFor();
  const o = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `the page is ${o.scroll} px wide at ${o.width} px`);
  await axeCheck(phone, "results page with the receipt check (phone)");
  await phone.evaluate(() => document.getElementById("receipt-check-heading")?.scrollIntoView());
  await screenshot(phone, "phone-results-receipt-check");
});
