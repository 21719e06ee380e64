// End to end, plurality vote: three committee members in their own browser
// profiles, the organizer builds the vote in the UI, six participants vote
// with single-use links (a second use is refused), the organizer closes,
// every member computes, the results page shows the exact tally with
// verified signatures. Also: inline validation, a tampered link, a closed
// session, phone-sized screenshots and axe-core on every page.

import { readFileSync } from "node:fs";
import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import {
  memberKey,
  fillCreateForm,
  createSession,
  memberJoin,
  waitPublished,
  openParticipant,
  submitAnswer,
  closeSession,
  openResults,
  tableRows,
} from "./flows.mjs";

const VOTES = ["A", "A", "B", "A", "C", "B"];

/** Tabs to the first option, moves the radio selection with the arrow keys to `choice`, tabs to the submit button. */
async function voteWithKeyboard(page, choice) {
  const active = () =>
    page.evaluate(() => ({
      type: document.activeElement?.type,
      value: document.activeElement?.value,
      text: document.activeElement?.textContent,
    }));
  for (let i = 0; i < 15 && (await active()).type !== "radio"; i++) await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  for (let i = 0; i < 5 && (await active()).value !== choice; i++) await page.keyboard.press("ArrowDown");
  assert((await active()).value === choice, `keyboard reached option ${choice}`);
  for (let i = 0; i < 5 && (await active()).text !== "Encrypt and submit"; i++) await page.keyboard.press("Tab");
  assert((await active()).text === "Encrypt and submit", "keyboard reached the submit button");
  log("voted with the keyboard only");
}

await runTest("vote", async ({ relay, context }) => {
  const origin = relay.origin;

  // Committee members make keys in their own profiles.
  const memberPages = [];
  const keys = [];
  for (const name of ["Ada", "Grace", "Alan"]) {
    const page = await (await context()).newPage();
    keys.push(await memberKey(page, origin, name));
    memberPages.push(page);
  }
  await screenshot(memberPages[0], "console-key");
  await axeCheck(memberPages[0], "committee console");

  // The organizer builds the vote.
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Board seat",
    kind: "vote",
    build: async (page) => page.locator("#vote-options").fill("A\nB\nC"),
    members: keys,
    singleUse: 8,
  });
  await org.locator("#preview").getByText("Your choice").waitFor();
  await axeCheck(org, "create page");
  await screenshot(org, "create-vote");
  const links = await createSession(org);
  assertEqual(links.members.length, 3, "member links");
  assertEqual(links.participants.length, 8, "participant links");
  await axeCheck(org, "session page");
  await screenshot(org, "session-vote");

  // Members join from their links.
  await Promise.all(memberPages.map((page, i) => memberJoin(page, links.members[i])));
  await screenshot(memberPages[0], "console-joined");
  log("members joined");

  // Six participants vote.
  const voters = await context();
  for (const [i, choice] of VOTES.entries()) {
    const page = await voters.newPage();
    await openParticipant(page, links.participants[i]);
    if (i === 0) {
      // Inline validation: submitting nothing shows a plain-language message.
      await page.getByRole("button", { name: "Encrypt and submit" }).click();
      const msg = page.locator(".validation.error");
      await msg.waitFor();
      log(`validation message: ${await msg.innerText()}`);
      await axeCheck(page, "participate page");
    }
    if (i === VOTES.length - 1) {
      await voteWithKeyboard(page, choice);
    } else {
      await page.getByLabel(choice, { exact: true }).check();
    }
    if (i === 0) await screenshot(page, "participate-vote");
    const key = i === VOTES.length - 1 ? "Enter" : undefined;
    assertEqual(await submitAnswer(page, { key }), "sent", `vote ${i + 1}`);
    if (i === 0) {
      await screenshot(page, "participate-receipt");
      await axeCheck(page, "receipt");
    }
    await page.close();
  }
  log("six votes sent");
  await memberPages[0].getByText("6 submissions received").waitFor({ timeout: 30_000 });

  // A second vote with a used single-use link: the browser that used it
  // refuses before sending anything; any other browser (a forwarded link)
  // is told when the page opens (the relay's Welcome says the link was
  // used), with the button off: nothing can be filled in and sent.
  const sameBrowser = await voters.newPage();
  await sameBrowser.goto(links.participants[0]);
  await sameBrowser.locator('#blocked[data-code="answered_here"]').waitFor();
  assert(await sameBrowser.locator("form button[type=submit]").isDisabled(), "same browser: submit off");
  await sameBrowser.close();
  const again = await (await context()).newPage();
  await again.goto(links.participants[0]);
  await again.locator('#blocked [data-code="already_submitted"]').waitFor();
  await again.getByRole("button", { name: "Cannot submit from here" }).waitFor();
  assert(await again.locator("form button[type=submit]").isDisabled(), "another browser: submit off");
  await screenshot(again, "error-already-submitted");

  // A tampered link (another manifest hash) is caught before anything is sent.
  const tampered = links.participants[6].replace(/h=([0-9a-f])/, (_, c) => `h=${c === "0" ? "1" : "0"}`);
  await again.goto(tampered);
  await again.locator('[data-code="manifest_mismatch"]').waitFor();
  await screenshot(again, "error-tampered-link");

  // Phone-sized screens: the participate page while the session is open.
  const phone = await context({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const small = await phone.newPage();
  await openParticipant(small, links.participants[7]);
  await screenshot(small, "phone-participate");
  await axeCheck(small, "participate page (phone)");

  // Close; the unused link now meets a closed session, told when the page
  // opens (the relay's state for the link), before the form is filled.
  await closeSession(org);
  await again.goto(links.participants[7]);
  await again.locator('#blocked [data-code="session_closed"]').waitFor();
  assert(await again.locator("form button[type=submit]").isDisabled(), "closed: submit off before filling the form");
  await screenshot(again, "error-session-closed");
  // A token the relay does not know: told at once too.
  await again.goto(links.participants[7].replace(/t=([0-9a-f])/, (_, c) => `t=${c === "0" ? "1" : "0"}`));
  await again.locator('#blocked [data-code="unauthorized"]').waitFor();
  assert(await again.locator("form button[type=submit]").isDisabled(), "bad token: submit off");
  await screenshot(again, "error-bad-token");

  // Every member computes and publishes.
  await Promise.all(memberPages.map(waitPublished));
  await screenshot(memberPages[1], "console-published");
  await axeCheck(memberPages[1], "committee console (published)");
  log("committee published");

  // The results page: exact tally, verified signatures.
  await org.goto(links.read);
  await openResults(org, links.read);
  const rows = await tableRows(org, "Votes per option");
  assertEqual(
    rows.map((r) => [r[0], r[1]]),
    [
      ["A", "3"],
      ["B", "2"],
      ["C", "1"],
    ],
    "tally",
  );
  const verification = await org.locator('[data-verified="true"]').innerText();
  assert(/Signed by [23] of 3/.test(verification), `verification text: ${verification}`);
  const [csv] = await Promise.all([
    org.waitForEvent("download"),
    org.getByRole("button", { name: "Download CSV" }).click(),
  ]);
  const csvText = readFileSync(await csv.path(), "utf8");
  assert(csvText.includes("tally,A,3\r\n") && csvText.includes("tally,C,1\r\n"), `CSV export: ${csvText}`);
  await axeCheck(org, "results page");
  await screenshot(org, "results-vote");

  // Phone-sized screens (the participate page opened before the close).
  await openResults(small, links.read);
  await screenshot(small, "phone-results");
});
