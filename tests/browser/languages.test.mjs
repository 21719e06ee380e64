// Languages: English and Spanish catalogs with the same keys; the language
// follows navigator.languages (Chromium: a context in es-ES) and the
// visible switch (remembered across pages); a participant answers a vote
// in Spanish: the form, "what leaves your browser", the receipt and its
// date (Intl in Spanish); back to English with the switch.

import { runTest, screenshot, axeCheck, log, assert, assertEqual } from "./lib.mjs";
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

await runTest("languages", async ({ relay, context }) => {
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
