// Sotto's embeddable widget: private votes and surveys in any web page.
//
//   <script type="module" src="https://sotto.example/widget.js"></script>
//   <sotto-vote link="https://sotto.example/#s=…&h=…&t=…&r=participant"></sotto-vote>
//   <sotto-survey link="…"></sotto-survey>   <sotto-budget link="…"></sotto-budget>
//
// The form renders in a shadow root, so the host page's CSS does not leak in
// (theme it with --sotto-accent, --sotto-text, --sotto-background and
// --sotto-font). The answer is encrypted in the page, as on the participate
// page. Events (bubbling, composed): `sotto-submitted` with the receipt as
// `detail`, `sotto-error` with `{code, message}`.

import { h, replace } from "./js/dom.js";
import { loadParticipantModule } from "./js/participant-module.js";
import { answerForm } from "./js/answer-form.js";
import { privacyPanel } from "./js/privacy-panel.js";
import { errorNotice } from "./js/errors.js";
import { retrying } from "./js/retry.js";
import { explain, markQuestion } from "./js/plain-message.js";
import { downloadJson, slug } from "./js/download.js";
import { saveReceipt, answeredWith } from "./js/store.js";
import { sessionOf, tokenOf, linkBlock, LINK_REFUSED } from "./js/link.js";
import { toRelayLink } from "./js/relay-link.js";
import { when } from "./js/format.js";
import { loadLanguage, language, t } from "./js/i18n/index.js";

const STYLES = new URL("./widget.css", import.meta.url).href;

// The widget's language: the host page's (the `lang` of the element or its
// nearest ancestor, usually `<html lang>`), else the browser's. One catalog
// per page: the first widget shown picks it; `<html lang>` stays the host's.
let languageReady = null;
function widgetLanguage(element) {
  const tag = element.closest("[lang]")?.getAttribute("lang") ?? "";
  languageReady ??= loadLanguage({ preferred: tag.toLowerCase().split("-")[0], setDocument: false }).catch(() => {
    /* the catalog did not load: English */
  });
  return languageReady;
}

class SottoForm extends HTMLElement {
  static observedAttributes = ["link"];

  #body;
  #generation = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    this.#body = h("div", { class: "sotto", part: "body" });
    root.append(h("link", { rel: "stylesheet", href: STYLES }), this.#body);
  }

  connectedCallback() {
    this.#render();
  }

  attributeChangedCallback(_name, before, after) {
    if (this.isConnected && before !== after) this.#render();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #fail(err) {
    replace(this.#body, errorNotice(err, { showDetail: false }));
    this.#emit("sotto-error", { code: err?.code ?? "internal", message: String(err?.message ?? err) });
  }

  async #render() {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    const link = this.getAttribute("link") ?? "";
    await widgetLanguage(this);
    if (!current()) return;
    this.#body.lang = language();
    const status = h("div", { role: "status" }, h("p", {}, t("widget.loading")));
    replace(this.#body, status);
    let participant;
    try {
      const sotto = await loadParticipantModule();
      participant = await retrying(
        // A link to an app on another origin names its relay (js/relay-link.js).
        () => sotto.Participant.open(toRelayLink(link)),
        (err, seconds, now) => {
          if (!current()) return now();
          replace(
            status,
            errorNotice(err, {
              showDetail: false,
              actions: [h("button", { type: "button", onclick: now }, t("retry.now"))],
            }),
          );
          status.querySelector("p")?.append(t("widget.retrying", { seconds }));
        },
      );
    } catch (err) {
      if (current()) this.#fail(err);
      return;
    }
    if (!current()) return;
    // The link's state before the form is shown: a used single-use link,
    // a closed session or a token the relay does not know is refused now,
    // not after the respondent filled in the form (as on the participate
    // page). An unreachable relay shows the form: the submission retries.
    let refusal = null;
    if (participant.kind !== "check" && !this.#answered(link) && typeof participant.linkState === "function") {
      refusal = await participant.linkState().then(linkBlock, (err) => (LINK_REFUSED.includes(err?.code) ? err : null));
      if (!current()) return;
    }
    if (refusal && refusal !== "again") {
      replace(
        this.#body,
        h("p", { class: "title", dir: "auto" }, participant.title),
        h("div", { id: "blocked" }, errorNotice(refusal, { showDetail: false })),
      );
      this.#emit("sotto-error", { code: refusal.code ?? "internal", message: String(refusal.message ?? refusal) });
      return;
    }
    this.#show(participant, link, refusal === "again");
  }

  /** The notice shown instead of the form when this browser already answered with `link`, or null. */
  #answered(link) {
    const previous = answeredWith(sessionOf(link), tokenOf(link));
    return previous
      ? h(
          "div",
          { class: "notice", role: "status", dataset: { code: "answered_here" } },
          h(
            "p",
            {},
            h("strong", {}, t("part.answeredTitle")),
            t("widget.answeredWhen", { when: when(previous.savedAt) }),
          ),
          h(
            "button",
            { type: "button", onclick: () => downloadJson("sotto-receipt.json", previous) },
            t("part.downloadThatReceipt"),
          ),
        )
      : null;
  }

  #show(participant, link, again = false) {
    const title = participant.title;
    if (participant.kind === "check") {
      replace(
        this.#body,
        h("p", { class: "title", dir: "auto" }, title),
        h("p", { class: "notice" }, t("widget.check")),
      );
      return;
    }
    const message = h("p", { class: "validation", "aria-live": "polite" });
    const feedback = h("div");
    const submit = h("button", { type: "submit", class: "primary" }, t("part.submit"));
    const schema = participant.schema();
    const check = () => {
      const v = participant.validate(form.read());
      const plain = v.valid ? null : explain(participant.kind, schema, v.message);
      message.className = `validation ${v.valid ? "ok" : "error"}`;
      message.textContent = v.valid ? t("part.ready") : plain.text;
      markQuestion(formEl, plain?.question);
      return v.valid;
    };
    const form = answerForm(participant.kind, schema, { onChange: check });
    const formEl = h(
      "form",
      { novalidate: true },
      form.element,
      message,
      h("div", { class: "button-row" }, submit),
      feedback,
    );
    formEl.addEventListener("submit", async (event) => {
      event.preventDefault();
      // One answer per browser, checked before anything is sent.
      const answered = this.#answered(link);
      if (answered) {
        replace(this.#body, h("p", { class: "title", dir: "auto" }, title), answered);
        return;
      }
      if (!check()) return;
      submit.disabled = true;
      submit.textContent = t("part.sending");
      try {
        const receipt = await retrying(() => participant.submit(form.read()));
        const saved = { sotto: "receipt", title, submittedAt: new Date().toISOString(), ...receipt };
        saveReceipt({ ...receipt, title, tokenTag: tokenOf(link).slice(0, 8), savedAt: Date.now() });
        replace(
          this.#body,
          h(
            "div",
            { class: "notice ok", role: "status" },
            h("p", {}, h("strong", {}, t("part.announceSent")), t("widget.sentBody")),
            h(
              "button",
              { type: "button", onclick: () => downloadJson(`sotto-receipt-${slug(title)}.json`, saved) },
              t("part.downloadReceipt"),
            ),
          ),
        );
        this.#emit("sotto-submitted", receipt);
      } catch (err) {
        replace(feedback, errorNotice(err, { showDetail: false }));
        submit.disabled = ["already_submitted", "session_closed", "unauthorized"].includes(err?.code);
        submit.textContent = t("part.submit");
        this.#emit("sotto-error", { code: err?.code ?? "internal", message: String(err?.message ?? err) });
      }
    });
    const answered = this.#answered(link);
    replace(
      this.#body,
      h("p", { class: "title", dir: "auto" }, title),
      again && !answered
        ? h("p", { class: "notice warn", role: "status", id: "link-used" }, t("part.usedAgain"))
        : null,
      answered ?? formEl,
      h(
        "details",
        { class: "privacy" },
        h("summary", {}, t("privacy.heading")),
        privacyPanel(participant, { headingLevel: "p" }),
      ),
      h(
        "p",
        { class: "powered" },
        t("widget.privateBy"),
        h("a", { href: new URL("./", STYLES).href, target: "_blank", rel: "noopener" }, "Sotto"),
      ),
    );
  }
}

for (const tag of ["sotto-vote", "sotto-survey", "sotto-budget"]) {
  if (!customElements.get(tag)) customElements.define(tag, class extends SottoForm {});
}
