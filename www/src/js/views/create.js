// Start page: the sessions this browser organizes, and the builder of a
// new vote, survey, budget or committee check with a live preview of the
// participant form.

import { h, replace, field, uid, markField, clearFields } from "../dom.js";
import { loadSotto, relayUrl } from "../sotto.js";
import { answerForm } from "../answer-form.js";
import { errorNotice } from "../errors.js";
import { readFile } from "../download.js";
import { listSessions, saveSession, recordOf } from "../store.js";
import { manageHref } from "../link.js";
import { voteBuilder } from "../builder/vote-builder.js";
import { surveyBuilder } from "../builder/survey-builder.js";
import { budgetBuilder } from "../builder/budget-builder.js";
import { checkBuilder } from "../builder/check-builder.js";
import { committeeSetup } from "../builder/committee-setup.js";
import { intOf, numberOf, showIf } from "../builder/inputs.js";
import { when, num } from "../format.js";

const KINDS = [
  ["vote", "Vote", "Choose between options: plurality, approval, score, Borda or instant runoff."],
  ["survey", "Survey", "Ask numbers, choices, ratings; get counts, means, medians and histograms."],
  ["budget", "Budget", "Everyone splits a total between projects; see the average split."],
  [
    "check",
    "Committee check",
    "Before a real vote, check that every committee member is online and computes correctly; takes no answers.",
  ],
];

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
    h("h2", { id: "yours-heading" }, "Your sessions"),
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
                  `${s.kind}, ${s.state ?? (s.closed ? "closed" : "open")}, created ${when(s.createdAt)}`,
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, "Sessions you create here are remembered in this browser."),
    field("Import an organizer file", file, "The file exported from a session's page, to manage it in this browser."),
    feedback,
  );
}

function policyFields() {
  const minSubs = h("input", { type: "number", min: 1, step: 1, value: "5", id: "min-submissions" });
  const minCell = h("input", { type: "number", min: 1, step: 1, placeholder: "off", id: "min-cell" });
  const dpOn = h("input", { type: "checkbox", id: "dp-on" });
  const epsilon = h("input", { type: "number", min: 0.001, max: 100, step: 0.001, value: "1", id: "dp-epsilon" });
  const minCellField = field(
    "Smallest group shown (survey cells)",
    minCell,
    "Histogram cells with fewer answers are reported as suppressed.",
  );
  const epsilonField = field("Privacy budget ε", epsilon, "Smaller is more private and noisier. 1 is a common choice.");
  const sync = () => showIf(epsilonField, dpOn.checked);
  dpOn.addEventListener("change", sync);
  sync();
  return {
    element: h(
      "div",
      { class: "stack" },
      field(
        "Minimum number of answers before anything is revealed",
        minSubs,
        "Below it the result is withheld, so nobody's answer can be singled out.",
      ),
      minCellField,
      h("label", { class: "choice" }, dpOn, "Add differential-privacy noise to the released numbers"),
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
      if (minSubs.value.trim() === "" || !Number.isInteger(m) || m < 1)
        out.push([minSubs, "Enter a whole number of at least 1. Below it nothing is revealed."]);
      if (kind === "survey" && minCell.value.trim() !== "") {
        const c = Number(minCell.value);
        if (!Number.isInteger(c) || c < 1)
          out.push([minCell, "Enter a whole number of at least 1, or leave it empty to show every cell."]);
      }
      if (dpOn.checked) {
        const e = Number(epsilon.value);
        if (!Number.isFinite(e) || e < 0.001 || e > 100) out.push([epsilon, "Enter a number from 0.001 to 100."]);
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
  const countField = field(
    "Number of single-use links",
    count,
    "From 1 to 10,000. Send one to each person: each link can answer once. You can make more later.",
  );
  const closes = h("input", { type: "datetime-local", id: "closes-at" });
  const openNote = h(
    "div",
    { class: "notice", id: "open-link-note" },
    h(
      "p",
      {},
      h("strong", {}, "What an open link guarantees. "),
      "Anyone who has it can answer. Each browser answers once: the page refuses a second answer from the same browser before anything is sent. " +
        "It cannot stop one person from answering again from another browser, a private window or another device, or stop the link from being passed on.",
    ),
    h(
      "p",
      { id: "open-link-vote-advice" },
      "For a vote, or anything where one person must have one voice, choose single-use links and send one to each person.",
    ),
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
        h("legend", {}, "Participant links"),
        h(
          "div",
          { class: "choices" },
          h("label", { class: "choice" }, open, "One open link anyone can use (limited in rate)"),
          h("label", { class: "choice" }, single, "A list of single-use links: one answer per person"),
        ),
      ),
      openNote,
      countField,
      field(
        "Deadline (optional)",
        closes,
        `In your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}). Shown to participants; the server closes the session then. You can always close earlier.`,
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
        if (!Number.isInteger(n) || n < 1 || n > 10000)
          out.push([count, "Enter a whole number of links from 1 to 10,000."]);
      }
      if (closes.value) {
        const at = new Date(closes.value).getTime();
        if (!Number.isFinite(at)) out.push([closes, "Enter a date and time, or leave the deadline empty."]);
        else if (at <= Date.now() + 60_000)
          out.push([
            closes,
            "The deadline has already passed: choose a later time, or leave it empty. A session with a past deadline would be closed from the start.",
          ]);
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
  return (label ?? control.closest("label"))?.textContent.trim() || "This setting";
}

/**
 * The package's refusal of the options, without parser jargon: the checks
 * above catch what a person can get wrong, so what remains is said plainly
 * and the package's words stay in the details.
 */
function plainOptionsError(err) {
  if (err?.code !== "invalid_options") return err;
  const raw = String(err.message ?? "");
  const jargon = /invalid type|expected|line \d+ column \d+|missing field|unknown field/.test(raw);
  const text = jargon
    ? "A setting is missing or has the wrong kind of value (for example an empty number)."
    : raw.replace(/^session draft:\s*/, "");
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
    await m.save(keyName);
    const pub = m.publicKeys();
    members.push({ name: `Member ${i}`, x25519: pub.x25519, ed25519: pub.ed25519 });
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
    value: "Where should the new bench go?",
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
    h("legend", {}, "What do you want to run?"),
    h(
      "div",
      { class: "choices" },
      KINDS.map(([value, label, hint]) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name: kindName, value, checked: value === kind, id: `kind-${value}` }),
          h("span", {}, h("strong", {}, label), " ", h("span", { class: "small muted" }, hint)),
        ),
      ),
    ),
  );
  const builderBox = h("div", {});
  const policySection = h("section", { class: "card" }, h("h2", {}, "3. Privacy policy"), policy.element);
  const accessSection = h("section", { class: "card" }, h("h2", {}, "4. Participants and deadline"), access.element);

  const schema = () => builders[kind].read();
  let pending = false;
  const renderPreview = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      previewTitle.textContent = title.value || "Untitled";
      previewDescription.textContent = descriptionText();
      if (kind === "check") {
        preview.replaceChildren(
          h("p", {}, "A committee check takes no answers: its participant link shows only that."),
        );
        return;
      }
      try {
        preview.replaceChildren(answerForm(kind, schema(), { prefix: "preview" }).element);
      } catch {
        preview.replaceChildren(h("p", { class: "muted" }, "The preview appears when the questions are complete."));
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
    h("summary", {}, "Creation token (only if the relay's operator gave you one)"),
    field("Creation token", createToken, "64 hex digits. Leave empty on an open relay."),
  );
  const create = h("button", { type: "submit", class: "primary", id: "create" }, "Create the session");
  const committeeBox = h("section", { class: "card" }, h("h2", {}, "2. Committee"), committee.element);
  const form = h(
    "form",
    { novalidate: true, id: "create-form" },
    h(
      "section",
      { class: "card" },
      h("h2", {}, "1. What"),
      field("Title", title, "Up to 200 characters."),
      field(
        "Description (optional)",
        description,
        `What the session is for, shown to participants under the title. Up to ${num(MAX_DESCRIPTION)} characters; line breaks are kept.`,
      ),
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
  // Each setting that cannot be used is marked at its field, in plain
  // words, before anything is sent; the check runs again on every change
  // once the organizer has tried to create the session.
  let tried = false;
  const titleErrors = () => {
    const errors = [];
    if (!title.value.trim()) errors.push([title, "Give the session a title: participants see it first."]);
    const long = [...descriptionText()].length;
    if (long > MAX_DESCRIPTION)
      errors.push([
        description,
        `Shorten the description to at most ${num(MAX_DESCRIPTION)} characters (it has ${num(long)}).`,
      ]);
    return errors;
  };
  const validate = () => {
    clearFields(form);
    const errors = [
      ...titleErrors(),
      ...(builders[kind].errors?.() ?? []),
      ...committee.errors(),
      ...(kind === "check" ? [] : [...policy.errors(kind), ...access.errors()]),
    ];
    for (const [control, message] of errors) markField(control, message);
    committee.warn();
    return errors;
  };
  const recheck = () => {
    if (!tried) {
      clearFields(committeeBox);
      committee.warn();
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
          h("h2", {}, errors.length === 1 ? "One setting needs fixing" : `${errors.length} settings need fixing`),
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
    create.textContent = "Creating…";
    replace(feedback);
    const team = committee.read();
    let circle = null;
    try {
      if (!title.value.trim()) throw Object.assign(new Error("Give the session a title."), { code: "invalid_options" });
      if (!team.circle && !team.members.length)
        throw Object.assign(new Error("Add at least one committee member, or choose circle mode."), {
          code: "invalid_options",
        });
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
      replace(feedback, errorNotice(plainOptionsError(err)));
      feedback.querySelector("h2")?.setAttribute("tabindex", "-1");
      feedback.querySelector("h2")?.focus();
      create.disabled = false;
      create.textContent = "Create the session";
    }
  });

  replace(
    main,
    h("h1", {}, "Private votes, surveys and budgets"),
    h(
      "p",
      { class: "lead" },
      "Each answer is split and encrypted in the participant's browser. A small committee computes the result together; nobody, not even the server, sees an individual answer.",
    ),
    sessionsList(sotto),
    h("h2", {}, "Create a session"),
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
          h("p", { class: "preview-label", id: "preview-heading" }, "Live preview of the participant form"),
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
        "Copied from “",
        h("bdi", {}, draft.from),
        "”: check the settings, set a new deadline if you want one, and create the session.",
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
