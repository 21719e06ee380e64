// The committee console before joining: a member who opens her member
// link (her key in the browser) sees at once who of the committee is
// online, from the relay (`Participant.linkState()`: `GetPresence` with
// the link's token before any Hello, docs/relay.md "Presence"), without
// being counted online herself: the organizer's live view still shows
// her offline until she joins. Bo joins from a phone; Ada's console,
// not joined, lists him online; once the organizer closes the session
// the members not connected are "missing" and the console says whom the
// committee waits for; when Ada joins, her worker's reports take over.
// Carol's browser has no X25519 in WebCrypto: her key is kept only as
// its passphrase key file, which her console unlocks to join.

import { runTest, screenshot, axeCheck, log, assert } from "./lib.mjs";
import {
  memberKey,
  fillCreateForm,
  createSession,
  memberJoin,
  waitPublished,
  presenceIs,
  refuseX25519,
} from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const NAMES = ["Ada", "Bo", "Carol"];

/** Opens a member link in the console without joining (`key`: the member's key is in this browser). */
async function openConsole(page, link, { key = true } = {}) {
  await page.goto(link);
  await page.locator("#join").waitFor();
  await (key ? page.getByText("of this committee") : page.locator("#key-missing")).waitFor();
}

await runTest("console-presence", async ({ relay, context }) => {
  const origin = relay.origin;
  const members = [];
  const keys = [];
  for (const name of NAMES) {
    // Bo's console is on a phone.
    const page = await (await context(name === "Bo" ? PHONE : undefined)).newPage();
    if (name === "Carol") await page.addInitScript(refuseX25519);
    keys.push(await memberKey(page, origin, name));
    const kept = await page.locator("#key-storage").getAttribute("data-storage");
    assert(kept === (name === "Carol" ? "passphrase" : "unreadable"), `${name}'s key is kept ${kept}`);
    members.push(page);
  }
  const [ada, bo, carol] = members;
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Board seat",
    kind: "vote",
    build: async (p) => p.locator("#vote-options").fill("Yes\nNo"),
    members: keys,
    minSubmissions: 1,
  });
  const links = await createSession(org);

  // Ada and Bo open their consoles; nobody has joined.
  await openConsole(ada, links.members[0]);
  await openConsole(bo, links.members[1]);
  await presenceIs(ada, ["offline", "offline", "offline"]);
  await ada.locator("#presence").getByText("Carol: not connected yet").waitFor();
  await presenceIs(bo, ["offline", "offline", "offline"]);
  // Asking does not count: the organizer still sees nobody online.
  await presenceIs(org, ["offline", "offline", "offline"]);
  assert(!(await ada.locator("#join").isDisabled()), "Ada has not joined");

  // Carol joins: both consoles, not joined, list her online.
  await memberJoin(carol, links.members[2]);
  await presenceIs(ada, ["offline", "offline", "online"]);
  await ada
    .locator("#presence")
    .getByText(/Carol: online since \d/)
    .waitFor();
  await presenceIs(bo, ["offline", "offline", "online"]);
  await presenceIs(org, ["offline", "offline", "online"]);
  await axeCheck(ada, "console before joining, with presence");
  await screenshot(ada, "console-presence-before-join");
  await screenshot(bo, "phone-console-presence-before-join");
  const wide = await bo.evaluate(() => document.documentElement.scrollWidth);
  assert(wide <= 391, `the console is ${wide} px wide at 390 px`);
  log("Ada's and Bo's consoles list Carol online before they join");

  // Bo joins from the phone; Ada, still not joined, sees him.
  await bo.locator("#join").click();
  await bo.locator("#member-status[data-stage]").waitFor({ timeout: 30_000 });
  await presenceIs(ada, ["offline", "online", "online"]);

  // Closed: Ada (not joined) is needed: missing, and the console says so.
  const close = org.locator("#close-session");
  await close.click();
  await close.click();
  await presenceIs(ada, ["missing", "computing", "computing"]);
  const waits = await ada.locator("#presence-waiting").innerText();
  assert(/^Waiting for Ada\b/.test(waits), `whom the committee waits for: ${waits}`);
  await axeCheck(ada, "console before joining, the committee waiting");
  await screenshot(ada, "console-presence-missing-before-join");
  // Her link on a phone without the key: the same list.
  const phone = await (await context(PHONE)).newPage();
  await openConsole(phone, links.members[0], { key: false });
  await presenceIs(phone, ["missing", "computing", "computing"]);
  await screenshot(phone, "phone-console-presence-missing-before-join");
  await phone.close();

  // Ada joins: her worker's reports take over; the result is published.
  await ada.locator("#join").click();
  await Promise.all([waitPublished(ada), waitPublished(bo), waitPublished(carol)]);
  await ada.locator("#presence-waiting").waitFor({ state: "detached" });
  log("Ada joined; published");
});
