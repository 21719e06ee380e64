// Descriptions of single survey questions: the create page's field per
// question (its limit checked at the field, in plain words, before
// anything is sent; shown in the live preview), and the participant's
// form and the widget showing each description under its question, line
// breaks kept, as part of the question's accessible description.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
import { fillCreateForm, createSession, openParticipant } from "./flows.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const HOURS_NOTE = "Count a usual week.\nRound to whole hours.";
const COLOUR_NOTE = "The logo is printed on the new signs.";

/** The description element of question `id` and the ids its control or group is described by. */
async function describedBy(page, id, scope = "") {
  return page.evaluate(
    ([q, host]) => {
      const root = host ? document.querySelector(host).shadowRoot : document;
      const box = root.querySelector(`form [data-question="${q}"]`);
      const desc = box.querySelector(".question-description");
      const target = box.tagName === "FIELDSET" ? box : box.querySelector("input");
      return {
        text: desc?.innerText ?? null,
        first: (target.getAttribute("aria-describedby") ?? "").split(" ")[0] === desc?.id,
      };
    },
    [id, scope],
  );
}

await runTest("descriptions", async ({ relay, context }) => {
  const origin = relay.origin;
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, { title: "Logo and hours", kind: "survey", circle: 3 });
  const q1 = org.locator('[data-question="q1"] [data-role="question-description"]');
  const q2 = org.locator('[data-question="q2"] [data-role="question-description"]');
  await q1.fill(HOURS_NOTE);

  // Over the limit: marked at the field before anything is sent.
  await q2.fill("x".repeat(501));
  await org.getByRole("button", { name: "Create the session" }).click();
  await org.getByRole("heading", { name: "One setting needs fixing" }).waitFor();
  assertEqual(await q2.getAttribute("aria-invalid"), "true", "the long description is marked");
  const note = await org.locator('[data-question="q2"] [data-field-note="error"]').innerText();
  assert(note.includes("at most 500 characters (it has 501)"), `the field says why: ${note}`);
  await axeCheck(org, "question description too long");
  await screenshot(org, "question-description-error");

  // Within the limit: the live preview shows both under their questions.
  await q2.fill(COLOUR_NOTE);
  await org.locator("#preview .question-description").nth(1).waitFor();
  assertEqual(
    await org.locator("#preview .question-description").allTextContents(),
    [HOURS_NOTE, COLOUR_NOTE],
    "the preview's descriptions",
  );
  const links = await createSession(org);
  const open = links.participants[0];
  log("survey with question descriptions created");

  // The participant's form: each under its question, line breaks kept,
  // first in the accessible description of the input or group.
  const voter = await (await context()).newPage();
  await openParticipant(voter, open);
  assertEqual(await describedBy(voter, "q1"), { text: HOURS_NOTE, first: true }, "q1's description");
  assertEqual(await describedBy(voter, "q2"), { text: COLOUR_NOTE, first: true }, "q2's description");
  await axeCheck(voter, "participant form with question descriptions");
  await screenshot(voter, "question-descriptions");
  const phone = await (await context(PHONE)).newPage();
  await openParticipant(phone, open);
  await phone.getByText("Round to whole hours.").waitFor();
  const o = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `the page is ${o.scroll} px wide at ${o.width} px`);
  await screenshot(phone, "phone-question-descriptions");

  // The widget on the embedding example shows them too.
  const site = await (await context()).newPage();
  await site.goto(`${origin}/embed-example.html#survey=${encodeURIComponent(open)}`);
  await site.reload();
  await site.locator("sotto-survey").getByRole("button", { name: "Encrypt and submit" }).waitFor();
  assertEqual(await describedBy(site, "q1", "sotto-survey"), { text: HOURS_NOTE, first: true }, "the widget's q1");
  await axeCheck(site, "widget with question descriptions");
  await screenshot(site, "embed-question-descriptions");
});
