// The page's building blocks against the formats of docs/apps.md, without
// a session: every answer form (vote methods, survey question types,
// budgets) produces the answer JSON the package expects, and the result
// renderers draw every result shape (Borda, instant runoff, winner only,
// suppressed cells, cross-tabs, differential privacy, a failed committee
// check) with their tables.

import { runTest, log, assertEqual } from "./lib.mjs";

await runTest("components", async ({ relay, context }) => {
  const page = await (await context()).newPage();
  await page.goto(`${relay.origin}/embed-example.html`);
  const got = await page.evaluate(async () => {
    const { answerForm } = await import("/js/answer-form.js");
    const { RENDERERS } = await import("/js/results/index.js");
    const { explain } = await import("/js/plain-message.js");
    const out = {};
    const form = (kind, schema) => {
      const f = answerForm(kind, schema);
      document.body.append(f.element);
      return f;
    };
    const inputs = (f) => Array.from(f.element.querySelectorAll("input"));

    let f = form("vote", { method: "approval", options: ["A", "B", "C"], reveal: "tally" });
    inputs(f)[0].checked = true;
    inputs(f)[2].checked = true;
    out.approval = f.read();
    f = form("vote", { method: "score", options: ["A", "B"], reveal: "tally", max_score: 5 });
    inputs(f)[0].value = "3";
    out.score = f.read();
    f = form("vote", { method: "irv", options: ["A", "B", "C"], reveal: "tally" });
    f.element.querySelector('[aria-label="Move C up"]').click();
    f.element.querySelector('[aria-label="Move C up"]').click();
    out.irv = f.read();
    f = form("survey", {
      questions: [
        { id: "q1", text: "Hours", answer: { type: "number", min: 0, max: 400, decimals: 1 } },
        {
          id: "q2",
          text: "Tools",
          answer: { type: "multi", options: ["a", "b", "c"], max_selections: 2 },
          optional: true,
        },
        { id: "q3", text: "Stars", answer: { type: "rating", scale: 5 } },
        { id: "q4", text: "Agree", answer: { type: "yesno" }, optional: true },
        { id: "q5", text: "Colour", answer: { type: "choice", options: ["red", "blue"] }, optional: true },
      ],
    });
    const all = inputs(f);
    all[0].value = "12.5";
    all.find((i) => i.value === "b").checked = true;
    all.find((i) => i.name.endsWith("q3") && i.value === "4").checked = true;
    all.find((i) => i.name.endsWith("q4") && i.value === "no").checked = true;
    out.survey = f.read();
    f = form("budget", { total: 100, projects: ["park", "pool"] });
    inputs(f)[0].value = "70";
    inputs(f)[1].value = "30";
    out.budget = f.read();

    const tables = (nodes) => {
      const box = document.createElement("div");
      box.append(...nodes);
      document.body.append(box);
      return Array.from(box.querySelectorAll("table"), (t) => ({
        caption: t.caption.textContent,
        rows: Array.from(t.tBodies[0].rows, (r) => Array.from(r.cells, (c) => c.textContent)),
      }));
    };
    const texts = (nodes) => nodes.map((n) => n.textContent).join(" | ");
    const vote = { method: "borda", options: ["A", "B", "C"], reveal: "tally" };
    out.borda = tables(RENDERERS.vote(vote, { scores: { A: 5, B: 3, C: 1 }, tally: { A: 2, B: 1, C: 0 } }).nodes);
    const irv = RENDERERS.vote(
      { ...vote, method: "irv" },
      {
        rounds: [
          { A: 2, B: 2, C: 1 },
          { A: 3, B: 2 },
        ],
        tally: { A: 3, B: 2 },
        winner: "A",
      },
    );
    out.irv_tables = tables(irv.nodes);
    out.irv_text = texts(irv.nodes.slice(0, 1));
    out.winner_only = texts(RENDERERS.vote(vote, { winner: ["A", "B"], tie: true }).nodes);
    const survey = {
      questions: [
        { id: "c", text: "Colour", answer: { type: "choice", options: ["x", "y", "z"] } },
        { id: "a", text: "Agree", answer: { type: "yesno" } },
      ],
      crosstabs: [["c", "a"]],
    };
    const sres = RENDERERS.survey(survey, {
      questions: {
        c: { count: 7, histogram: { x: 5, y: "suppressed", z: "suppressed" } },
        a: { count: 7, histogram: { no: 3, yes: 4 } },
      },
      crosstabs: { "c x a": { "x|no": 3, "x|yes": 2, "y|no": 0, "y|yes": 1, "z|no": 0, "z|yes": 1 } },
      dp: { epsilon: 1 },
    });
    out.survey_tables = tables(sres.nodes);
    out.survey_csv = sres.csv.length;
    const failed = RENDERERS.check(
      { comparisons: 100, bits: 8 },
      { check: { comparisons: 100, bits: 8, less: 40, expected: 41, correct: false } },
    );
    out.check_failed = { text: texts(failed.nodes.slice(0, 1)), tables: tables(failed.nodes), csv: failed.csv };
    // A wide scale with answers in a small part of it: the axis zooms to
    // them, grouped digits, and answers below the first bucket edge keep
    // their own row.
    const wide = {
      questions: [
        { id: "q1", text: "Income", answer: { type: "number", min: 0, max: 500000, buckets: [1000, 250000] } },
      ],
    };
    const wres = RENDERERS.survey(wide, {
      questions: {
        q1: {
          count: 9,
          mean: 31000,
          median: 30000,
          quartiles: [20000, 30000, 40000],
          histogram: { 1000: 6, 250000: 1 },
        },
      },
    });
    const wbox = document.createElement("div");
    wbox.append(...wres.nodes);
    document.body.append(wbox);
    out.wide = {
      ticks: Array.from(wbox.querySelectorAll("svg text.tick"), (t) => t.textContent),
      box: Number(wbox.querySelector("svg rect.box").getAttribute("width")),
      note: wbox.querySelector(".chart-note").textContent,
      stats: tables(wres.nodes)[0].rows,
      buckets: tables(wres.nodes)[1].rows.map((r) => r.slice(0, 2)),
    };
    out.decimals = explain(
      "survey",
      { questions: [{ id: "q1", text: "Age", answer: { type: "number", min: 0, max: 120 } }] },
      "question q1: use at most 0 digits after the decimal point",
    ).text;
    out.messages = [
      explain("vote", vote, 'the answer needs a "ranking" field').text,
      explain("survey", survey, 'the answer needs a "c" field'),
      explain("budget", {}, "the amounts add up to 60; they must add up to 100").text,
    ];
    return out;
  });

  assertEqual(got.approval, { approve: ["A", "C"] }, "approval answer");
  assertEqual(got.score, { scores: { A: 3, B: 0 } }, "score answer");
  assertEqual(got.irv, { ranking: ["C", "A", "B"] }, "ranking answer");
  assertEqual(got.survey, { q1: 12.5, q2: ["b"], q3: 4, q4: false }, "survey answer");
  assertEqual(got.budget, { park: 70, pool: 30 }, "budget answer");
  assertEqual(
    got.borda.map((t) => t.caption),
    ["Points per option (Borda count)", "First preferences"],
    "Borda tables",
  );
  assertEqual(
    got.borda[0].rows.map((r) => r.slice(0, 2)),
    [
      ["A", "5"],
      ["B", "3"],
      ["C", "1"],
    ],
    "Borda points",
  );
  assertEqual(got.irv_text, "Winner: A", "IRV winner");
  assertEqual(
    got.irv_tables[1].rows,
    [
      ["A", "2", "3"],
      ["B", "2", "2"],
      ["C", "1", "—"],
    ],
    "IRV rounds",
  );
  assertEqual(got.winner_only.startsWith("Tie between A and B"), true, `winner only: ${got.winner_only}`);
  assertEqual(
    got.survey_tables[0].rows.map((r) => r.slice(0, 2)),
    [
      ["x", "5"],
      ["y", "suppressed"],
      ["z", "suppressed"],
    ],
    "suppressed cells",
  );
  assertEqual(
    got.survey_tables[1].rows.map((r) => r.slice(0, 2)),
    [
      ["Yes", "4"],
      ["No", "3"],
    ],
    "yes/no order",
  );
  assertEqual(
    got.survey_tables[2].rows,
    [
      ["x", "3", "2"],
      ["y", "0", "1"],
      ["z", "0", "1"],
    ],
    "cross-tab",
  );
  assertEqual(
    got.messages,
    [
      "Rank all the options.",
      { text: "Please answer “Colour”.", question: "c" },
      "The amounts add up to 60; they must add up to 100.",
    ],
    "plain messages",
  );
  assertEqual(
    got.check_failed.text.startsWith("Committee check failed") && got.check_failed.text.includes("wrong answer"),
    true,
    `failed check: ${got.check_failed.text}`,
  );
  assertEqual(
    got.check_failed.tables[0].rows.slice(2),
    [
      ["Comparisons that came out “less”", "40"],
      ["Known answer", "41"],
      ["Verdict", "wrong"],
    ],
    "failed check table",
  );
  assertEqual(got.check_failed.csv.at(-1), ["correct", false], "failed check CSV");
  assertEqual(got.wide.ticks.includes("500,000"), false, `zoomed axis: ${got.wide.ticks}`);
  assertEqual(got.wide.ticks.at(-1), "52,000", "zoomed axis ends near the answers");
  assertEqual(got.wide.box > 100, true, `the box is visible (${got.wide.box} wide)`);
  assertEqual(got.wide.note.includes("the question allowed 0 to 500,000"), true, `zoom note: ${got.wide.note}`);
  assertEqual(
    got.wide.stats.slice(1, 3),
    [
      ["Mean", "31,000"],
      ["Median", "30,000"],
    ],
    "thousands separators",
  );
  assertEqual(
    got.wide.buckets,
    [
      ["below 1,000", "2"],
      ["1,000 to under 250,000", "6"],
      ["250,000 to 500,000", "1"],
    ],
    "answers below the first edge",
  );
  assertEqual(got.decimals, "“Age”: Enter a whole number, without decimals.", "no 'at most 0 digits'");
  log(`survey CSV rows: ${got.survey_csv}`);

  // Every form of the core's answer messages (crate/core/src/apps, word
  // for word) in the page's language: English as the core means it, and
  // Spanish from the catalog, with no English left.
  const CORE_MESSAGES = [
    "question q1: pick one option",
    "question q1: answer true or false",
    "question q1: rate from 1 to 5",
    "question q1: give a list of options",
    "question q1: select at most 2 options",
    "question q1: options are strings",
    'question q1: "red" is selected twice',
    "question q1: give a number",
    "question q1: use at most 2 digits after the decimal point",
    "question q1: answer from -1.5 to 1200.25",
    'the answer needs a "scores" field',
    '"Lima" is not one of the options',
    "options are named by strings",
    '"approve" must be a list',
    '"scores" must be an object',
    "answers must be an object of question ids",
    "give an object of project amounts",
    'option "Lima" is approved twice',
    "at most 2 options may be approved, not 3",
    "the score of Lima must be a whole number from 0 to 10",
    "rank all 4 options, each once",
    'option "Lima" is ranked twice',
    'there is no question "q9"',
    "park: give a whole amount from 0 to 1000",
    "the amounts add up to 1200; they must add up to 1000",
    "a committee check takes no answers",
  ];
  const spoken = await page.evaluate(async (messages) => {
    const { explain } = await import("/js/plain-message.js");
    const i18n = await import("/js/i18n/index.js");
    const schema = { questions: [{ id: "q1", text: "Edad", answer: { type: "number", min: 0, max: 120 } }] };
    const say = () => messages.map((m) => explain(m.startsWith("question") ? "survey" : "budget", schema, m).text);
    const english = say();
    localStorage.setItem("sotto.language.v1", "es");
    await i18n.loadLanguage({ setDocument: false });
    const spanish = say();
    localStorage.removeItem("sotto.language.v1");
    await i18n.loadLanguage({ setDocument: false });
    return { english, spanish };
  }, CORE_MESSAGES);
  assertEqual(spoken.english[8], "“Edad”: Use at most 2 digits after the decimal point.", "English decimals");
  assertEqual(spoken.english[9], "“Edad”: Answer from -1.5 to 1,200.25.", "English range, numbers formatted");
  assertEqual(
    spoken.spanish[9],
    "“Edad”: Responde con un valor de -1,5 a 1200,25.",
    "Spanish range, numbers formatted",
  );
  assertEqual(spoken.spanish[24], "Las cantidades suman 1200; deben sumar 1000.", "Spanish budget total");
  const ENGLISH = /\b(the|answer|options?|give|must|question|select|rank|whole|digits?|amounts?|committee|not)\b/i;
  spoken.spanish.forEach((text, i) => {
    assertEqual(text !== spoken.english[i], true, `no Spanish for: ${CORE_MESSAGES[i]}`);
    assertEqual(
      ENGLISH.test(text.replace(/“Edad”|«Lima»|Lima|«q9»|«scores»|park/g, "")),
      false,
      `English left: ${text}`,
    );
  });
  log(`${CORE_MESSAGES.length} forms of the core's answer messages, in English and Spanish`);
});
