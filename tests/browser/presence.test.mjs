// Presence in the organizer's live view: three members in their own
// browsers join; the session page lists them online. Carol closes her
// tab: offline while answers come in, then, once the organizer closes the
// session, "missing" and "Waiting for Carol since …" while the other two
// wait for her. She opens her member link again in the same browser and
// joins: online and computing, and when the result is published every
// member is "done". The committee consoles (one on a phone) list the
// members too, from the member's worker, and say whom they wait for. The
// relay's presence report (docs/relay.md,
// "Presence") is what the page shows; nothing here is simulated.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import {
  memberKey,
  fillCreateForm,
  createSession,
  memberJoin,
  waitPublished,
  openParticipant,
  submitAnswer,
  copyOrganizer,
  presenceIs,
} from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const NAMES = ["Ada", "Bo", "Carol"];

await runTest("presence", async ({ relay, context }) => {
  const origin = relay.origin;
  const members = [];
  const keys = [];
  for (const name of NAMES) {
    // Ada's console is on a phone.
    const ctx = await context(name === "Ada" ? PHONE : undefined);
    const page = await ctx.newPage();
    keys.push(await memberKey(page, origin, name));
    members.push({ ctx, page });
  }
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Team lunch",
    kind: "vote",
    build: async (p) => p.locator("#vote-options").fill("Soup\nSalad"),
    members: keys,
    minSubmissions: 1,
  });
  const links = await createSession(org);
  await presenceIs(org, ["offline", "offline", "offline"]);
  await org.locator("#presence").getByText("Carol: not connected yet").waitFor();

  await Promise.all(members.map((m, i) => memberJoin(m.page, links.members[i])));
  await presenceIs(org, ["online", "online", "online"]);
  await org
    .locator("#presence")
    .getByText(/Ada: online since \d/)
    .waitFor();
  await axeCheck(org, "session page with the committee online");
  await screenshot(org, "presence-online");
  // The committee console shows the same, from the member's own worker.
  const ada = members[0].page;
  await presenceIs(ada, ["online", "online", "online"]);
  await ada
    .locator("#presence")
    .getByText(/Carol: online since \d/)
    .waitFor();
  log("all three members online");

  // Carol closes her tab: offline, not yet needed.
  await members[2].page.close();
  await presenceIs(org, ["online", "online", "offline"]);
  await org
    .locator("#presence")
    .getByText(/Carol: offline since \d/)
    .waitFor();
  await presenceIs(ada, ["online", "online", "offline"]);
  const voter = await (await context()).newPage();
  await openParticipant(voter, links.participants[0]);
  await voter.getByLabel("Salad", { exact: true }).check();
  assertEqual(await submitAnswer(voter), "sent", "an answer");

  // Closed: the committee needs her. Missing, and who it waits for.
  const close = org.locator("#close-session");
  await close.click();
  await close.click();
  await presenceIs(org, ["computing", "computing", "missing"]);
  const waiting = await org.locator("#presence-waiting").innerText();
  assert(/^Waiting for Carol since \d/.test(waiting), `who the committee waits for: ${waiting}`);
  await axeCheck(org, "session page waiting for a member");
  await screenshot(org, "presence-missing");
  const sessionUrl = await org.evaluate(() => location.href);
  const phone = await (await context(PHONE)).newPage();
  await copyOrganizer(org, phone, origin);
  await phone.goto(sessionUrl);
  await presenceIs(phone, ["computing", "computing", "missing"]);
  await screenshot(phone, "phone-presence-missing");
  // Ada's and Bo's consoles: Carol missing, and whom their computation
  // waits for.
  const bo = members[1].page;
  for (const [page, shot] of [
    [bo, "console-presence-missing"],
    [ada, "phone-console-presence-missing"],
  ]) {
    await presenceIs(page, ["computing", "computing", "missing"]);
    const waits = await page.locator("#presence-waiting").innerText();
    assert(/^Waiting for Carol since \d/.test(waits), `whom the console waits for: ${waits}`);
    await screenshot(page, shot);
  }
  await axeCheck(bo, "committee console waiting for a member");
  const wide = await ada.evaluate(() => document.documentElement.scrollWidth);
  assert(wide <= 391, `the console is ${wide} px wide at 390 px`);
  log("Carol is missing after the close");

  // She comes back in the same browser (her key is there) and joins.
  const carol = await members[2].ctx.newPage();
  await memberJoin(carol, links.members[2]);
  await org.locator("#presence-waiting").waitFor({ state: "detached", timeout: 30_000 });
  await Promise.all([waitPublished(members[0].page), waitPublished(members[1].page), waitPublished(carol)]);
  await presenceIs(org, ["done", "done", "done"]);
  await org.locator("#presence").getByText("Carol: done: signed the result").waitFor();
  await screenshot(org, "presence-done");
  // In the consoles: published; nobody is waited for any more.
  await bo.locator("#presence-waiting").waitFor({ state: "detached" });
  await screenshot(bo, "console-presence-done");
  log("back online; the result is published and every member is done");
});
