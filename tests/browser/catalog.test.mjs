// The whole catalog in Spanish: with the language switched to Spanish, the
// create page (each kind's builder and the errors at the fields), the
// organizer's session page (open, then with the published result), the
// committee console (a new key, a member link whose key is elsewhere), the
// widget on the embedding example, and the results page show no English
// string. The check reads every visible text node (shadow roots included)
// and the aria-label, placeholder and title attributes, and fails on any
// that is an English catalog string, contains a fragment of one (the
// literal text around a function entry's parameters) or contains a common
// English word. Screenshots of each page in Spanish, at desktop width and
// at 390 px.

import { runTest, screenshot, axeCheck, log, assert } from "./lib.mjs";
import { openResults, copyOrganizer, MEMBER_PASSPHRASE } from "./flows.mjs";
import en from "../../www/src/js/i18n/en.js";
import es from "../../www/src/js/i18n/es.js";

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

// What English looks like: whole short strings of the catalog (a text
// node equal to one), and the literal fragments of long strings and of
// function entries (their text around the parameters), where Spanish
// differs.
const MARK = "\u0001";
const anything = new Proxy({}, { get: () => MARK });
const helpers = { num: () => MARK };
const render = (v) => (typeof v === "function" ? String(v(anything, helpers)) : v);
const WHOLE = new Set();
const FRAGMENTS = new Set();
for (const [key, value] of Object.entries(en)) {
  const english = render(value);
  if (english === render(es[key])) continue;
  if (typeof value === "string" && value.trim().length >= 4) WHOLE.add(value.trim());
  for (const part of english.split(MARK)) if (part.trim().length >= 12) FRAGMENTS.add(part.trim());
}
// Words of English sentences that Spanish text never has: strings that
// are not in the catalog at all show up here.
const ENGLISH_WORDS = /\b(the|your|you|and|with|this|that|from|answers?|members?|session|link)\b/i;
assert(
  WHOLE.size > 300 && FRAGMENTS.size > 300,
  `the catalog gives ${WHOLE.size} strings, ${FRAGMENTS.size} fragments`,
);

/** The visible texts and labelled attributes under `selector` (shadow roots included). */
async function visibleTexts(page, selector = "body") {
  return page.evaluate((sel) => {
    const out = [];
    const walk = (root) => {
      const it = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let n = it.currentNode; n; n = it.nextNode()) {
        if (n.nodeType === Node.TEXT_NODE) {
          const el = n.parentElement;
          const text = n.textContent.trim();
          if (
            text &&
            el &&
            !["SCRIPT", "STYLE"].includes(el.tagName) &&
            el.checkVisibility({ visibilityProperty: true })
          )
            out.push(text);
        } else if (n.nodeType === Node.ELEMENT_NODE) {
          const el = /** @type {Element} */ (n);
          if (el.checkVisibility?.({ visibilityProperty: true }) ?? true)
            for (const a of ["aria-label", "placeholder", "title"]) {
              const v = el.getAttribute(a);
              if (v) out.push(v.trim());
            }
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      }
    };
    const start = document.querySelector(sel);
    walk(start.shadowRoot ?? start);
    return out;
  }, selector);
}

/** Fails when the page (or `selector` in it) shows any English; `least`: the texts it must find. */
async function noEnglish(page, label, selector, least = 6) {
  const texts = await visibleTexts(page, selector);
  const english = texts.filter(
    (t) => WHOLE.has(t) || [...FRAGMENTS].some((f) => t.includes(f)) || ENGLISH_WORDS.test(t),
  );
  assert(english.length === 0, `${label} shows English: ${JSON.stringify([...new Set(english)].slice(0, 8))}`);
  assert(texts.length >= least, `${label}: ${texts.length} texts read`);
  log(`${label}: ${texts.length} texts, none in English`);
}

/** A fresh profile switched to Spanish with the header's switch (remembered for the origin). */
async function spanishPage(context, origin, options) {
  const page = await (await context(options)).newPage();
  await page.goto(`${origin}/`);
  await page.locator("#create-form").waitFor();
  await page.getByLabel("Language").selectOption("es");
  await page.getByRole("link", { name: "Consola del comité", exact: true }).waitFor();
  // The start page in Spanish, its modules loaded: a navigation before
  // that aborts their fetches, which Firefox reports as integrity errors.
  await page.getByRole("heading", { name: "Crear una sesión" }).waitFor();
  await page.locator("#create-form").waitFor();
  return page;
}

await runTest("catalog", async ({ relay, context }) => {
  const origin = relay.origin;

  // --- The create page: every kind's builder, then the errors at the fields.
  const org = await spanishPage(context, origin);
  await org.getByRole("heading", { name: "Crear una sesión" }).waitFor();
  for (const kind of ["survey", "budget", "check", "vote"]) {
    await org.locator(`#kind-${kind}`).check();
    await noEnglish(org, `create page (${kind})`);
  }
  await axeCheck(org, "create page in Spanish");
  await screenshot(org, "es-create");
  await org.locator("#session-title").fill("");
  await org.locator("#vote-options").fill("Playa");
  await org.locator("#create").click();
  await org.getByRole("heading", { name: "Hay que corregir 3 ajustes" }).waitFor();
  await noEnglish(org, "create page with errors");
  await axeCheck(org, "create page errors in Spanish");
  await screenshot(org, "es-create-errors");

  // --- A circle-mode vote created in Spanish: the session page.
  await org.locator("#session-title").fill("¿Dónde comemos el viernes?");
  await org.locator("#vote-options").fill("Playa\nMontaña");
  await org.getByLabel("Modo círculo: este navegador crea todas las claves de los miembros (demostración)").check();
  await org.locator("#circle-count").fill("3");
  await org.locator("#min-submissions").fill("1");
  await org.locator("#create").click();
  await org.locator("#member-links").waitFor({ state: "attached", timeout: 30_000 });
  const members = await org.locator("#member-links code").allTextContents();
  const [open] = await org.locator("#participant-links code").allTextContents();
  const read = await org.locator("#results-link").getAttribute("href");
  await org.locator("#session-state[data-state='open']").waitFor();
  await noEnglish(org, "session page (open)");
  await axeCheck(org, "session page in Spanish");
  await screenshot(org, "es-session");
  await org.locator("#run-demo-committee").click();

  // --- The widget on the embedding example (its host page is English; the
  // language picked on this origin wins), answering the vote.
  const site = await spanishPage(context, origin);
  await site.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(open)}`);
  await site.reload();
  const widget = site.locator("sotto-vote");
  await widget.getByRole("button", { name: "Cifrar y enviar" }).waitFor();
  await noEnglish(site, "widget", "sotto-vote");
  await widget.getByRole("radio", { name: "Playa" }).check();
  await widget.getByText("Lista para enviar.").waitFor();
  await axeCheck(site, "widget in Spanish");
  await screenshot(site, "es-widget");
  await widget.getByRole("button", { name: "Cifrar y enviar" }).click();
  await widget.getByText("Tu respuesta se ha enviado.").waitFor({ timeout: 30_000 });
  await noEnglish(site, "widget (sent)", "sotto-vote", 3);
  log("answered through the widget in Spanish");
  // The widget's form at 390 px, while the session is open.
  const phoneSite = await spanishPage(context, origin, PHONE);
  await phoneSite.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(open)}`);
  await phoneSite.reload();
  await phoneSite.locator("sotto-vote").getByRole("button", { name: "Cifrar y enviar" }).waitFor();
  await screenshot(phoneSite, "es-phone-widget");
  const w = await phoneSite.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert(w.scroll <= w.width + 1, `the widget's page is ${w.scroll} px wide at ${w.width} px`);

  // --- The committee console: a new key, then a member link whose key is
  // in another browser.
  const member = await spanishPage(context, origin);
  await member.goto(`${origin}/#console`);
  await member.getByLabel("Tu nombre, tal como lo verán los participantes").first().fill("Lucía");
  await member.locator("#generate-passphrase").fill(MEMBER_PASSPHRASE);
  await member.getByRole("button", { name: "Generar clave" }).click();
  await member.locator("#public-keys").waitFor();
  await noEnglish(member, "console with a key");
  await axeCheck(member, "console in Spanish");
  await screenshot(member, "es-console");
  await member.goto(members[0]);
  await member.locator("#key-missing").waitFor();
  await noEnglish(member, "console with a member link");
  await screenshot(member, "es-console-member-link");

  // --- Close, the demo committee computes: the session page and the results.
  const close = org.locator("#close-session");
  await close.click();
  await close.click();
  await org.locator("#published-summary").waitFor({ timeout: 150_000 });
  await org.locator('#demo-status li[data-done="1"]').first().waitFor({ timeout: 30_000 });
  await noEnglish(org, "session page (published)");
  await screenshot(org, "es-session-published");
  await openResults(org, read);
  await org.getByRole("heading", { name: "Resultado verificado" }).waitFor();
  await org.getByText("Gana: Playa").waitFor();
  await noEnglish(org, "results page");
  await axeCheck(org, "results page in Spanish");
  await screenshot(org, "es-results");

  // --- The same pages at 390 px (the organizer's record copied over).
  const phone = await spanishPage(context, origin, PHONE);
  await copyOrganizer(org, phone, origin);
  await phone.goto(`${origin}/`);
  await phone.locator("#create-form").waitFor();
  await screenshot(phone, "es-phone-create");
  const sessionHref = await phone.locator(".link-list a.who").first().getAttribute("href");
  await phone.goto(`${origin}/${sessionHref}`);
  await phone.locator("#published-summary").waitFor({ timeout: 30_000 });
  await noEnglish(phone, "session page on a phone");
  await screenshot(phone, "es-phone-session");
  await phone.goto(`${origin}/#console`);
  await phone.locator("#new-key-heading").waitFor();
  await screenshot(phone, "es-phone-console");
  await phone.goto(read);
  await phone.locator('[data-verified="true"]').waitFor({ timeout: 30_000 });
  await noEnglish(phone, "results page on a phone");
  await screenshot(phone, "es-phone-results");
  await phone.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(open)}`);
  await phone.reload();
  // After the close the widget says so when it opens, in Spanish.
  await phone.locator('sotto-vote #blocked [data-code="session_closed"]').waitFor();
  await noEnglish(phone, "widget (closed)", "sotto-vote", 3);
  await screenshot(phone, "es-phone-widget-closed");
  // The participant page after the close: "closed" on opening, in Spanish
  // (no English details under the notice).
  const late = await spanishPage(context, origin, PHONE);
  await late.goto(open);
  await late.locator('#blocked [data-code="session_closed"]').waitFor();
  await noEnglish(late, "participant page (closed)");
  await screenshot(late, "es-phone-participate-closed");
  const o = await phone.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert(o.scroll <= o.width + 1, `the page is ${o.scroll} px wide at ${o.width} px`);
});
