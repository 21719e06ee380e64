// A used single-use link, said when the participant page opens: after an
// answer was sent with link 1 in one browser, link 1 opened in another
// browser (or on a phone) shows "This link has already been used" and a
// disabled button before anything is filled in (the relay's Welcome says
// the link was used); so does the widget on another site; link 2, unused,
// opens the form as usual. The organizer's page says which link was used
// ("Used" beside link 1, "Not used yet" beside link 2, from the relay's
// list of used link digests), in English and in Spanish.

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

  // The organizer's page: which link was used, beside each link.
  const mark = (i) => org.locator(`#participant-links .link-used[data-link="${i}"]`);
  const used = (i) => org.locator(`#participant-links .link-used[data-link="${i}"][data-used="1"]`);
  await used(0).waitFor({ timeout: 15_000 });
  assertEqual(await mark(0).innerText(), "Used", "link 1 used");
  assertEqual(await mark(1).innerText(), "Not used yet", "link 2 not used");
  assertEqual(await org.locator("#links-used").innerText(), "1 of 2", "one link used");
  await screenshot(org, "organizer-used-links");
  log("the organizer's page says which link was used");

  // The widget on another site, in yet another browser, with the used
  // link: refused when it opens too, before there is a form to fill in.
  const site = await (await context()).newPage();
  await site.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(participants[0])}`);
  const widget = site.locator("sotto-vote");
  const refused = widget.locator('#blocked [data-code="already_submitted"]');
  await refused.waitFor();
  assertEqual(await refused.getByRole("heading").innerText(), "This link has already been used", "the widget's notice");
  assertEqual(await widget.getByRole("button", { name: "Encrypt and submit" }).count(), 0, "no form in the widget");
  assertEqual(await widget.getByRole("radio").count(), 0, "nothing to fill in");
  await site.locator("#events", { hasText: "Widget error: already_submitted" }).waitFor();
  await axeCheck(site, "widget with a used link");
  await screenshot(site, "embed-used-link");
  log("the widget refuses a used single-use link on opening");

  // Link 2, unused: the form as usual, no notice.
  const fresh = await (await context()).newPage();
  await openParticipant(fresh, participants[1]);
  await fresh.getByLabel("Tuesday", { exact: true }).check();
  await fresh.getByText("Ready to submit.").waitFor();
  assertEqual(await fresh.locator("#blocked").count(), 0, "no notice on an unused link");
  // Sent just after the session page's poll (it renders the status every
  // 3 s), so that its last poll before the close is from before the answer.
  await org.evaluate(
    () =>
      new Promise((done) => {
        const box = document.querySelector("#live-counts").parentElement;
        new MutationObserver((_, o) => {
          o.disconnect();
          done(null);
        }).observe(box, { childList: true });
      }),
  );
  assertEqual(await submitAnswer(fresh), "sent", "the answer with link 2");

  // Closed right after that answer: the count shown with "Closed" is the
  // relay's at the close, not the last poll's (up to 3 s older, from
  // before the answer; it showed 0 with an answer stored).
  const close = org.locator("#close-session");
  await close.click();
  await close.click();
  await org.getByText("Closed: no more answers are accepted").waitFor();
  await org.locator("#answer-count", { hasText: /^2$/ }).waitFor({ timeout: 1000 });
  assertEqual(await org.locator("#links-used").innerText(), "2 of 2", "both links used");
  log("the answer count right after the close is the relay's");
  await used(1).waitFor({ timeout: 15_000 });

  // In Spanish too.
  await org.getByLabel("Language").selectOption("es");
  await org.locator(`#participant-links .link-used[data-link="1"][data-used="1"]`, { hasText: "Usado" }).waitFor({
    timeout: 15_000,
  });
  assertEqual(await mark(0).innerText(), "Usado", "link 1 used, in Spanish");
  assertEqual(await mark(1).innerText(), "Usado", "link 2 used, in Spanish");
  await axeCheck(org, "organizer page with used links (Spanish)");
  log("which links were used, in Spanish");
});
