// The committee set-up explains n and t as a choice between privacy and
// dropouts (with n members and threshold t the committee finishes while
// 2t + 1 are online, so n − (2t + 1) may be offline, and any t may cheat
// or collude); a t that needs more members than there are cannot be
// chosen. The session page's links have QR codes that encode exactly the
// link (checked against the `qr` package's own matrix in Node).

import { runTest, screenshot, axeCheck, assert, assertEqual } from "./lib.mjs";
import { circleVote } from "./flows.mjs";
import encodeQR from "../../www/node_modules/qr/index.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The SVG path the page draws for `text` (js/qr.js), from the package in Node. */
function expectedPath(text) {
  const matrix = encodeQR(text, "raw", { ecc: "medium", border: 4 });
  let d = "";
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return d;
}

await runTest("share", async ({ relay, context }) => {
  const org = await (await context()).newPage();
  await org.goto(`${relay.origin}/`);
  await org.locator("#create-form").waitFor();
  await org.locator("#kind-vote").check();
  await org.getByLabel("Circle mode: this browser makes all member keys (demo)").check();
  const hint = org.locator("#threshold-hint");
  const options = () => org.locator("#threshold option").allTextContents();

  await org.locator("#circle-count").fill("5");
  assertEqual(await options(), ["0", "1", "2"], "t for 5 members: at most 2 (2t + 1 <= n)");
  await org
    .locator("#threshold-hint", {
      hasText: "5 members, t = 2: none may be offline, any 2 may cheat or collude together",
    })
    .waitFor();
  await org.locator("#threshold").selectOption("1");
  await org
    .locator("#threshold-hint", {
      hasText:
        "5 members, t = 1: any 2 may be offline, any 1 may cheat or collude with others without learning any answer or changing the result unnoticed.",
    })
    .waitFor();
  assert((await hint.innerText()).includes("finishes while 3 are online"), await hint.innerText());
  await org.getByText("A choice between privacy and dropouts").waitFor();
  await axeCheck(org, "create page: the threshold explained");
  await org.evaluate(() => document.getElementById("threshold")?.scrollIntoView({ block: "center" }));
  await screenshot(org, "create-threshold-tradeoff");
  // Four members: t = 2 would need five online; it is not offered, and
  // the chosen t = 1 leaves one member free to be offline.
  await org.locator("#circle-count").fill("4");
  assertEqual(await options(), ["0", "1"], "t for 4 members");
  await org.locator("#threshold-hint", { hasText: "4 members, t = 1: any 1 may be offline" }).waitFor();
  await org.locator("#circle-count").fill("2");
  await org
    .locator("#threshold-hint", {
      hasText: "2 members, t = 0: any 1 may be offline, but a single member can read every answer",
    })
    .waitFor();

  // A description: shown in the preview; too long, marked at its field
  // and nothing is sent.
  await org.getByLabel("Title").fill("Described");
  await org.locator("#session-description").fill("First line\nSecond line");
  await org.locator(".preview-label ~ .description", { hasText: "Second line" }).waitFor();
  await org.locator("#session-description").fill("x".repeat(2001));
  await org.getByRole("button", { name: "Create the session" }).click();
  await org.locator('#session-description[aria-invalid="true"]').waitFor();
  await org.getByText("Shorten the description to at most 2,000 characters (it has 2,001).").first().waitFor();
  assertEqual(await org.locator("#member-links").count(), 0, "nothing created with a long description");
  await org.locator("#session-description").fill("");

  const phone = await (await context(PHONE)).newPage();
  await phone.goto(`${relay.origin}/`);
  await phone.locator("#create-form").waitFor();
  await phone.getByLabel("Circle mode: this browser makes all member keys (demo)").check();
  await phone.locator("#circle-count").fill("7");
  await phone.locator("#threshold-hint", { hasText: "7 members, t = 3: none may be offline" }).waitFor();
  await phone.evaluate(() => document.getElementById("threshold")?.scrollIntoView({ block: "center" }));
  await screenshot(phone, "phone-create-threshold-tradeoff");

  // QR codes on the session page.
  const links = await circleVote(org, relay.origin, "QR codes");
  const open = org.locator("#participant-links li").first();
  await open.getByText("QR code").click();
  const code = open.locator("svg.qr");
  await code.waitFor();
  assertEqual(await code.getAttribute("aria-label"), "QR code of the link: Open link", "the code's label");
  const drawn = await code.locator("path").getAttribute("d");
  assertEqual(drawn, expectedPath(links.participants[0]), "the participant link's QR code encodes the link");
  // The member links (folded away in circle mode) have theirs too.
  await org.getByText("Not needed in circle mode").click();
  const member = org.locator("#member-links li").first();
  await member.getByText("QR code").click();
  const memberDrawn = await member.locator("svg.qr path").getAttribute("d");
  assertEqual(memberDrawn, expectedPath(links.members[0]), "the member link's QR code encodes the link");
  await axeCheck(org, "session page with QR codes");
  await org.evaluate(() => document.getElementById("participants-heading")?.scrollIntoView());
  await screenshot(org, "session-qr");

  // The same session page on a phone, through the organizer file.
  const [file] = await Promise.all([
    org.waitForEvent("download"),
    org.getByRole("button", { name: "Export organizer file" }).click(),
  ]);
  await phone.goto(`${relay.origin}/`);
  await phone.getByLabel("Import an organizer file").setInputFiles(await file.path());
  await phone.locator("#participant-links").waitFor();
  const phoneOpen = phone.locator("#participant-links li").first();
  await phoneOpen.getByText("QR code").click();
  await phoneOpen.locator("svg.qr").waitFor();
  const o = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `the session page is ${o.scroll} px wide at ${o.width} px`);
  await phone.evaluate(() => document.getElementById("participants-heading")?.scrollIntoView());
  await screenshot(phone, "phone-session-qr");
});
