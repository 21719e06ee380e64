// A used single-use link, said when the participant page opens: after an
// answer was sent with link 1 in one browser, link 1 opened in another
// browser (or on a phone) shows "This link has already been used" and a
// disabled button before anything is filled in (the relay's Welcome says
// the link was used); link 2, unused, opens the form as usual.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { fillCreateForm, createSession, openParticipant, submitAnswer } from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Opens `link` in `page` and waits until the relay's answer about the link is shown (blocked or not). */
async function openBlocked(page, link) {
  await page.goto(link);
  const blocked = page.locator('#blocked [data-code="already_submitted"]');
  await blocked.waitFor();
  assertEqual(
    await blocked.getByRole("heading").innerText(),
    "This link has already been used",
    "the notice's heading",
  );
  const button = page.getByRole("button", { name: "Cannot submit from here" });
  await button.waitFor();
  assert(await button.isDisabled(), "the submit button is disabled");
}

await runTest("used-link", async ({ relay, context }) => {
  const origin = relay.origin;
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Which day for the meeting?",
    kind: "vote",
    build: async (p) => p.locator("#vote-options").fill("Monday\nTuesday"),
    circle: 3,
    singleUse: 2,
  });
  const { participants } = await createSession(org);
  assertEqual(participants.length, 2, "two single-use links");

  // Link 1 answered in one browser.
  const first = await (await context()).newPage();
  await openParticipant(first, participants[0]);
  await first.getByLabel("Monday", { exact: true }).check();
  assertEqual(await submitAnswer(first), "sent", "the first answer with link 1");

  // Link 1 in another browser: blocked on opening, nothing filled in.
  const other = await (await context()).newPage();
  await openBlocked(other, participants[0]);
  assertEqual(await other.getByLabel("Monday", { exact: true }).isChecked(), false, "nothing filled in");
  await axeCheck(other, "used link on opening");
  await screenshot(other, "used-link");
  const phone = await (await context(PHONE)).newPage();
  await openBlocked(phone, participants[0]);
  await screenshot(phone, "phone-used-link");
  log("a used single-use link is said on opening");

  // Link 2, unused: the form as usual, no notice.
  const fresh = await (await context()).newPage();
  await openParticipant(fresh, participants[1]);
  await fresh.getByLabel("Tuesday", { exact: true }).check();
  await fresh.getByText("Ready to submit.").waitFor();
  assertEqual(await fresh.locator("#blocked").count(), 0, "no notice on an unused link");
  assertEqual(await submitAnswer(fresh), "sent", "the answer with link 2");
});
