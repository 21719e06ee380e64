// End to end, survey: three committee members, a survey built in the UI
// with a numeric question (histogram buckets), a choice and an optional
// yes/no question, five answers through one open link, and the results
// page with the exact median, quartiles and counts.

import { runTest, screenshot, axeCheck, log, assertEqual } from "./lib.mjs";
import {
  memberKey,
  MEMBER_PASSPHRASE,
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

const HOURS = "How many hours a week do you spend on it?";
const COLOUR = "Which colour should the new logo be?";
const AGREE = "Would you recommend it?";
const ANSWERS = [
  { hours: 10, colour: "red", agree: "Yes" },
  { hours: 20, colour: "red", agree: "No" },
  { hours: 30, colour: "blue", agree: null },
  { hours: 40, colour: "green", agree: "Yes" },
  { hours: 50, colour: "red", agree: "Yes" },
];

async function buildSurvey(page) {
  // The builder starts with a number question (q1) and a choice (q2).
  const q1 = page.locator('[data-question="q1"]');
  await q1.getByLabel("Histogram bucket edges (optional)").fill("0, 20, 40, 60");
  await page.getByRole("button", { name: "Add a question" }).click();
  const q3 = page.locator('[data-question="q3"]');
  await q3.getByLabel("Question", { exact: true }).fill(AGREE);
  await q3.getByLabel("Answer type").selectOption("yesno");
  await q3.getByText("Optional: people may skip it").click();
}

await runTest("survey", async ({ relay, context }) => {
  const origin = relay.origin;
  const memberPages = [];
  const keys = [];
  for (const name of ["Noor", "Kofi", "Lena"]) {
    const page = await (await context()).newPage();
    keys.push(await memberKey(page, origin, name));
    memberPages.push(page);
  }

  // A member downloads the passphrase-protected key file kept with its
  // key (its backup passphrase was chosen when it generated the key) and
  // restores it in a fresh browser profile: same fingerprint.
  const noor = memberPages[0];
  await noor.getByText("Back up or remove this key").click();
  const [keyDownload] = await Promise.all([
    noor.waitForEvent("download"),
    noor.getByRole("button", { name: "Download key file" }).click(),
  ]);
  const keyFile = await keyDownload.path();
  const restored = await (await context()).newPage();
  await restored.goto(`${origin}/#console`);
  await restored.getByLabel("Key file").setInputFiles(keyFile);
  await restored.getByLabel("Passphrase", { exact: true }).fill(MEMBER_PASSPHRASE);
  await restored.getByLabel("Your name, as participants will see it").nth(1).fill("Noor");
  await restored.getByRole("button", { name: "Import key" }).click();
  await restored.locator("#my-fingerprint", { hasText: keys[0].fingerprint }).waitFor({ timeout: 60_000 });
  log("key file exported and imported");
  await restored.close();

  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, { title: "Team tools survey", kind: "survey", build: buildSurvey, members: keys });
  await org.locator("#preview").getByText(AGREE).waitFor();
  await axeCheck(org, "create page (survey)");
  await screenshot(org, "create-survey");
  const links = await createSession(org);
  assertEqual(links.participants.length, 1, "one open link");
  await Promise.all(memberPages.map((page, i) => memberJoin(page, links.members[i])));

  // The organizer file moves the session to another browser profile.
  const [capDownload] = await Promise.all([
    org.waitForEvent("download"),
    org.getByRole("button", { name: "Export organizer file" }).click(),
  ]);
  const other = await (await context()).newPage();
  await other.goto(`${origin}/`);
  await other.getByLabel("Import an organizer file").setInputFiles(await capDownload.path());
  await other.locator("#member-links").waitFor();
  assertEqual(await other.locator("#results-link").getAttribute("href"), links.read, "imported session's read link");
  log("organizer file exported and imported");
  // "Duplicate this session" fills the create page with the same survey
  // and the same pasted committee (fingerprints recomputed).
  await other.locator("#duplicate-session").click();
  await other.locator("#duplicate-note").waitFor();
  assertEqual(await other.locator("#member-cards .member-card").count(), 3, "duplicated committee");
  assertEqual(
    await other.locator('[data-question="q1"]').getByLabel("Histogram bucket edges (optional)").inputValue(),
    "0, 20, 40, 60",
    "duplicated bucket edges",
  );
  assertEqual(
    await other.locator('[data-question="q3"]').getByLabel("Question", { exact: true }).inputValue(),
    AGREE,
    "duplicated third question",
  );
  assertEqual(
    await other.locator('[data-question="q3"] input[type=checkbox]').isChecked(),
    true,
    "duplicated optional flag",
  );
  await other.close();

  // Each person in their own browser profile: a browser answers once.
  for (const [i, a] of ANSWERS.entries()) {
    const page = await (await context()).newPage();
    await openParticipant(page, links.participants[0]);
    if (i === 0) {
      // Out of range: the message names the question in plain words.
      await page.getByLabel(HOURS).fill("500");
      const msg = page.locator(".validation.error");
      await msg.waitFor();
      log(`validation message: ${await msg.innerText()}`);
    }
    await page.getByLabel(HOURS).fill(String(a.hours));
    await page.getByRole("radio", { name: a.colour }).check();
    if (a.agree) await page.getByRole("radio", { name: a.agree }).check();
    if (i === 0) {
      await axeCheck(page, "participate page (survey)");
      await screenshot(page, "participate-survey");
    }
    assertEqual(await submitAnswer(page), "sent", `answer ${i + 1}`);
    await page.close();
  }
  log("five answers sent");
  await memberPages[0].getByText("5 submissions received").waitFor({ timeout: 30_000 });

  await closeSession(org);
  await Promise.all(memberPages.map(waitPublished));
  log("committee published");

  await openResults(org, links.read);
  const stats = await tableRows(org, `${HOURS}: statistics`);
  assertEqual(
    stats,
    [
      ["Answers", "5"],
      ["Mean", "30"],
      ["Median", "30"],
      ["First quartile", "20"],
      ["Third quartile", "40"],
    ],
    "hours statistics",
  );
  await org.locator("svg text", { hasText: "median 30" }).waitFor();
  const colours = await tableRows(org, COLOUR);
  assertEqual(
    colours.map((r) => r.slice(0, 2)),
    [
      ["red", "3"],
      ["green", "1"],
      ["blue", "1"],
    ],
    "colour histogram",
  );
  const agree = await tableRows(org, AGREE);
  assertEqual(
    agree.map((r) => r.slice(0, 2)),
    [
      ["Yes", "3"],
      ["No", "1"],
    ],
    "yes/no histogram",
  );
  const buckets = await tableRows(org, `${HOURS}: distribution`);
  assertEqual(
    buckets.map((r) => r.slice(0, 2)),
    [
      ["0 to under 20", "1"],
      ["20 to under 40", "2"],
      ["40 to under 60", "2"],
      ["60 to 80", "0"],
    ],
    "hours histogram",
  );
  await axeCheck(org, "results page (survey)");
  await screenshot(org, "results-survey");
});
