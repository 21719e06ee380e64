// Participate: open the invite link, show the form, validate inline,
// encrypt and submit, and hand back a receipt.

import { h, replace, announce, uid } from "../dom.js";
import { loadParticipantModule } from "../participant-module.js";
import { answerForm } from "../answer-form.js";
import { privacyPanel } from "../privacy-panel.js";
import { errorNotice } from "../errors.js";
import { retrying, retryNotice } from "../retry.js";
import { explain, markQuestion } from "../plain-message.js";
import { downloadJson, slug } from "../download.js";
import { saveReceipt, answeredWith } from "../store.js";
import { when, num } from "../format.js";
import { sessionOf, tokenOf, linkBlock, LINK_REFUSED } from "../link.js";
import { t } from "../i18n/index.js";

/** Whether the manifest's deadline has passed (the relay refuses answers then). */
function deadlinePassed(manifest) {
  const closes = manifest?.deadlines?.closes_at;
  return Boolean(closes && closes * 1000 < Date.now());
}

function deadlineNote(manifest) {
  const closes = manifest?.deadlines?.closes_at;
  if (!closes || deadlinePassed(manifest)) return null;
  return h("p", { class: "muted", id: "deadline" }, t("part.closesAt", { when: when(closes, { seconds: true }) }));
}

/** Why this browser cannot answer, shown before the form is filled; null when it can. */
function blockedNotice(manifest, previous) {
  if (deadlinePassed(manifest)) {
    return h(
      "div",
      { class: "notice error", id: "blocked", dataset: { code: "session_closed" } },
      h("h2", {}, t("part.closedTitle")),
      h("p", {}, t("part.closedBody", { when: when(manifest.deadlines.closes_at, { seconds: true }) })),
    );
  }
  if (previous) {
    return h(
      "div",
      { class: "notice warn", id: "blocked", dataset: { code: "answered_here" } },
      h("h2", {}, t("part.answeredTitle")),
      h("p", {}, t("part.answeredBody", { when: when(previous.savedAt) })),
      h("p", { id: "receipt-later" }, t("part.countedLater")),
      h(
        "button",
        { type: "button", class: "small", onclick: () => downloadJson("sotto-receipt.json", previous) },
        t("part.downloadThatReceipt"),
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
    h("h2", { id: "no-answers-heading" }, t("part.checkTitle")),
    h("p", {}, t("part.checkBody")),
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
      h("h2", { id: "receipt-heading" }, t("part.sentTitle")),
      h("p", {}, t("part.sentBody")),
    ),
    h("p", {}, t("part.keepReceipt")),
    h("p", { id: "receipt-later" }, t("part.countedLater")),
    h(
      "dl",
      { class: "kv", id: "receipt-summary" },
      h("dt", {}, t("part.sent")),
      h("dd", {}, when(new Date(saved.submittedAt))),
      h("dt", {}, t("part.position")),
      h("dd", {}, num(receipt.position)),
      h("dt", {}, t("part.receiptCode")),
      h("dd", { class: "fingerprint" }, receipt.receipt),
      h("dt", {}, t("part.whatCode")),
      h("dd", {}, t("part.whatCodeBody")),
    ),
    h(
      "details",
      {},
      h("summary", {}, t("part.receiptFile")),
      h(
        "pre",
        { class: "receipt", tabindex: "0", "aria-label": t("part.receiptLabel") },
        JSON.stringify(saved, null, 2),
      ),
    ),
    h(
      "div",
      { class: "button-row" },
      h(
        "button",
        { type: "button", class: "primary", onclick: () => downloadJson(`sotto-receipt-${slug(title)}.json`, saved) },
        t("part.downloadReceipt"),
      ),
    ),
  );
}

/** Renders the participate page for `link` into `main`. */
export async function participateView(main, link) {
  const status = h("div", { class: "status" });
  replace(main, h("h1", {}, t("part.opening")), status);
  const sotto = await loadParticipantModule();
  let participant;
  try {
    participant = await retrying(() => sotto.Participant.open(link), retryNotice(status, "retry.reachServer"));
  } catch (err) {
    replace(main, h("h1", {}, t("shell.badLinkTitle")), errorNotice(err));
    return;
  }
  const manifest = participant.manifest();
  const kind = participant.kind;
  const title = participant.title;
  document.title = `${title} · Sotto`;
  if (kind === "check") {
    replace(main, h("p", { class: "badge" }, t("kind.check")), h("h1", { dir: "auto" }, title), noAnswersView());
    return;
  }

  const message = h("p", { class: "validation", id: uid("validation"), "aria-live": "polite" });
  const feedback = h("div", { class: "feedback" });
  const submit = h("button", { type: "submit", class: "primary" }, t("part.submit"));
  const schema = participant.schema();
  const session = sessionOf(link);
  const token = tokenOf(link);
  let blocked = blockedNotice(manifest, answeredWith(session, token));
  const block = () => {
    submit.disabled = true;
    submit.textContent = t("part.cannotFromHere");
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
    message.textContent = result.valid ? t("part.ready") : plain.text;
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
    submit.textContent = t("part.sending");
    replace(feedback);
    try {
      const receipt = await retrying(() => participant.submit(form.read()), retryNotice(feedback, "retry.sendAnswer"));
      saveReceipt({ ...receipt, title, tokenTag: token.slice(0, 8), savedAt: Date.now() });
      replace(main, h("h1", { dir: "auto" }, title), receiptView(title, receipt));
      announce(t("part.announceSent"));
      main.focus();
    } catch (err) {
      replace(feedback, errorNotice(err));
      const final = ["already_submitted", "session_closed", "unauthorized", "manifest_mismatch"].includes(err?.code);
      submit.disabled = final;
      submit.textContent = final ? t("part.cannotSubmit") : t("part.submit");
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
  // The link's state from the relay, before anything is filled in: a
  // closed session, a single-use link already answered with (from any
  // browser) or a token the relay does not know blocks the form now, not
  // after the answer is written. (Unreachable: the submission retries.)
  if (!blocked && typeof participant.linkState === "function")
    participant.linkState().then(
      (linkState) => {
        if (blocked) return;
        const refusal = linkBlock(linkState);
        if (refusal === "again") {
          // Allowed again: the new answer replaces the stored one.
          blockedBox.replaceChildren(
            h("p", { class: "notice warn", role: "status", id: "link-used" }, t("part.usedAgain")),
          );
          return;
        }
        if (!refusal) return;
        // Its message only restates the notice (and is English): no details.
        blocked = h("div", { id: "blocked" }, errorNotice(refusal, { showDetail: false }));
        blockedBox.replaceChildren(blocked);
        block();
      },
      (err) => {
        if (blocked || !LINK_REFUSED.includes(err?.code)) return;
        blocked = h("div", { id: "blocked" }, errorNotice(err));
        blockedBox.replaceChildren(blocked);
        block();
      },
    );
  replace(
    main,
    h("p", { class: "badge" }, t(`kind.${kind}`)),
    h("h1", { dir: "auto" }, title),
    manifest.description
      ? h("p", { class: "description", id: "description", dir: "auto" }, manifest.description)
      : null,
    deadlineNote(manifest),
    blockedBox,
    h(
      "div",
      { class: "grid-2" },
      h("section", { class: "card", "aria-label": t("part.yourAnswer") }, formEl, feedback),
      h("div", { class: "sticky" }, privacyPanel(participant)),
    ),
  );
}
