// Participate: open the invite link, show the form, validate inline,
// encrypt and submit, and hand back a receipt.

import { h, replace, announce, uid } from "../dom.js";
import { loadSotto } from "../sotto.js";
import { answerForm } from "../answer-form.js";
import { privacyPanel } from "../privacy-panel.js";
import { errorNotice } from "../errors.js";
import { retrying, retryNotice } from "../retry.js";
import { explain, markQuestion } from "../plain-message.js";
import { downloadJson, slug } from "../download.js";
import { saveReceipt, answeredWith } from "../store.js";
import { when, num } from "../format.js";
import { sessionOf, tokenOf } from "../link.js";

const KIND_NAMES = { vote: "Vote", survey: "Survey", budget: "Budget", check: "Committee check" };

/** Whether the manifest's deadline has passed (the relay refuses answers then). */
function deadlinePassed(manifest) {
  const closes = manifest?.deadlines?.closes_at;
  return Boolean(closes && closes * 1000 < Date.now());
}

function deadlineNote(manifest) {
  const closes = manifest?.deadlines?.closes_at;
  if (!closes || deadlinePassed(manifest)) return null;
  return h("p", { class: "muted", id: "deadline" }, `Answers close ${when(closes, { seconds: true })}.`);
}

/** Why this browser cannot answer, shown before the form is filled; null when it can. */
function blockedNotice(manifest, previous) {
  if (deadlinePassed(manifest)) {
    return h(
      "div",
      { class: "notice error", id: "blocked", dataset: { code: "session_closed" } },
      h("h2", {}, "This session is closed"),
      h(
        "p",
        {},
        `Answers closed ${when(manifest.deadlines.closes_at, { seconds: true })}. The organizer shares the result when the committee has computed it.`,
      ),
    );
  }
  if (previous) {
    return h(
      "div",
      { class: "notice warn", id: "blocked", dataset: { code: "answered_here" } },
      h("h2", {}, "You already answered from this browser"),
      h(
        "p",
        {},
        `This browser sent an answer with this link on ${when(previous.savedAt)}. Each browser answers once, so nothing more can be sent from here.`,
      ),
      h(
        "button",
        { type: "button", class: "small", onclick: () => downloadJson("sotto-receipt.json", previous) },
        "Download that receipt",
      ),
    );
  }
  return null;
}

/** A committee check has no form: say so instead. */
function noAnswersView() {
  return h(
    "section",
    { class: "notice", id: "no-answers", "aria-labelledby": "no-answers-heading" },
    h("h2", { id: "no-answers-heading" }, "This is a committee check: it takes no answers"),
    h(
      "p",
      {},
      "The organizer uses it to check, before a real session, that every committee member is online and computes correctly. There is nothing to fill in: you can close this page.",
    ),
  );
}

function receiptView(title, receipt) {
  const saved = { sotto: "receipt", title, submittedAt: new Date().toISOString(), ...receipt };
  return h(
    "section",
    { class: "card", "aria-labelledby": "receipt-heading" },
    h(
      "div",
      { class: "notice ok", role: "status" },
      h("h2", { id: "receipt-heading" }, "Your answer was sent"),
      h(
        "p",
        {},
        "It was encrypted in this browser and stored by the server for the committee. Nobody can see your individual answer.",
      ),
    ),
    h("p", {}, "Keep the receipt: it proves that the server stored your answer, without revealing what it was."),
    h(
      "dl",
      { class: "kv", id: "receipt-summary" },
      h("dt", {}, "Sent"),
      h("dd", {}, when(new Date(saved.submittedAt))),
      h("dt", {}, "Stored as answer number"),
      h("dd", {}, num(receipt.position)),
      h("dt", {}, "Receipt code"),
      h("dd", { class: "fingerprint" }, receipt.receipt),
      h("dt", {}, "What the code is"),
      h(
        "dd",
        {},
        "A fingerprint of your encrypted answer that the server returned when it stored it. It cannot be turned back into your answer.",
      ),
    ),
    h(
      "details",
      {},
      h("summary", {}, "The receipt as the file contains it"),
      h("pre", { class: "receipt", tabindex: "0", "aria-label": "Receipt" }, JSON.stringify(saved, null, 2)),
    ),
    h(
      "div",
      { class: "button-row" },
      h(
        "button",
        { type: "button", class: "primary", onclick: () => downloadJson(`sotto-receipt-${slug(title)}.json`, saved) },
        "Download receipt",
      ),
    ),
  );
}

/** Renders the participate page for `link` into `main`. */
export async function participateView(main, link) {
  const status = h("div", { class: "status" });
  replace(main, h("h1", {}, "Opening the session…"), status);
  const sotto = await loadSotto();
  let participant;
  try {
    participant = await retrying(() => sotto.Participant.open(link), retryNotice(status, "reach the server"));
  } catch (err) {
    replace(main, h("h1", {}, "This link cannot be used"), errorNotice(err));
    return;
  }
  const manifest = participant.manifest();
  const kind = participant.kind;
  const title = participant.title;
  document.title = `${title} · Sotto`;
  if (kind === "check") {
    replace(main, h("p", { class: "badge" }, KIND_NAMES.check), h("h1", { dir: "auto" }, title), noAnswersView());
    return;
  }

  const message = h("p", { class: "validation", id: uid("validation"), "aria-live": "polite" });
  const feedback = h("div", { class: "feedback" });
  const submit = h("button", { type: "submit", class: "primary" }, "Encrypt and submit");
  const schema = participant.schema();
  const session = sessionOf(link);
  const token = tokenOf(link);
  let blocked = blockedNotice(manifest, answeredWith(session, token));
  const block = () => {
    submit.disabled = true;
    submit.textContent = "Cannot submit from here";
    message.className = "validation";
    message.textContent = "";
  };
  const check = () => {
    if (blocked) {
      block();
      return false;
    }
    const result = participant.validate(form.read());
    const plain = result.valid ? null : explain(kind, schema, result.message);
    message.className = `validation ${result.valid ? "ok" : "error"}`;
    message.textContent = result.valid ? "Ready to submit." : plain.text;
    markQuestion(formEl, plain?.question);
    return result.valid;
  };
  const form = answerForm(kind, schema, {
    prefix: "answer",
    onChange: () => check(),
  });
  const formEl = h(
    "form",
    { novalidate: true, "aria-describedby": message.id },
    form.element,
    message,
    h("div", { class: "button-row" }, submit),
  );
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Checked again at the click: another tab of this browser may have
    // answered since the page opened. Nothing is sent then.
    if (!blocked && answeredWith(session, token)) {
      blocked = blockedNotice(manifest, answeredWith(session, token));
      blockedBox.replaceChildren(blocked);
    }
    if (blocked) {
      block();
      blocked.setAttribute("tabindex", "-1");
      blocked.focus();
      return;
    }
    if (!check()) {
      message.setAttribute("tabindex", "-1");
      message.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Encrypting and sending…";
    replace(feedback);
    try {
      const receipt = await retrying(() => participant.submit(form.read()), retryNotice(feedback, "send your answer"));
      saveReceipt({ ...receipt, title, tokenTag: token.slice(0, 8), savedAt: Date.now() });
      replace(main, h("h1", { dir: "auto" }, title), receiptView(title, receipt));
      announce("Your answer was sent.");
      main.focus();
    } catch (err) {
      replace(feedback, errorNotice(err));
      const final = ["already_submitted", "session_closed", "unauthorized", "manifest_mismatch"].includes(err?.code);
      submit.disabled = final;
      submit.textContent = final ? "Cannot submit" : "Encrypt and submit";
      if (final) {
        message.className = "validation";
        message.textContent = "";
      }
      feedback.querySelector("h2")?.setAttribute("tabindex", "-1");
      feedback.querySelector("h2")?.focus();
    }
  });

  const blockedBox = h("div", {}, blocked);
  if (blocked) block();
  replace(
    main,
    h("p", { class: "badge" }, KIND_NAMES[kind] ?? kind),
    h("h1", { dir: "auto" }, title),
    deadlineNote(manifest),
    blockedBox,
    h(
      "div",
      { class: "grid-2" },
      h("section", { class: "card", "aria-label": "Your answer" }, formEl, feedback),
      h("div", { class: "sticky" }, privacyPanel(participant)),
    ),
  );
}
