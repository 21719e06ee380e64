// Answer size at the field: one participant's answer travels in one relay
// frame, so the core refuses a manifest whose answer would not fit
// (`answer_frame_len`, crate/core/src/session/manifest.rs). The create
// page asks the package the same question (`answerSize`) on every change
// and says so at the questions that make it large and at the member
// count, before anything is sent; with fewer members the notes go. The
// page and the core agree exactly: at the largest survey that fits, the
// core creates the session, one question more and it refuses with the
// size `answerSize` gave.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** Number questions with a range just below the core's 2^48 limit: 47 bits each. */
const WIDE = "100000000000000";

/** The start page with a survey of `count` wide number questions, in circle mode with `members`. */
async function wideSurvey(page, origin, count, members) {
  await page.goto(`${origin}/`);
  await page.locator("#create-form").waitFor();
  await page.getByLabel("Title").fill("Household finances");
  await page.locator("#kind-survey").check();
  await page.getByLabel("Circle mode: this browser makes all member keys (demo)").check();
  await page.locator("#circle-count").fill(String(members));
  // The sample's first question (q1) is a number; the second a choice.
  await page.locator('[data-question="q1"]').first().getByLabel("Highest").fill(WIDE);
  for (let i = 3; i <= count + 1; i++) {
    await page.getByRole("button", { name: "Add a question" }).click();
    const q = page.locator(`[data-question="q${i}"]`).first();
    await q.getByLabel("Question", { exact: true }).fill(`Amount ${i}`);
    await q.getByLabel("Highest").fill(WIDE);
  }
}

/** The notes at the fields, as `{field, text}` (field: the question id, or the control's id). */
async function notes(page) {
  return page.locator("[data-field-note=error]").evaluateAll((els) =>
    els.map((el) => ({
      field: el.closest("[data-question]")?.dataset.question ?? el.parentElement.querySelector("[id]")?.id,
      text: el.textContent,
    })),
  );
}

await runTest("answer-size", async ({ relay, context }) => {
  const origin = relay.origin;
  const ws = `${origin.replace("http", "ws")}/ws`;

  // The package and the core: the largest survey of wide questions that
  // fits 31 members is created; one question more is refused with the
  // very size answerSize gives.
  const probe = await (await context()).newPage();
  await probe.goto(`${origin}/`);
  await probe.locator("#create-form").waitFor();
  const agree = await probe.evaluate(
    async ({ ws, wide }) => {
      const sotto = await import(new URL("pkg/organizer/sotto.js", document.baseURI).href);
      await sotto.default();
      const members = Array.from({ length: 31 }, (_, i) => {
        const m = sotto.CommitteeMember.generate();
        const k = m.publicKeys();
        m.free();
        return { name: `M${i + 1}`, ...k };
      });
      const schema = (k) => ({
        questions: Array.from({ length: k }, (_, i) => ({
          id: `q${i + 1}`,
          text: `Amount ${i + 1}`,
          answer: { type: "number", min: 0, max: Number(wide) },
        })),
      });
      const size = (k) => {
        const [bytes, limit, ...questions] = sotto.answerSize(
          JSON.stringify({ kind: "survey", schema: schema(k) }),
          31,
          15,
        );
        return { bytes, limit, questions };
      };
      let fits = 0;
      while (size(fits + 1).bytes <= size(fits + 1).limit) fits++;
      const over = size(fits + 1);
      const draft = (k) => ({ title: "T", kind: "survey", schema: schema(k), committee: { members, threshold: 15 } });
      const created = await sotto.Organizer.create(ws, draft(fits)).then(
        (org) => org.sessionId,
        (err) => `refused: ${err.message}`,
      );
      const refused = await sotto.Organizer.create(ws, draft(fits + 1)).then(
        () => "created",
        (err) => err.message,
      );
      return { fits, over, created, refused };
    },
    { ws, wide: WIDE },
  );
  log(`31 members: ${agree.fits} wide questions fit; ${agree.fits + 1} take ${agree.over.bytes} bytes`);
  assert(agree.fits >= 10 && agree.fits < 100, `a plausible number of questions fits (${agree.fits})`);
  assert(/^[0-9a-f]{32}$/.test(agree.created), `the largest survey that fits is created (${agree.created})`);
  assert(agree.over.bytes > agree.over.limit, "one question more is over the limit");
  assert(
    agree.refused.includes(`an answer would take ${agree.over.bytes} bytes for 31 members`),
    `the core refuses it with the same size: ${agree.refused}`,
  );
  assertEqual(agree.over.questions.length, agree.fits + 1, "a size per question");

  // The create page: too large for 31 members, said at the fields as the
  // organizer types, before anything is sent.
  const page = await (await context()).newPage();
  await wideSurvey(page, origin, agree.fits + 1, 31);
  const count = page.locator("#circle-count");
  await page.locator(".field-error", { hasText: "more than the 1,024 KB the server carries" }).waitFor();
  let marked = await notes(page);
  const atCount = marked.filter((n) => n.field === "circle-count");
  assertEqual(atCount.length, 1, "one note at the member count");
  assert(atCount[0].text.includes("for 31 members"), `the note names the members: ${atCount[0].text}`);
  const atQuestions = marked.filter((n) => /^q\d+$/.test(n.field ?? ""));
  assert(atQuestions.length >= 1, "the questions that make it large are marked");
  assert(
    atQuestions.every((n) => /^This question adds \d+ KB to each answer: narrow its number range/.test(n.text)),
    `each says what to do: ${atQuestions.map((n) => n.text).join(" | ")}`,
  );
  // The sample's choice question (q2) is small: not blamed.
  assert(!atQuestions.some((n) => n.field === "q2"), "the small choice question is not marked");
  assertEqual(await count.getAttribute("aria-invalid"), "true", "the member count is marked invalid");
  await axeCheck(page, "create page, answer too large");
  await screenshot(page, "create-answer-too-large");

  // Creating is refused on the page: the list of settings to fix, nothing sent.
  await page.getByRole("button", { name: "Create the session" }).click();
  await page
    .locator("#create-feedback")
    .getByText(/settings? needs? fixing/)
    .waitFor();
  assert(await page.locator("#create-form").isVisible(), "still on the start page");

  // Fewer members: the answer fits, the notes go.
  await count.fill("5");
  await page.locator("[data-field-note=error]").first().waitFor({ state: "detached" });
  marked = await notes(page);
  assertEqual(marked.length, 0, "no note left with 5 members");
  log("the answer fits with 5 members");

  // A budget whose total is counted in single units: its amounts take 40
  // bits each; the note is at the total.
  await page.locator("#kind-budget").check();
  await page.locator("#budget-total").fill("1000000000000");
  await page.locator("#budget-projects").fill(Array.from({ length: 64 }, (_, i) => `Project ${i + 1}`).join("\n"));
  await count.fill("31");
  await page.locator(".field-error", { hasText: "The larger the total, the more room each amount takes" }).waitFor();
  marked = await notes(page);
  assert(
    marked.some((n) => n.field === "budget-total"),
    `the note is at the total: ${JSON.stringify(marked)}`,
  );
  await screenshot(page, "create-budget-too-large");

  // On a phone, in Spanish.
  const phone = await (await context(PHONE)).newPage();
  await phone.goto(`${origin}/`);
  await phone.locator("#create-form").waitFor();
  await phone.getByLabel("Language").selectOption("es");
  await phone.locator("#create-form").waitFor();
  await phone.locator("#kind-survey").check();
  await phone.getByLabel("Modo círculo", { exact: false }).check();
  await phone.locator("#circle-count").fill("31");
  await phone.locator('[data-question="q1"]').first().getByLabel("Máximo", { exact: true }).fill(WIDE);
  for (let i = 3; i <= agree.fits + 2; i++) {
    await phone.getByRole("button", { name: "Añadir una pregunta" }).click();
    const q = phone.locator(`[data-question="q${i}"]`).first();
    await q.getByLabel("Pregunta", { exact: true }).fill(`Importe ${i}`);
    await q.getByLabel("Máximo", { exact: true }).fill(WIDE);
  }
  await phone.locator(".field-error", { hasText: "Esta pregunta añade" }).first().waitFor();
  await phone.locator(".field-error", { hasText: "más de los 1024 KB que el servidor transporta" }).waitFor();
  const o = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `the page is ${o.scroll} px wide at ${o.width} px`);
  await screenshot(phone, "phone-create-answer-too-large-spanish");
});
