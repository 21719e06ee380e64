// What a person does in the web app, as Playwright steps: members make keys,
// the organizer builds a session, participants answer, the committee
// computes, the results page is read. Shared by the browser tests.

import { log, assert } from "./lib.mjs";

const COMPUTE_TIMEOUT = 150_000;

/** The backup passphrase the browser tests give every member key they generate. */
export const MEMBER_PASSPHRASE = "correct horse battery";

/**
 * An init script that makes WebCrypto refuse X25519 and Ed25519 private
 * keys, as a browser without them does (`page.addInitScript`): the
 * console then keeps a key as its passphrase key file only.
 */
export function refuseX25519() {
  const original = SubtleCrypto.prototype.importKey;
  SubtleCrypto.prototype.importKey = function (format, data, algorithm, ...rest) {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    if (format === "pkcs8" && (name === "X25519" || name === "Ed25519")) {
      return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
    }
    return original.call(this, format, data, algorithm, ...rest);
  };
}

/** A member opens the console, generates a key named `name` and copies the public keys JSON. */
export async function memberKey(page, origin, name) {
  await page.goto(`${origin}/#console`);
  await page.getByLabel("Your name, as participants will see it").first().fill(name);
  await page.locator("#generate-passphrase").fill(MEMBER_PASSPHRASE);
  await page.getByRole("button", { name: "Generate key" }).click();
  const area = page.locator("#public-keys");
  await area.waitFor();
  const json = JSON.parse(await area.inputValue());
  assert(json.name === name && /^[0-9a-f]{64}$/.test(json.x25519), "public keys JSON");
  log(`member ${name}: key ${json.fingerprint}`);
  return json;
}

/**
 * The organizer fills the start page. `kind` picks the builder, `build(page)`
 * fills it; `members` are public-key JSONs, or `circle` a member count.
 */
export async function fillCreateForm(
  page,
  origin,
  { title, description, kind, build, members = [], circle = 0, singleUse = 0, minSubmissions },
) {
  await page.goto(`${origin}/`);
  await page.locator("#create-form").waitFor();
  await page.getByLabel("Title").fill(title);
  if (description !== undefined) await page.locator("#session-description").fill(description);
  await page.locator(`#kind-${kind}`).check();
  if (build) await build(page);
  if (circle) {
    await page.getByLabel("Circle mode: this browser makes all member keys (demo)").check();
    await page.locator("#circle-count").fill(String(circle));
  } else {
    for (const m of members) {
      await page.locator("#member-json").fill(JSON.stringify(m));
      await page.getByRole("button", { name: "Add member" }).click();
      // "1. Ada" (not the fingerprint, whose hex may contain "ada").
      await page
        .locator("#member-cards")
        .getByText(new RegExp(`^\\d+\\. ${m.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`))
        .waitFor();
    }
  }
  if (minSubmissions !== undefined) await page.locator("#min-submissions").fill(String(minSubmissions));
  if (singleUse) {
    await page.locator("#access-single").check();
    await page.locator("#single-use-count").fill(String(singleUse));
  }
}

/** Submits the start page and reads the session page's links. */
export async function createSession(page) {
  await page.getByRole("button", { name: "Create the session" }).click();
  // In circle mode the member links are folded away (not needed there).
  await page
    .locator("#member-links")
    .waitFor({ state: "attached", timeout: 30_000 })
    .catch(async (err) => {
      const feedback = await page
        .locator("#create-feedback")
        .innerText()
        .catch(() => "");
      throw new Error(`session not created: ${feedback || err.message}`);
    });
  const members = await page.locator("#member-links code").allTextContents();
  const participants = await page.locator("#participant-links code").allTextContents();
  const read = await page.locator("#results-link").getAttribute("href");
  log(`session created: ${members.length} members, ${participants.length} participant links`);
  return { members, participants, read };
}

/**
 * A circle-mode vote on options A and B, created on `origin`'s start page,
 * with the demo committee started in the organizer's page; resolves to
 * the session page's links.
 */
export async function circleVote(page, origin, title, { description } = {}) {
  await fillCreateForm(page, origin, {
    title,
    description,
    kind: "vote",
    build: async (p) => p.locator("#vote-options").fill("A\nB"),
    circle: 3,
  });
  const links = await createSession(page);
  await page.getByRole("button", { name: "Run the demo committee here" }).click();
  return links;
}

/** A member opens its link in the console (its key already stored) and joins. */
export async function memberJoin(page, link) {
  await page.goto(link);
  const join = page.locator("#join");
  await join.waitFor();
  await page.getByText("of this committee").waitFor();
  // A key kept only as its key file is unlocked with its passphrase.
  const unlock = page.locator("#unlock-passphrase");
  if (await unlock.count()) await unlock.fill(MEMBER_PASSPHRASE);
  await join.click();
  await page.locator("#member-status[data-stage]").waitFor({ timeout: 30_000 });
}

export async function waitPublished(page) {
  await page.locator('#member-status[data-stage="published"]').waitFor({ timeout: COMPUTE_TIMEOUT });
}

/** Opens a participant link and waits for the form. */
export async function openParticipant(page, link) {
  await page.goto(link);
  await page.getByRole("button", { name: "Encrypt and submit" }).waitFor();
}

/** Submits the open form (with `key`: by pressing it on the focused button); resolves to "sent" or the error code shown. */
export async function submitAnswer(page, { key } = {}) {
  if (key) await page.keyboard.press(key);
  else await page.getByRole("button", { name: "Encrypt and submit" }).click();
  const sent = page.getByRole("heading", { name: "Your answer was sent" });
  const error = page.locator(".feedback [data-code]");
  await sent.or(error).first().waitFor({ timeout: 30_000 });
  if (await sent.isVisible()) return "sent";
  return error.first().getAttribute("data-code");
}

/** On the session page: close submissions (the button asks for a second click). */
export async function closeSession(page) {
  const button = page.locator("#close-session");
  await button.click();
  await button.click();
  await page.getByText("Closed: no more answers are accepted").waitFor();
  log("session closed");
}

/** Opens the read link and waits for the verified result. */
export async function openResults(page, readLink) {
  await page.goto(readLink);
  await page.locator('[data-verified="true"], [data-verified="false"]').waitFor({ timeout: COMPUTE_TIMEOUT });
  assert(await page.locator('[data-verified="true"]').isVisible(), "the result is verified");
}

/** The rows (cells' text) of the table with `caption`. */
export async function tableRows(page, caption) {
  const table = page.locator("table", { has: page.locator("caption", { hasText: caption }) }).first();
  return table
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent.trim())));
}

/** Gives `page` (another profile, e.g. a phone) the organizer records of `from`'s origin, so it can open the session page. */
export async function copyOrganizer(from, page, origin) {
  const saved = await from.evaluate(() => JSON.stringify({ ...localStorage }));
  await page.goto(`${origin}/`);
  // Loaded before the caller navigates on: a navigation during the start
  // page's module fetches aborts them, which Firefox reports as integrity
  // errors of empty bodies.
  await page.locator("#create-form").waitFor();
  await page.evaluate((s) => {
    for (const [k, v] of Object.entries(JSON.parse(s))) localStorage.setItem(k, v);
  }, saved);
}

/** The presence list's states (`#presence`, the session page's or a console's), once they equal `want` (the pages poll every 3 s). */
export async function presenceIs(page, want) {
  const list = page.locator("#presence");
  for (let i = 0; i < 60; i++) {
    const got = await list
      .locator("li")
      .evaluateAll((rows) => rows.map((r) => r.dataset.presence))
      .catch(() => []);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await page.waitForTimeout(500);
  }
  const text = await list.innerText().catch(() => "(no list)");
  throw new Error(`presence never became ${want.join(", ")}: ${text}`);
}
