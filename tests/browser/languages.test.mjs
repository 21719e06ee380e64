// Languages: English and Spanish catalogs with the same keys; the language
// follows navigator.languages (Chromium: a context in es-ES) and the
// visible switch (remembered across pages); a participant answers a vote
// in Spanish: the form, "what leaves your browser", the receipt and its
// date (Intl in Spanish); back to English with the switch.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runTest, screenshot, axeCheck, log, assert, assertEqual, ROOT } from "./lib.mjs";
import { BROWSER } from "./browsers.mjs";
import { circleVote } from "./flows.mjs";
import en from "../../www/src/js/i18n/en.js";
import es from "../../www/src/js/i18n/es.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// The catalogs are complete: the same keys, every Spanish entry of the
// same shape, none left in English.
assertEqual(Object.keys(es).sort(), Object.keys(en).sort(), "Spanish has every English key and no other");
for (const [key, value] of Object.entries(en)) {
  assertEqual(typeof es[key], typeof value, `the shape of ${key}`);
  if (typeof value === "string" && value.length > 12) assert(es[key] !== value, `${key} is translated`);
}

// A refusal of the core's manifest checks that gets past the create
// page's checks at the fields is said from the catalog (js/plain-message.js),
// not in the core's English; one the catalog does not know stays as is.
globalThis.navigator ??= /** @type {any} */ ({ languages: ["en"] });
const { manifestMessage } = await import("../../www/src/js/plain-message.js");
const refusal = "invalid manifest: committee.threshold must satisfy 2t + 1 <= n";
assertEqual(
  manifestMessage(refusal),
  "The threshold: too high for this committee (twice the threshold plus one must not exceed the members).",
  "a manifest refusal in plain English",
);
assertEqual(
  manifestMessage("session draft: invalid manifest: description is too long (at most 2000 characters)"),
  "Description: too long (at most 2,000 characters).",
  "with its limit",
);
assertEqual(manifestMessage("invalid vote schema: something new"), null, "not a manifest refusal the catalog knows");
assertEqual(
  es["manifest.threshold"]({ field: es["manifest.field.committee.threshold"] }, { num: String }),
  "El umbral: demasiado alto para este comité (el doble del umbral más uno no puede superar el número de miembros).",
  "and in Spanish",
);

// Every refusal the core's validators can give a draft has a pattern in
// js/plain-message.js: the reasons are read out of the Rust source (the
// string literals in the validators' bodies, placeholders filled in), so
// a new refusal without a catalog entry fails here.
const { REFUSAL_PATTERNS } = await import("../../www/src/js/plain-message.js");
const VALIDATORS = [
  ["crate/core/src/session/manifest.rs", ["validate", "check_text", "check_description"]],
  ["crate/core/src/apps/vote/mod.rs", ["validate"]],
  ["crate/core/src/apps/survey/mod.rs", ["validate"]],
  ["crate/core/src/apps/budget/mod.rs", ["validate"]],
  ["crate/core/src/apps/check/mod.rs", ["validate"]],
];
/** The body of `fn name(` in `src`, braces matched. */
function fnBody(src, name, file) {
  const at = src.indexOf(`fn ${name}(`);
  assert(at >= 0, `fn ${name} in ${file}`);
  const open = src.indexOf("{", src.indexOf(")", at));
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "{") depth++;
    if (src[i] === "}" && --depth === 0) return src.slice(open, i + 1);
  }
  throw new Error(`unbalanced fn ${name} in ${file}`);
}
/** The refusal reasons of the validators, as the core writes them (placeholders filled) and as patterns. */
const CORE_REASONS = VALIDATORS.flatMap(([file, fns]) => {
  const src = readFileSync(join(ROOT, file), "utf8");
  return fns.flatMap((name) =>
    [...fnBody(src, name, file).matchAll(/"((?:[^"\\]|\\[\s\S])*)"/g)]
      .map((m) => m[1].replace(/\\\n\s*/g, "").replace(/\\"/g, '"'))
      // Reasons are sentences; field names ("title", "committee.members") are not.
      .filter((text) => text.includes(" "))
      .map((text) => ({
        file,
        text,
        sample: text.replace(/\{[a-z_]*:\?\}/g, '"q1"').replace(/\{[^}]*\}/g, "7"),
        pattern: new RegExp(
          text
            .split(/\{[^}]*\}/)
            .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
            .join(".*?"),
        ),
      })),
  );
});
assert(CORE_REASONS.length >= 40, `found ${CORE_REASONS.length} refusal reasons in the validators`);
for (const r of CORE_REASONS) {
  assert(
    REFUSAL_PATTERNS.some((p) => p.test(r.sample)),
    `no catalog pattern (js/plain-message.js) for the refusal "${r.text}" of ${r.file}`,
  );
}

// Refusals no draft from the create page can reach: the relay address is
// the page's own (Organizer.create's first argument, never typed).
const UNREACHABLE = [/ws:\/\/ or wss:\/\/ URL/, /must not contain spaces, control characters or '#'/];

/**
 * One draft per refusal the core can give (`[what, draft]`), from three
 * (or 31) real member keys `keys`: each goes through the real wasm
 * (`Organizer.create`), which refuses it before the relay is asked.
 */
function refusedDrafts(keys) {
  const [a, b, c] = keys.slice(0, 3).map((k, i) => ({ name: `M${i + 1}`, ...k }));
  const base = () => ({
    title: "T",
    kind: "vote",
    schema: { method: "plurality", options: ["A", "B"], reveal: "tally" },
    committee: { members: [a, b, c], threshold: 1 },
  });
  const vote = (schema) => ({ ...base(), schema: { ...base().schema, ...schema } });
  const survey = (questions, extra = {}) => ({ ...base(), kind: "survey", schema: { questions, ...extra } });
  const num = (id, answer = {}) => ({ id, text: id, answer: { type: "number", min: 0, max: 10, ...answer } });
  const x = (n) => "x".repeat(n);
  return [
    ["empty title", { ...base(), title: "" }],
    ["title with spaces", { ...base(), title: " T" }],
    ["long title", { ...base(), title: x(201) }],
    ["control in title", { ...base(), title: "a\u0007b" }],
    ["long description", { ...base(), description: x(2001) }],
    ["control in description", { ...base(), description: "a\u0007b" }],
    ["blank description", { ...base(), description: "   " }],
    ["description with spaces", { ...base(), description: " d" }],
    ["long question description", survey([{ ...num("q1"), description: x(501) }])],
    ["empty option", vote({ options: ["A", ""] })],
    ["long option", vote({ options: ["A", x(65)] })],
    ["option with spaces", vote({ options: ["A", " B"] })],
    ["control in option", vote({ options: ["A", "B\u0007"] })],
    ["no option", vote({ options: [] })],
    ["too many options", vote({ options: Array.from({ length: 65 }, (_, i) => `o${i}`) })],
    ["same option twice", vote({ options: ["A", "A"] })],
    ["score without its maximum", vote({ method: "score" })],
    ["maximum score on plurality", vote({ max_score: 5 })],
    ["instant runoff, winner only", vote({ method: "irv", reveal: "winner" })],
    ["no approval allowed", vote({ method: "approval", max_approvals: 0 })],
    ["approvals on plurality", vote({ max_approvals: 2 })],
    ["no member", { ...base(), committee: { members: [], threshold: 0 } }],
    ["threshold too high", { ...base(), committee: { members: [a, b, c], threshold: 2 } }],
    ["empty member name", { ...base(), committee: { members: [{ ...a, name: "" }, b, c], threshold: 1 } }],
    ["same member name", { ...base(), committee: { members: [a, { ...b, name: a.name }, c], threshold: 1 } }],
    ["same key twice", { ...base(), committee: { members: [a, { ...a, name: "Other" }, c], threshold: 1 } }],
    ["closes before it opens", { ...base(), deadlines: { opens_at: 2_000_000_000, closes_at: 1_900_000_000 } }],
    ["no minimum", { ...base(), policy: { min_submissions: 0 } }],
    ["smallest group on a vote", { ...base(), policy: { min_submissions: 5, min_cell: 5 } }],
    ["noise on instant runoff", { ...vote({ method: "irv" }), policy: { min_submissions: 5, dp: { epsilon: 1 } } }],
    ["no question", survey([])],
    ["same question id", survey([num("q1"), num("q1")])],
    ["lowest above highest", survey([num("q1", { min: 10, max: 0 })])],
    ["bucket outside the range", survey([num("q1", { buckets: [20] })])],
    ["choice without options", survey([{ id: "q1", text: "q1", answer: { type: "choice", options: [] } }])],
    ["choice option twice", survey([{ id: "q1", text: "q1", answer: { type: "choice", options: ["a", "a"] } }])],
    ["rating scale of 1", survey([{ id: "q1", text: "q1", answer: { type: "rating", scale: 1 } }])],
    ["cross-table of a number", survey([num("q1"), num("q2")], { crosstabs: [["q1", "q2"]] })],
    ["budget total of 0", { ...base(), kind: "budget", schema: { total: 0, projects: ["a", "b"] } }],
    ["budget without projects", { ...base(), kind: "budget", schema: { total: 10, projects: [] } }],
    ["budget project twice", { ...base(), kind: "budget", schema: { total: 10, projects: ["a", "a"] } }],
    ["check of 0 comparisons", { ...base(), kind: "check", schema: { comparisons: 0, bits: 8 } }],
    ["check of 65 bits", { ...base(), kind: "check", schema: { comparisons: 10, bits: 65 } }],
    [
      "answer larger than a relay frame",
      {
        ...base(),
        kind: "budget",
        schema: { total: 2 ** 40 - 1, projects: Array.from({ length: 64 }, (_, i) => `p${i}`) },
        committee: { members: keys.map((k, i) => ({ name: `M${i + 1}`, ...k })), threshold: 15 },
      },
    ],
    ["damaged member key", { ...base(), committee: { members: [{ ...a, x25519: "zz" }, b, c], threshold: 1 } }],
    [
      "fingerprint of other keys",
      { ...base(), committee: { members: [{ ...a, fingerprint: b.fingerprint }, b, c], threshold: 1 } },
    ],
    [
      "encryption key of small order",
      {
        ...base(),
        committee: { members: [{ ...a, fingerprint: undefined, x25519: "0".repeat(64) }, b, c], threshold: 1 },
      },
    ],
    [
      "signing key not on the curve",
      {
        ...base(),
        committee: { members: [{ ...a, fingerprint: undefined, ed25519: `02${"0".repeat(62)}` }, b, c], threshold: 1 },
      },
    ],
    ["manifest over its size limit", survey([{ ...num("q1"), text: x(70_000) }])],
  ];
}

await runTest("languages", async ({ relay, context }) => {
  // Each refusal through the real wasm, said by the page's own modules in
  // Spanish: a catalog entry for every one, no English core text left.
  const probe = await (await context()).newPage();
  await probe.goto(`${relay.origin}/`);
  await probe.locator("#create-form").waitFor();
  const keys = await probe.evaluate(async () => {
    const sotto = await import(new URL("pkg/organizer/sotto.js", document.baseURI).href);
    await sotto.default();
    return Array.from({ length: 31 }, () => {
      const m = sotto.CommitteeMember.generate();
      const k = m.publicKeys();
      m.free();
      return k;
    });
  });
  const drafts = refusedDrafts(keys);
  drafts.push(["creation token", drafts[0][1], "abc"]);
  const refused = await probe.evaluate(
    async ({ drafts, ws }) => {
      const sotto = await import(new URL("pkg/organizer/sotto.js", document.baseURI).href);
      await sotto.default();
      const out = [];
      for (const [what, draft, token] of drafts) {
        try {
          await sotto.Organizer.create(ws, draft, token);
          out.push({ what, code: "created", message: "" });
        } catch (err) {
          out.push({ what, code: err.code, message: err.message });
        }
      }
      const { manifestMessage } = await import("/js/plain-message.js");
      const i18n = await import("/js/i18n/index.js");
      const say = () => out.map((r) => manifestMessage(r.message));
      const english = say();
      localStorage.setItem("sotto.language.v1", "es");
      await i18n.loadLanguage({ setDocument: false });
      const spanish = say();
      localStorage.removeItem("sotto.language.v1");
      await i18n.loadLanguage({ setDocument: false });
      return out.map((r, i) => ({ ...r, english: english[i], spanish: spanish[i] }));
    },
    { drafts, ws: relay.origin.replace("http", "ws") + "/ws" },
  );
  const ENGLISH =
    /\b(the|must|invalid|schema|manifest|between|distinct|answer|options?|members?|bytes|question|key|empty|whitespace|characters|threshold|only|votes?)\b/i;
  for (const r of refused) {
    assertEqual(r.code, "invalid_options", `${r.what}: refused as invalid options (${r.message})`);
    assert(r.spanish, `${r.what}: no catalog entry for "${r.message}"`);
    assert(r.spanish !== r.english, `${r.what}: the same in Spanish and English: ${r.spanish}`);
    assert(!ENGLISH.test(r.spanish), `${r.what}: English left in "${r.spanish}"`);
  }
  // Every reason the validators can give was reached by one of them.
  for (const reason of CORE_REASONS) {
    if (UNREACHABLE.some((p) => p.test(reason.text))) continue;
    assert(
      refused.some((r) => reason.pattern.test(r.message)),
      `no draft reaches the refusal "${reason.text}" (${reason.file}): add one to refusedDrafts`,
    );
  }
  // And every pattern of the table is one the core gives (none is dead).
  const { REFUSAL_PATTERNS: patterns } = await import("../../www/src/js/plain-message.js");
  for (const p of patterns) {
    if (/ws:|spaces, control|too many committee members/.test(p.source)) continue;
    assert(
      refused.some((r) => p.test(r.message.replace(/^(?:invalid [a-z]+ schema: |invalid manifest: [a-z0-9_.]+ )/, ""))),
      `no draft gives the refusal ${p}`,
    );
  }
  const said = (what) => refused.find((r) => r.what === what);
  assertEqual(
    said("answer larger than a relay frame").spanish,
    `Cada respuesta ocuparía ${said("answer larger than a relay frame").spanish.match(/ocuparía ([\d.]+) KB/)[1]} KB con 31 miembros, más de los 1024 KB que el servidor transporta en un mensaje: haz menos preguntas, estrecha los intervalos numéricos, usa menos grupos u opciones, o elige menos miembros.`,
    "the frame refusal in Spanish, with its numbers",
  );
  assertEqual(
    said("score without its maximum").spanish,
    "La puntuación más alta: una votación por puntuación necesita una puntuación más alta de 1 a 1.000.000.",
    "a vote refusal in Spanish, number formatted",
  );
  log(`${refused.length} refusals of the core said in Spanish`);

  const org = await (await context()).newPage();
  const links = await circleVote(org, relay.origin, "Almuerzo del equipo");
  const link = links.participants[0];

  // The switch, remembered: the start page in Spanish, then the form.
  const voterProfile = await context();
  const voter = await voterProfile.newPage();
  await voter.goto(`${relay.origin}/`);
  await voter.locator("#create-form").waitFor();
  await voter.getByLabel("Language").selectOption("es");
  await voter.getByRole("link", { name: "Consola del comité", exact: true }).waitFor();
  assertEqual(await voter.evaluate(() => document.documentElement.lang), "es", "<html lang>");
  await voter.goto(link);
  await voter.getByRole("button", { name: "Cifrar y enviar" }).waitFor();
  await voter.getByRole("heading", { name: "Qué sale de tu navegador" }).waitFor();
  await voter.getByText("Esta página divide tu respuesta en 3 partes").waitFor();
  await voter.getByText("Votación", { exact: true }).waitFor();
  await voter.getByText("Tu elección").waitFor();
  await voter.getByText("Elige una opción.").waitFor();
  await axeCheck(voter, "participate page in Spanish");
  await screenshot(voter, "participate-spanish");
  await voter.getByLabel("A", { exact: true }).check();
  await voter.getByText("Lista para enviar.").waitFor();
  await voter.getByRole("button", { name: "Cifrar y enviar" }).click();
  await voter.getByRole("heading", { name: "Tu respuesta se ha enviado" }).waitFor({ timeout: 30_000 });
  // The date by Intl in Spanish: this month's Spanish short name.
  const month = await voter.evaluate(() =>
    new Intl.DateTimeFormat("es", { month: "short" }).format(new Date()).replace(".", ""),
  );
  const sent = await voter.locator("#receipt-summary dd").first().innerText();
  assert(sent.includes(month), `the receipt's date "${sent}" is in Spanish ("${month}")`);
  await voter.getByText("Guardada como respuesta número").waitFor();
  await axeCheck(voter, "receipt in Spanish");
  await screenshot(voter, "participate-receipt-spanish");
  log("answered in Spanish");

  // A second visit: blocked, in Spanish, before anything is sent.
  const again = await voterProfile.newPage();
  await again.goto(link);
  await again.getByRole("heading", { name: "Ya respondiste desde este navegador" }).waitFor();
  await again.getByRole("button", { name: "No se puede enviar desde aquí" }).waitFor();

  // A phone in Spanish (the switch on the participant page itself).
  const phone = await (await context(PHONE)).newPage();
  await phone.goto(link);
  await phone.getByRole("button", { name: "Encrypt and submit" }).waitFor();
  await phone.getByLabel("Language").selectOption("es");
  await phone.getByRole("button", { name: "Cifrar y enviar" }).waitFor();
  const o = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(o.scroll <= o.width + 1, `the page is ${o.scroll} px wide at ${o.width} px`);
  await screenshot(phone, "phone-participate-spanish");
  // Back to English with the switch.
  await phone.getByLabel("Idioma").selectOption("en");
  await phone.getByRole("button", { name: "Encrypt and submit" }).waitFor();

  // The browser's own language, without the switch (Playwright sets
  // navigator.languages; the Firefox adapter has no locale option).
  if (BROWSER === "chromium") {
    const spanish = await (await context({ locale: "es-ES" })).newPage();
    await spanish.goto(link);
    await spanish.getByRole("button", { name: "Cifrar y enviar" }).waitFor();
    assertEqual(await spanish.evaluate(() => document.documentElement.lang), "es", "from navigator.languages");
  }
});
