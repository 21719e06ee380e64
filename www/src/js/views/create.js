// Start page: the sessions this browser organizes, and the builder of a
// new vote, survey, budget or committee check with a live preview of the
// participant form.

import { h, replace, field, filePicker, uid, markField, clearFields } from "../dom.js";
import { loadSotto, relayUrl } from "../sotto.js";
import { answerForm } from "../answer-form.js";
import { errorNotice } from "../errors.js";
import { manifestMessage } from "../plain-message.js";
import { readFile } from "../download.js";
import { listSessions, saveSession, recordOf } from "../store.js";
import { manageHref } from "../link.js";
import { voteBuilder } from "../builder/vote-builder.js";
import { surveyBuilder } from "../builder/survey-builder.js";
import { budgetBuilder } from "../builder/budget-builder.js";
import { checkBuilder } from "../builder/check-builder.js";
import { committeeSetup } from "../builder/committee-setup.js";
import { intOf, numberOf, showIf } from "../builder/inputs.js";
import { when } from "../format.js";
import { t } from "../i18n/index.js";

const KINDS = ["vote", "survey", "budget", "check"];

function sessionsList(sotto) {
  const sessions = listSessions();
  const file = h("input", { type: "file", accept: "application/json,.json", id: "import-capability" });
  const feedback = h("div", { "aria-live": "polite" });
  file.addEventListener("change", async () => {
    try {
      const json = await readFile(file.files[0]);
      const org = sotto.Organizer.importCapability(json.trim());
      saveSession(recordOf(org));
      location.hash = manageHref(org.sessionId);
    } catch (err) {
      replace(feedback, errorNotice(err));
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "yours-heading" },
    h("h2", { id: "yours-heading" }, t("create.yours")),
    sessions.length
      ? h(
          "ul",
          { class: "link-list" },
          sessions.map((s) =>
            h(
              "li",
              {},
              h(
                "span",
                {},
                h("a", { href: manageHref(s.session), class: "who" }, h("bdi", {}, s.title)),
                " ",
                h(
                  "span",
                  { class: "small muted" },
                  t("create.sessionLine", {
                    kind: t(`kind.${s.kind}`),
                    state: t(`state.${s.state ?? (s.closed ? "closed" : "open")}`),
                    when: when(s.createdAt),
                  }),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("create.remembered")),
    field(t("create.import"), filePicker(file), t("create.importHint")),
    feedback,
  );
}

function policyFields() {
  const minSubs = h("input", { type: "number", min: 1, step: 1, value: "5", id: "min-submissions" });
  const minCell = h("input", { type: "number", min: 1, step: 1, placeholder: t("create.off"), id: "min-cell" });
  const dpOn = h("input", { type: "checkbox", id: "dp-on" });
  const epsilon = h("input", { type: "number", min: 0.001, max: 100, step: 0.001, value: "1", id: "dp-epsilon" });
  const minCellField = field(t("create.minCell"), minCell, t("create.minCellHint"));
  const epsilonField = field(t("create.epsilon"), epsilon, t("create.epsilonHint"));
  const sync = () => showIf(epsilonField, dpOn.checked);
  dpOn.addEventListener("change", sync);
  sync();
  return {
    element: h(
      "div",
      { class: "stack" },
      field(t("create.minSubs"), minSubs, t("create.minSubsHint")),
      minCellField,
      h("label", { class: "choice" }, dpOn, t("create.dp")),
      epsilonField,
    ),
    setKind: (kind) => showIf(minCellField, kind === "survey"),
    load: (p) => {
      minSubs.value = String(p.min_submissions ?? 5);
      if (p.min_cell) minCell.value = String(p.min_cell);
      dpOn.checked = Boolean(p.dp);
      if (p.dp) epsilon.value = String(p.dp.epsilon);
      sync();
    },
    errors: (kind) => {
      const out = [];
      const m = Number(minSubs.value);
      if (minSubs.value.trim() === "" || !Number.isInteger(m) || m < 1) out.push([minSubs, t("create.err.minSubs")]);
      if (kind === "survey" && minCell.value.trim() !== "") {
        const c = Number(minCell.value);
        if (!Number.isInteger(c) || c < 1) out.push([minCell, t("create.err.minCell")]);
      }
      if (dpOn.checked) {
        const e = Number(epsilon.value);
        if (!Number.isFinite(e) || e < 0.001 || e > 100) out.push([epsilon, t("create.err.epsilon")]);
      }
      return out;
    },
    read: (kind) => {
      const policy = { min_submissions: Math.max(1, intOf(minSubs, 5)) };
      const cell = intOf(minCell, null);
      if (kind === "survey" && cell) policy.min_cell = cell;
      if (dpOn.checked) policy.dp = { epsilon: Math.round(numberOf(epsilon, 1) * 1000) / 1000 };
      return policy;
    },
  };
}

function accessFields() {
  const name = uid("access");
  const open = h("input", { type: "radio", name, value: "open", checked: true });
  const single = h("input", { type: "radio", name, value: "single", id: "access-single" });
  const count = h("input", { type: "number", min: 1, max: 10000, step: 1, value: "10", id: "single-use-count" });
  const countField = field(t("create.singleCount"), count, t("create.singleCountHint"));
  const closes = h("input", { type: "datetime-local", id: "closes-at" });
  const openNote = h(
    "div",
    { class: "notice", id: "open-link-note" },
    h("p", {}, h("strong", {}, t("create.openGuarantee")), t("create.openGuaranteeBody")),
    h("p", { id: "open-link-vote-advice" }, t("create.openVoteAdvice")),
  );
  let isVote = true;
  const sync = () => {
    showIf(countField, single.checked);
    showIf(openNote, open.checked);
    openNote.className = `notice${isVote ? " warn" : ""}`;
    showIf(openNote.querySelector("#open-link-vote-advice"), isVote);
  };
  open.addEventListener("change", sync);
  single.addEventListener("change", sync);
  sync();
  return {
    element: h(
      "div",
      { class: "stack" },
      h(
        "fieldset",
        {},
        h("legend", {}, t("create.participantLinks")),
        h(
          "div",
          { class: "choices" },
          h("label", { class: "choice" }, open, t("create.openLink")),
          h("label", { class: "choice" }, single, t("create.singleLinks")),
        ),
      ),
      openNote,
      countField,
      field(
        t("create.deadline"),
        closes,
        t("create.deadlineHint", { zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
      ),
    ),
    setKind: (kind) => {
      isVote = kind === "vote";
      sync();
    },
    load: (singleUse) => {
      single.checked = singleUse > 0;
      open.checked = !single.checked;
      if (singleUse > 0) count.value = String(singleUse);
      sync();
    },
    errors: () => {
      const out = [];
      if (single.checked) {
        const n = Number(count.value);
        if (!Number.isInteger(n) || n < 1 || n > 10000) out.push([count, t("create.err.singleCount")]);
      }
      if (closes.value) {
        const at = new Date(closes.value).getTime();
        if (!Number.isFinite(at)) out.push([closes, t("create.err.deadline")]);
        else if (at <= Date.now() + 60_000) out.push([closes, t("create.err.deadlinePast")]);
      }
      return out;
    },
    read: () => {
      /** @type {{single_use: number, deadlines?: {closes_at: number}}} */
      const out = { single_use: single.checked ? Math.max(1, intOf(count, 10)) : 0 };
      if (closes.value) out.deadlines = { closes_at: Math.floor(new Date(closes.value).getTime() / 1000) };
      return out;
    },
  };
}

/** The visible label of a form control, for the list of settings to fix. */
function labelOf(control) {
  const label = control.id ? document.querySelector(`label[for="${control.id}"]`) : null;
  return (label ?? control.closest("label"))?.textContent.trim() || t("create.thisSetting");
}

/**
 * The package's refusal of the options, without parser jargon: the checks
 * above catch what a person can get wrong, so what remains is said plainly
 * and the package's words stay in the details.
 */
function plainOptionsError(err, questions = []) {
  if (err?.code !== "invalid_options") return err;
  const raw = String(err.message ?? "");
  const jargon = /invalid type|expected|line \d+ column \d+|missing field|unknown field/.test(raw);
  const question = (id) => questions.find((q) => q.id === id)?.text;
  const text = jargon
    ? t("create.err.jargon")
    : (manifestMessage(raw, { question }) ?? raw.replace(/^session draft:\s*/, ""));
  return Object.assign(new Error(text), { code: "invalid_options", detail: raw });
}

/** Makes `n` member keys in this browser (circle mode); returns their public halves and stored names. */
async function circleMembers(sotto, n) {
  const tag = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const members = [];
  const keyNames = [];
  for (let i = 1; i <= n; i++) {
    const m = sotto.CommitteeMember.generate();
    const keyName = `circle-${tag}-${i}`;
    await m.saveForSession(keyName);
    const pub = m.publicKeys();
    members.push({ name: t("member.n", { i }), x25519: pub.x25519, ed25519: pub.ed25519 });
    keyNames.push(keyName);
    m.free();
  }
  return { members, keyNames };
}

/** Renders the start page. */
export async function createView(main) {
  const sotto = await loadSotto();
  const title = h("input", {
    type: "text",
    maxlength: 200,
    value: t("create.sampleTitle"),
    id: "session-title",
    required: true,
  });
  const description = h("textarea", { id: "session-description", rows: 3 });
  const previewDescription = h("p", { class: "description", dir: "auto" });
  // As the manifest takes it: line breaks as \n, tabs as spaces, trimmed.
  const descriptionText = () => description.value.replace(/\r\n?/g, "\n").replace(/\t/g, " ").trim();
  const builders = { vote: voteBuilder(), survey: surveyBuilder(), budget: budgetBuilder(), check: checkBuilder() };
  const policy = policyFields();
  const access = accessFields();
  const committee = committeeSetup();
  const preview = h("div", { class: "preview", id: "preview" });
  const previewTitle = h("h3", {});
  const feedback = h("div", { id: "create-feedback", "aria-live": "polite" });
  const kindName = uid("kind");
  let kind = "vote";

  const kindPicker = h(
    "fieldset",
    {},
    h("legend", {}, t("create.what")),
    h(
      "div",
      { class: "choices" },
      KINDS.map((value) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name: kindName, value, checked: value === kind, id: `kind-${value}` }),
          h(
            "span",
            {},
            h("strong", {}, t(`kind.${value}`)),
            " ",
            h("span", { class: "small muted" }, t(`create.kindHint.${value}`)),
          ),
        ),
      ),
    ),
  );
  const builderBox = h("div", {});
  const policySection = h("section", { class: "card" }, h("h2", {}, t("create.policySection")), policy.element);
  const accessSection = h("section", { class: "card" }, h("h2", {}, t("create.accessSection")), access.element);

  const schema = () => builders[kind].read();
  let pending = false;
  const renderPreview = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      previewTitle.textContent = title.value || t("create.untitled");
      previewDescription.textContent = descriptionText();
      if (kind === "check") {
        preview.replaceChildren(h("p", {}, t("create.previewCheck")));
        return;
      }
      try {
        preview.replaceChildren(answerForm(kind, schema(), { prefix: "preview" }).element);
      } catch {
        preview.replaceChildren(h("p", { class: "muted" }, t("create.previewIncomplete")));
      }
    });
  };
  const setKind = (k) => {
    kind = k;
    replace(builderBox, builders[k].element);
    policy.setKind(k);
    access.setKind(k);
    // A check takes no answers, so it has no privacy policy or participants.
    showIf(policySection, k !== "check");
    showIf(accessSection, k !== "check");
    renderPreview();
  };
  kindPicker.addEventListener("change", (e) => {
    if (e.target.name === kindName) setKind(e.target.value);
  });

  // Only for a relay whose operator restricts session creation
  // (`sotto-relay --create-token`, docs/relay.md): sent to the relay with
  // the create request, never stored or put in a link.
  const createToken = h("input", {
    type: "password",
    id: "create-token",
    autocomplete: "off",
    spellcheck: false,
    pattern: "[0-9a-fA-F]{64}",
  });
  const tokenBox = h(
    "details",
    { class: "card", id: "create-token-box" },
    h("summary", {}, t("create.tokenSummary")),
    field(t("create.token"), createToken, t("create.tokenHint")),
  );
  const create = h("button", { type: "submit", class: "primary", id: "create" }, t("create.submit"));
  const committeeBox = h("section", { class: "card" }, h("h2", {}, t("create.committeeSection")), committee.element);
  const form = h(
    "form",
    { novalidate: true, id: "create-form" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("create.whatSection")),
      field(t("create.title"), title, t("create.titleHint")),
      field(t("create.description"), description, t("create.descriptionHint", { max: MAX_DESCRIPTION })),
      kindPicker,
      builderBox,
    ),
    committeeBox,
    policySection,
    accessSection,
    tokenBox,
    feedback,
    h("div", { class: "button-row" }, create),
  );
  // An answer must fit one relay frame for the committee chosen: the
  // package says how large it would be with the core's own arithmetic
  // (`answerSize`: `[bytes, limit, ...bytes of each survey question]`, the
  // check the core refuses a manifest with), and the
  // note goes to the questions that make it large and to the member
  // count. Checked on every change, before the organizer tries to create.
  const sizeErrors = () => {
    const team = committee.read();
    const n = team.circle || team.members.length;
    if (kind === "check" || !n || builders[kind].errors?.().length) return [];
    let size;
    try {
      size = sotto.answerSize(JSON.stringify({ kind, schema: schema() }), n, team.threshold);
    } catch {
      return []; // a schema the other checks refuse, in their words
    }
    const [bytes, limit, ...questions] = size;
    if (bytes <= limit) return [];
    const kb = (b) => Math.ceil(b / 1024);
    const out = [[committee.countControl(), t("create.err.tooBig", { size: kb(bytes), limit: kb(limit), n })]];
    if (kind === "survey") {
      // The largest questions, until leaving them out would make it fit.
      const order = questions.map((q, i) => ({ bytes: q, i })).sort((a, b) => b.bytes - a.bytes);
      let left = bytes - limit;
      for (const q of order) {
        if (left <= 0) break;
        left -= q.bytes;
        out.push([builders.survey.sizeControl(q.i), t("create.err.tooBigQuestion", { size: kb(q.bytes), n })]);
      }
    } else {
      out.push([builders[kind].sizeControl(), t(`create.err.tooBig.${kind}`)]);
    }
    return out;
  };
  // Each setting that cannot be used is marked at its field, in plain
  // words, before anything is sent; the check runs again on every change
  // once the organizer has tried to create the session.
  let tried = false;
  const titleErrors = () => {
    const errors = [];
    if (!title.value.trim()) errors.push([title, t("create.err.title")]);
    const long = [...descriptionText()].length;
    if (long > MAX_DESCRIPTION) errors.push([description, t("create.err.description", { max: MAX_DESCRIPTION, long })]);
    return errors;
  };
  const validate = () => {
    clearFields(form);
    const errors = [
      ...titleErrors(),
      ...(builders[kind].errors?.() ?? []),
      ...committee.errors(),
      ...(kind === "check" ? [] : [...policy.errors(kind), ...access.errors()]),
      ...sizeErrors(),
    ];
    for (const [control, message] of errors) markField(control, message);
    committee.warn();
    return errors;
  };
  const recheck = () => {
    if (!tried) {
      clearFields(form);
      committee.warn();
      for (const [control, message] of sizeErrors()) markField(control, message);
      return;
    }
    const errors = validate();
    if (!errors.length) replace(feedback);
  };
  form.addEventListener("input", renderPreview);
  form.addEventListener("change", renderPreview);
  form.addEventListener("input", recheck);
  form.addEventListener("change", recheck);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    tried = true;
    const errors = validate();
    if (errors.length) {
      replace(
        feedback,
        h(
          "div",
          { class: "notice error", role: "alert", dataset: { code: "invalid_options" } },
          h("h2", {}, t("create.toFix", { n: errors.length })),
          h(
            "ul",
            {},
            errors.map(([control, message]) =>
              h(
                "li",
                {},
                h(
                  "a",
                  {
                    href: `#${control.id || (control.id = uid("f"))}`,
                    onclick: (ev) => {
                      ev.preventDefault();
                      control.focus();
                    },
                  },
                  labelOf(control),
                ),
                ": ",
                message,
              ),
            ),
          ),
        ),
      );
      errors[0][0].focus();
      return;
    }
    create.disabled = true;
    create.textContent = t("create.creating");
    replace(feedback);
    const team = committee.read();
    let circle = null;
    try {
      if (!title.value.trim()) throw Object.assign(new Error(t("create.err.title")), { code: "invalid_options" });
      if (!team.circle && !team.members.length)
        throw Object.assign(new Error(t("create.err.noMembers")), { code: "invalid_options" });
      if (team.circle) circle = await circleMembers(sotto, team.circle);
      // A session draft (docs/session.md): the same JSON as the CLI's draft
      // file. The kind's builder wrote the schema, so `kind` and `schema`
      // match; the type checker cannot follow that, hence the cast.
      const draft = /** @type {import("sotto/web").SessionDraft} */ ({
        title: title.value.trim(),
        ...(descriptionText() ? { description: descriptionText() } : {}),
        kind,
        schema: schema(),
        committee: { members: circle ? circle.members : team.members, threshold: team.threshold },
        ...(kind === "check" ? {} : { policy: policy.read(kind), ...access.read() }),
      });
      const token = createToken.value.trim();
      const org = await sotto.Organizer.create(relayUrl(), draft, token || undefined);
      saveSession(recordOf(org, { circleKeys: circle?.keyNames ?? null, singleUse: draft.single_use > 0 }));
      location.hash = manageHref(org.sessionId);
    } catch (err) {
      if (circle) for (const k of circle.keyNames) await sotto.CommitteeMember.forget(k).catch(() => {});
      replace(feedback, errorNotice(plainOptionsError(err, kind === "survey" ? schema().questions : [])));
      feedback.querySelector("h2")?.setAttribute("tabindex", "-1");
      feedback.querySelector("h2")?.focus();
      create.disabled = false;
      create.textContent = t("create.submit");
    }
  });

  replace(
    main,
    h("h1", {}, t("create.heading")),
    h("p", { class: "lead" }, t("create.lead")),
    sessionsList(sotto),
    h("h2", {}, t("create.createHeading")),
    h(
      "div",
      { class: "grid-2" },
      form,
      h(
        "aside",
        { class: "sticky", "aria-labelledby": "preview-heading" },
        h(
          "section",
          { class: "card" },
          h("p", { class: "preview-label", id: "preview-heading" }, t("create.previewLabel")),
          previewTitle,
          previewDescription,
          preview,
        ),
      ),
    ),
  );
  setKind(kind);

  // "Duplicate this session" on a session page leaves its settings here.
  const draft = takeDraft();
  if (draft) {
    title.value = draft.title;
    description.value = draft.description ?? "";
    form.querySelector(`#kind-${draft.kind}`).checked = true;
    setKind(draft.kind);
    builders[draft.kind].load(draft.schema);
    if (draft.kind !== "check") {
      policy.load(draft.policy ?? {});
      access.load(draft.singleUse ?? 0);
    }
    await committee.load(draft);
    renderPreview();
    form.prepend(
      h(
        "p",
        { class: "notice", role: "status", id: "duplicate-note" },
        t("create.copiedFrom"),
        h("bdi", {}, draft.from),
        t("create.copiedFromAfter"),
      ),
    );
    title.focus();
  }
}

/** The manifest's limit on a description (crate/core, MAX_DESCRIPTION_CHARS). */
const MAX_DESCRIPTION = 2000;

const DRAFT = "sotto.duplicate.v1";

/** Keeps a session's settings for the create page (`manage.js` calls it). */
export function keepDraft(draft) {
  sessionStorage.setItem(DRAFT, JSON.stringify(draft));
}

function takeDraft() {
  try {
    const draft = JSON.parse(sessionStorage.getItem(DRAFT) ?? "null");
    sessionStorage.removeItem(DRAFT);
    return draft;
  } catch {
    return null;
  }
}
