// The organizer's and the voter's safeguards around the core (issue 18):
// one answer per browser on an open link, enforced before anything is
// sent; the session page's live status from the relay (answers received,
// single-use links used, every state up to the published result, the same
// in another browser after importing the organizer file); circle mode that
// starts its committee at the close; settings checked at their field in
// plain words before anything is sent; the key export's passphrase; a
// member link in a browser without the key; the names of missing members.
// Screenshots at desktop width and at 390 px.

import { readFileSync } from "node:fs";
import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { fillCreateForm, createSession, openParticipant, submitAnswer, openResults, tableRows } from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The text of the session page's state line and its data-state. */
async function sessionState(page) {
  const el = page.locator("#session-state");
  return { state: await el.getAttribute("data-state"), text: await el.innerText() };
}

/** No horizontal scrolling at the page's width. */
async function noOverflow(page, what) {
  const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `${what}: the page is ${o.scroll} px wide at a ${o.width} px viewport`);
}

await runTest("organizer", async ({ relay, context }) => {
  const origin = relay.origin;

  // --- Settings checked at their field, before anything is sent ---------
  const org = await (await context()).newPage();
  await org.goto(`${origin}/`);
  await org.locator("#create-form").waitFor();
  // The open link says what it can and cannot guarantee, and recommends
  // single-use links for a vote.
  const note = org.locator("#open-link-note");
  assert(
    (await note.innerText()).includes("cannot stop one person from answering again from another browser"),
    "open-link guarantee stated",
  );
  assert(await org.locator("#open-link-vote-advice").isVisible(), "single-use links recommended for a vote");
  await org.locator("#kind-survey").check();
  assert(!(await org.locator("#open-link-vote-advice").isVisible()), "the vote advice only for votes");
  assert(
    (await org.locator("#create-form").innerText()).includes("There is no free-text question"),
    "free text out of scope, said in the help",
  );
  await org.locator("#kind-vote").check();

  let requests = 0;
  org.on("websocket", () => {
    requests += 1;
  });
  await org.getByLabel("Title").fill("");
  await org.locator("#vote-options").fill("Only one");
  await org.locator("#min-submissions").fill("-2");
  await org.locator("#access-single").check();
  await org.locator("#single-use-count").fill("0");
  await org.locator("#closes-at").fill("2020-01-01T10:00");
  await org.getByRole("button", { name: "Create the session" }).click();
  const summary = org.locator("#create-feedback [data-code=invalid_options]");
  await summary.waitFor();
  const marked = await org.locator(".field.invalid").evaluateAll((fields) =>
    fields.map((f) => ({
      label: f.querySelector("label")?.textContent,
      note: f.querySelector(".field-error")?.textContent,
      invalid: f.querySelector("[aria-invalid=true]") !== null,
      described: Boolean(
        f
          .querySelector("[aria-invalid=true]")
          ?.getAttribute("aria-describedby")
          ?.includes(f.querySelector(".field-error")?.id),
      ),
    })),
  );
  log(`marked fields: ${JSON.stringify(marked.map((m) => m.label))}`);
  const byLabel = Object.fromEntries(marked.map((m) => [m.label, m]));
  for (const m of marked) assert(m.invalid && m.described, `${m.label}: aria-invalid and described by its message`);
  assert(byLabel.Title?.note.startsWith("Give the session a title"), "title");
  assert(byLabel["Options, one per line"]?.note.includes("at least two options"), "one-option vote refused");
  assert(
    byLabel["A member's public keys (JSON)"]?.note.includes("Add at least one committee member"),
    "no committee refused",
  );
  assert(
    byLabel["Minimum number of answers before anything is revealed"]?.note.includes("at least 1"),
    "negative minimum refused",
  );
  assert(byLabel["Number of single-use links"]?.note.includes("from 1 to 10,000"), "0 links refused");
  assert(byLabel["Deadline (optional)"]?.note.includes("already passed"), "past deadline refused");
  assertEqual(marked.length, 6, "six settings marked");
  assertEqual(await summary.locator("h2").innerText(), "6 settings need fixing", "summary heading");
  assert(!/invalid type|expected i64|line \d+ column/.test(await summary.innerText()), "no parser jargon");
  assertEqual(
    await org.evaluate(() => document.activeElement?.id),
    "session-title",
    "focus on the first setting to fix",
  );
  assertEqual(requests, 0, "nothing was sent to the server");
  assertEqual(
    await org
      .locator(".field.invalid")
      .first()
      .evaluate((el) => getComputedStyle(el).borderLeftStyle),
    "solid",
    "the field is visibly marked",
  );
  await axeCheck(org, "create page with settings to fix");
  await screenshot(org, "create-validation");
  // Fixing a setting clears its mark as soon as it changes.
  await org.getByLabel("Title").fill("Lunch place");
  await org.locator(".field.invalid", { hasText: "Title" }).waitFor({ state: "detached" });
  // A one-member committee is allowed but warned about, at its field.
  await org.getByLabel("Circle mode: this browser makes all member keys (demo)").check();
  await org.locator("#circle-count").fill("1");
  const warn = org.locator(".field.warned .field-warn");
  await warn.waitFor();
  assert((await warn.innerText()).includes("One member gives no privacy at all"), "one-member warning");
  assert(
    (await org.locator("#create-form").innerText()).includes("the result needs 1 signature."),
    "singular signature",
  );
  await org.locator("#circle-count").fill("40");
  await org.getByRole("button", { name: "Create the session" }).click();
  await org
    .locator(".field.invalid", { hasText: "Number of members" })
    .locator(".field-error", { hasText: "from 1 to 31" })
    .waitFor();
  assertEqual(requests, 0, "still nothing sent");
  const phoneCreate = await (await context(PHONE)).newPage();
  await phoneCreate.goto(`${origin}/`);
  await phoneCreate.locator("#create-form").waitFor();
  await phoneCreate.getByLabel("Title").fill("");
  await phoneCreate.locator("#vote-options").fill("Only one");
  await phoneCreate.getByRole("button", { name: "Create the session" }).click();
  await phoneCreate.locator("#create-feedback [data-code=invalid_options]").waitFor();
  await noOverflow(phoneCreate, "create page (phone)");
  await screenshot(phoneCreate, "phone-create-validation");
  await phoneCreate.close();
  log("settings checked at their fields");

  // --- An open-link vote in circle mode with a deadline -------------------
  const deadline = new Date(Date.now() + 3600_000);
  const local = new Date(deadline.getTime() - deadline.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await fillCreateForm(org, origin, {
    title: "Lunch \u202Eplace",
    kind: "vote",
    build: async (page) => page.locator("#vote-options").fill("Pizza\nSushi"),
    circle: 3,
    minSubmissions: 1,
  });
  await org.locator("#closes-at").fill(local);
  const links = await createSession(org);
  assertEqual(await org.evaluate(() => window.scrollY), 0, "the session page starts at its top");
  await org.locator('#session-state[data-state="open"]').waitFor();
  assertEqual(await org.locator("#answer-count").innerText(), "0", "no answers yet");
  assert(
    (await org.locator("#demo-not-started").innerText()).includes("Nobody computes until the committee runs"),
    "circle mode says the committee must run",
  );
  assertEqual(await org.locator("#member-links").isVisible(), false, "circle mode folds the member links away");
  assert(/UTC|GMT/.test(await org.locator("#live-counts").innerText()), "deadline with its time zone");
  await axeCheck(org, "session page (live status)");
  await screenshot(org, "session-live-open");

  // One answer per browser, refused before the server is asked.
  const alice = await context();
  const first = await alice.newPage();
  // The control for the "nothing sent" checks below: the same observation
  // sees the frames of a page that does submit (in Firefox it is made in
  // the page, see puppeteer-compat.mjs).
  let firstSent = 0;
  first.on("websocket", (ws) =>
    ws.on("framesent", () => {
      firstSent += 1;
    }),
  );
  await openParticipant(first, links.participants[0]);
  assert(/UTC|GMT/.test(await first.locator("#deadline").innerText()), "participant deadline with its time zone");
  await first.getByLabel("Pizza", { exact: true }).check();
  assertEqual(await submitAnswer(first), "sent", "first answer");
  assert(firstSent > 0, "the frames of a submitting page are seen");
  assertEqual(
    await first.locator("#receipt-summary dt").first().innerText(),
    "Sent",
    "the receipt is explained, not raw JSON",
  );
  assertEqual(await first.locator(".site-header nav").isVisible(), false, "no organizer navigation for participants");
  await screenshot(first, "participate-receipt-explained");
  await first.close();
  const again = await alice.newPage();
  let sent = 0;
  again.on("websocket", (ws) =>
    ws.on("framesent", () => {
      sent += 1;
    }),
  );
  await again.goto(links.participants[0]);
  const blocked = again.locator('#blocked[data-code="answered_here"]');
  await blocked.waitFor();
  const submit = again.locator("form button[type=submit]");
  assert(await submit.isDisabled(), "the submit button is off in a browser that answered");
  await again.getByLabel("Sushi", { exact: true }).check();
  sent = 0;
  await submit.click({ force: true });
  await again.keyboard.press("Enter");
  await again.waitForTimeout(1000);
  assertEqual(await again.getByRole("heading", { name: "Your answer was sent" }).count(), 0, "no second answer");
  assertEqual(sent, 0, "nothing sent on the blocked page");
  await axeCheck(again, "participate page (already answered)");
  await screenshot(again, "participate-answered-here");
  // Another person's browser, phone-sized: it answers once too.
  const alicePhone = await context(PHONE);
  const bob = await alicePhone.newPage();
  await openParticipant(bob, links.participants[0]);
  await bob.getByLabel("Sushi", { exact: true }).check();
  assertEqual(await submitAnswer(bob), "sent", "another browser answers");
  const bobAgain = await alicePhone.newPage();
  await bobAgain.goto(links.participants[0]);
  await bobAgain.locator('#blocked[data-code="answered_here"]').waitFor();
  await noOverflow(bobAgain, "participate page (phone)");
  await screenshot(bobAgain, "phone-participate-answered-here");
  log("open link: one answer per browser");

  // The organizer sees the count live.
  await org.locator("#answer-count", { hasText: /^2$/ }).waitFor({ timeout: 15_000 });
  const phoneOrg = await (await context(PHONE)).newPage();

  // Closing in circle mode starts the committee nobody started.
  await org.locator("#close-session").click();
  await org.locator("#close-session").click();
  await org.getByText("Closed: no more answers are accepted").waitFor();
  assertEqual(await org.locator("#close-session").count(), 0, "no close button once closed");
  await org.locator("#demo-status li[data-done]").nth(2).waitFor({ timeout: 150_000 });
  await org.locator('#session-state[data-state="done"]').waitFor({ timeout: 20_000 });
  const done = await sessionState(org);
  assert(done.text.startsWith("Result published"), `published state: ${done.text}`);
  assert(!/computes|computing/i.test(done.text), "no 'computes' after publishing");
  assert((await org.locator("#published-summary").innerText()).startsWith("2 valid answers"), "published summary");
  await axeCheck(org, "session page (published)");
  await screenshot(org, "session-live-published");

  // The organizer file in another browser shows the finished session.
  const [capDownload] = await Promise.all([
    org.waitForEvent("download"),
    org.getByRole("button", { name: "Export organizer file" }).click(),
  ]);
  await phoneOrg.goto(`${origin}/`);
  await phoneOrg.getByLabel("Import an organizer file").setInputFiles(await capDownload.path());
  await phoneOrg.locator('#session-state[data-state="done"]').waitFor({ timeout: 20_000 });
  assertEqual(await phoneOrg.locator("#close-session").count(), 0, "imported finished session: no close button");
  assert(
    (await phoneOrg.locator("#session-state").innerText()).startsWith("Result published"),
    "imported finished session: published",
  );
  await noOverflow(phoneOrg, "session page (phone)");
  await screenshot(phoneOrg, "phone-session-live-published");
  await openResults(phoneOrg, links.read);
  await noOverflow(phoneOrg, "results page (phone)");
  await screenshot(phoneOrg, "phone-results-vote");
  await phoneOrg.goto(`${origin}/`);
  const listed = phoneOrg.locator(".link-list li").first();
  assert((await listed.innerText()).includes("published"), "the start page lists the session as published");
  assertEqual(await listed.locator("bdi").count(), 1, "the title is isolated (bidi)");

  // The results page of the organizer: no close button after the close.
  await openResults(org, links.read);
  assertEqual(await org.locator("#results-close").count(), 0, "no 'Close submissions now' after the close");
  const tally = await tableRows(org, "Votes per option");
  assertEqual(
    tally.map((r) => r.slice(0, 2)),
    [
      ["Pizza", "1"],
      ["Sushi", "1"],
    ],
    "one vote per browser counted",
  );
  log("live status through to the published result");

  // --- Single-use links used ---------------------------------------------
  await fillCreateForm(org, origin, {
    title: "Board seat",
    kind: "vote",
    circle: 3,
    singleUse: 3,
    build: async (page) => page.locator("#vote-options").fill("A\nB"),
  });
  const single = await createSession(org);
  await org.locator("#links-used", { hasText: "0 of 3" }).waitFor();
  const carol = await (await context()).newPage();
  await openParticipant(carol, single.participants[1]);
  await carol.getByLabel("B", { exact: true }).check();
  assertEqual(await submitAnswer(carol), "sent", "single-use answer");
  await org.locator("#links-used", { hasText: "1 of 3" }).waitFor({ timeout: 15_000 });
  log("single-use links used: 1 of 3");

  // --- Duplicate this session ---------------------------------------------
  await org.locator("#duplicate-session").click();
  await org.locator("#duplicate-note").waitFor();
  assertEqual(await org.getByLabel("Title").inputValue(), "Board seat (copy)", "duplicated title");
  assert(await org.locator("#kind-vote").isChecked(), "duplicated kind");
  assertEqual(await org.locator("#vote-options").inputValue(), "A\nB", "duplicated options");
  assert(
    await org.getByLabel("Circle mode: this browser makes all member keys (demo)").isChecked(),
    "duplicated circle mode",
  );
  assertEqual(await org.locator("#circle-count").inputValue(), "3", "duplicated committee size");
  assertEqual(await org.locator("#single-use-count").inputValue(), "3", "duplicated link count");
  await axeCheck(org, "create page (duplicate)");
  await screenshot(org, "create-duplicate");
  const copy = await createSession(org);
  assertEqual(copy.participants.length, 3, "the copy has its own three links");
  assert(copy.read !== single.read, "a new session");
  log("session duplicated");

  // --- A member link in a browser without the key ------------------------
  const stranger = await (await context()).newPage();
  await stranger.goto(single.members[0]);
  const missingKey = stranger.locator("#key-missing");
  await missingKey.waitFor();
  assert(
    (await missingKey.innerText()).includes(
      "Open this member link on the device and in the browser where you made your key",
    ),
    "says where to open it",
  );
  assert(!(await stranger.locator("main").innerText()).includes("above first"), "no 'above' that is not above");
  await axeCheck(stranger, "console without a key");
  await screenshot(stranger, "console-key-missing");

  // --- A new key refuses a short backup passphrase at its field ----------
  await stranger.goto(`${origin}/#console`);
  await stranger.getByLabel("Your name, as participants will see it").first().fill("Dana");
  await stranger.locator("#generate-passphrase").fill("short");
  let downloads = 0;
  stranger.on("download", () => {
    downloads += 1;
  });
  await stranger.getByRole("button", { name: "Generate key" }).click();
  const passNote = stranger.locator(".field.invalid .field-error");
  await passNote.waitFor();
  assertEqual(
    await passNote.innerText(),
    "The passphrase is too short: at least 8 characters (this one has 5).",
    "passphrase message",
  );
  assertEqual(
    await stranger.locator("#generate-passphrase").getAttribute("aria-invalid"),
    "true",
    "passphrase field marked",
  );
  assertEqual(
    await stranger.locator("[data-code=invalid_options]").count(),
    0,
    "not 'The session settings are not valid'",
  );
  assertEqual(await stranger.locator("#public-keys").count(), 0, "no key made");
  await axeCheck(stranger, "console with a short passphrase");
  await screenshot(stranger, "console-short-passphrase");
  await stranger.locator("#generate-passphrase").fill("a long enough passphrase");
  await stranger.getByRole("button", { name: "Generate key" }).click();
  await stranger.locator("#public-keys").waitFor();
  assertEqual(await stranger.locator(".field.invalid").count(), 0, "mark cleared");
  // The stored key exports the key file kept with it.
  await stranger.getByText("Back up or remove this key").click();
  const [keyFile] = await Promise.all([
    stranger.waitForEvent("download"),
    stranger.getByRole("button", { name: "Download key file" }).click(),
  ]);
  assert(readFileSync(await keyFile.path()).length > 64, "key file exported");
  assertEqual(downloads, 1, "one file, after the key was made");

  // --- A missing member named, from the member's own error ---------------
  const named = await stranger.evaluate(async () => {
    const { memberFailure } = await import("/js/committee-wait.js");
    // The error a member gives up with (crate/client/src/member.rs, Stalled).
    const err = Object.assign(
      new Error(
        "no progress after the session closed (120 s without a new message, 10 fruitless reconnects; waiting for members [2, 3]): a member stopped, or the relay is withholding messages",
      ),
      { code: "computation_failed" },
    );
    const node = memberFailure(err, [
      { index: 1, name: "Ada" },
      { index: 2, name: "Grace" },
      { index: 3, name: "Alan" },
    ]);
    return { code: node.dataset.code, heading: node.querySelector("h2").textContent };
  });
  assertEqual(
    named,
    { code: "member_missing", heading: "Waiting for Grace (member 2) and Alan (member 3)" },
    "missing members named",
  );

  // --- A member that broke the protocol named, or not when it cannot be --
  const deviated = await stranger.evaluate(async () => {
    const { memberFailure } = await import("/js/committee-wait.js");
    const committee = [
      { index: 1, name: "Ada" },
      { index: 2, name: "Grace" },
      { index: 3, name: "Alan" },
    ];
    // The errors the wasm member throws (crate/wasm/src/error.rs, member_error).
    // A member that holds signed proof adds it as `evidence`.
    const err = (culprits) =>
      Object.assign(new Error("the computation stopped because committee member 2 deviated"), {
        code: "member_deviated",
        culprits,
        evidence: culprits.length ? new Uint8Array([1, 2, 3]) : undefined,
      });
    return [[2], []].map((c) => {
      const node = memberFailure(err(c), committee);
      return {
        code: node.dataset.code,
        heading: node.querySelector("h2").textContent,
        proof: node.querySelector("#deviation-proof button")?.textContent ?? null,
      };
    });
  });
  assertEqual(
    deviated,
    [
      {
        code: "member_deviated",
        heading: "Grace (member 2) broke the protocol",
        proof: "Download the signed proof",
      },
      { code: "member_deviated", heading: "A committee member broke the protocol", proof: null },
    ],
    "a deviating member named when it can be, with its proof when the member holds one",
  );
});
