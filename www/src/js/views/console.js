// Committee console: the member's key (generate, import, export, forget;
// kept in IndexedDB by the package) and, with a member link, joining the
// session and computing in a Web Worker with live progress.

import { h, replace, announce, field, copyButton, uid, markField, clearFields } from "../dom.js";
import { count } from "../format.js";
import { loadSotto, runMemberInWorker } from "../sotto.js";
import { errorNotice } from "../errors.js";
import { retrying, retryNotice } from "../retry.js";
import { download, readFile, slug } from "../download.js";
import { renderResultSummary } from "./outcome.js";
import { memberFailure, computingClock } from "../committee-wait.js";

/** `{name, x25519, ed25519, fingerprint}`: what the member sends the organizer. */
export function publicJson(name, member) {
  return { name, ...member.publicKeys() };
}

async function storedKeys(sotto) {
  const names = await sotto.CommitteeMember.stored();
  const keys = [];
  for (const name of names.sort()) {
    const member = await sotto.CommitteeMember.load(name);
    if (member) keys.push({ name, keys: member.publicKeys(), member });
  }
  return keys;
}

function keyForms(sotto, onSaved) {
  const feedback = h("div", { "aria-live": "polite" });
  const show = (node) => replace(feedback, node);

  const nameInput = h("input", { type: "text", autocomplete: "name", maxlength: 64, id: "member-name" });
  const generate = h(
    "form",
    { class: "stack", novalidate: true },
    h("h3", {}, "Generate a new key"),
    field(
      "Your name, as participants will see it",
      nameInput,
      "It is stored with the key and sent to the organizer with your public keys.",
    ),
    h("button", { type: "submit", class: "primary" }, "Generate key"),
  );
  generate.addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      nameInput.setAttribute("aria-invalid", "true");
      show(h("p", { class: "error-text" }, "Enter a name first."));
      nameInput.focus();
      return;
    }
    nameInput.removeAttribute("aria-invalid");
    try {
      if ((await sotto.CommitteeMember.stored()).includes(name))
        throw Object.assign(new Error(`a key named "${name}" already exists`), { code: "storage" });
      const member = sotto.CommitteeMember.generate();
      await member.save(name);
      show(h("p", { class: "ok-text" }, `Key "${name}" generated and stored in this browser.`));
      onSaved(name);
    } catch (err) {
      show(errorNotice(err));
    }
  });

  const fileInput = h("input", { type: "file", accept: ".sotto-key,application/octet-stream" });
  const passInput = h("input", { type: "password", autocomplete: "current-password" });
  const importName = h("input", { type: "text", maxlength: 64 });
  const imported = h(
    "form",
    { class: "stack", novalidate: true },
    h("h3", {}, "Import a key file"),
    field("Key file", fileInput, "A file exported from this console or made with `sotto keygen`."),
    field("Passphrase", passInput),
    field("Your name, as participants will see it", importName),
    h("button", { type: "submit" }, "Import key"),
  );
  imported.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = fileInput.files?.[0];
    const name = importName.value.trim();
    if (!file || !name) {
      show(h("p", { class: "error-text" }, "Choose a key file and enter your name."));
      return;
    }
    try {
      show(h("p", {}, "Unlocking the key file (this takes a few seconds)…"));
      const member = sotto.CommitteeMember.fromKeyFile(await readFile(file, "bytes"), passInput.value);
      await member.save(name);
      passInput.value = "";
      show(h("p", { class: "ok-text" }, `Key "${name}" imported.`));
      onSaved(name);
    } catch (err) {
      show(errorNotice(err));
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "new-key-heading" },
    h("h2", { id: "new-key-heading" }, "Add a key"),
    generate,
    h("hr"),
    imported,
    feedback,
  );
}

function keyDetails(sotto, entry, onForget) {
  const json = JSON.stringify(publicJson(entry.name, entry.member), null, 2);
  const area = h("textarea", { class: "mono", readonly: true, rows: 6, id: "public-keys" }, json);
  const pass = h("input", { type: "password", autocomplete: "new-password", minlength: 8, id: "export-passphrase" });
  const feedback = h("div", { "aria-live": "polite" });
  const exportKey = h("button", { type: "button" }, "Export key file");
  exportKey.addEventListener("click", () => {
    clearFields(backup);
    replace(feedback);
    const length = [...pass.value].length;
    if (length < 8) {
      markField(
        pass,
        length === 0
          ? "Choose a passphrase of at least 8 characters: it protects the key file."
          : `The passphrase is too short: at least 8 characters (this one has ${length}).`,
      );
      pass.focus();
      return;
    }
    try {
      replace(feedback, h("p", {}, "Encrypting the key file…"));
      const bytes = entry.member.toKeyFile(pass.value);
      download(`${slug(entry.name)}.sotto-key`, bytes);
      pass.value = "";
      replace(
        feedback,
        h(
          "p",
          { class: "ok-text" },
          "Key file saved. Keep it and its passphrase safe: together they are your committee identity.",
        ),
      );
    } catch (err) {
      replace(feedback, errorNotice(err));
    }
  });
  const backup = h(
    "details",
    {},
    h("summary", {}, "Back up or remove this key"),
    field("Passphrase for the key file (at least 8 characters)", pass),
    h("div", { class: "button-row" }, exportKey),
    feedback,
  );
  const forget = h("button", { type: "button", class: "danger" }, "Forget this key");
  forget.addEventListener("click", async () => {
    if (forget.dataset.confirm !== "1") {
      forget.dataset.confirm = "1";
      forget.textContent = "Really forget? Click again";
      return;
    }
    await sotto.CommitteeMember.forget(entry.name);
    onForget();
  });
  backup.querySelector(".button-row").append(forget);
  return h(
    "div",
    { class: "stack" },
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, "Name"),
      h("dd", {}, entry.name),
      h("dt", {}, "Fingerprint"),
      h("dd", { class: "fingerprint", id: "my-fingerprint" }, entry.keys.fingerprint),
    ),
    h(
      "p",
      {},
      "Send these public keys to the organizer (they contain nothing secret), and read your fingerprint to them by phone or in person so they can check it:",
    ),
    field("Public keys for the organizer", area),
    h(
      "div",
      { class: "button-row" },
      copyButton(() => json, "Copy public keys"),
    ),
    backup,
  );
}

const STAGES = [
  ["connected", "Connected to the session"],
  ["collecting", "Receiving encrypted submissions"],
  ["computing", "Computing with the other members"],
  ["published", "Result signed and published"],
];

// A committee check takes no answers: its steps say so.
const CHECK_TEXTS = {
  collecting: "Waiting for the organizer to start the check",
  computing: "Running the check with the other members",
};

function progressList(check = false) {
  const items = STAGES.map(([stage, text]) => h("li", { dataset: { stage } }, (check && CHECK_TEXTS[stage]) || text));
  const list = h("ol", { class: "steps" }, items);
  const detail = h("p", { id: "member-status", "aria-live": "polite" });
  const note = h("p", { class: "small muted" });
  const waiting = computingClock();
  // The step that is under way once each stage is reported.
  const ACTIVE = { connected: 1, collecting: 1, computing: 2, published: 4 };
  const update = (p) => {
    if (p.stage === "reconnecting") {
      note.textContent = `Reconnected to the server at ${new Date().toLocaleTimeString()} to check for new messages.`;
      return;
    }
    if (p.stage === "dropped") {
      note.textContent = `Member ${p.members.join(", ")} did not answer in time: computing again without ${p.members.length === 1 ? "it" : "them"}.`;
      return;
    }
    const active = ACTIVE[p.stage];
    if (active === undefined) return;
    items.forEach((li, i) => {
      li.className = i < active ? "done" : i === active ? "active" : "";
    });
    const n = p.submissions;
    const subs = count(n, "submission");
    if (check) {
      if (p.stage === "connected" || p.stage === "collecting")
        detail.textContent = "Connected. Waiting for the organizer to start the committee check; keep this tab open.";
      if (p.stage === "computing") detail.textContent = "The check has started: computing with the other members.";
    } else {
      if (p.stage === "connected")
        detail.textContent = `Connected as member ${p.member}. Waiting for submissions; keep this tab open.`;
      if (p.stage === "collecting")
        detail.textContent = `${subs} received. Waiting for the organizer to close the session.`;
      if (p.stage === "computing")
        detail.textContent = `The session is closed: computing on ${subs} with the other members.`;
    }
    if (p.stage === "published") detail.textContent = "Done: the result is signed and published.";
    if (p.stage === "computing") waiting.start();
    else waiting.stop();
    detail.dataset.stage = p.stage;
  };
  return { element: h("div", {}, list, detail, waiting.element, note), update, stop: () => waiting.stop() };
}

function sessionPanel(sotto, link, selected) {
  const box = h(
    "section",
    { class: "card", "aria-labelledby": "session-heading" },
    h("h2", { id: "session-heading" }, "Session"),
  );
  const status = h("div");
  box.append(status, h("p", {}, "Loading the session…"));
  retrying(() => sotto.Participant.open(link), retryNotice(status, "retry.reachServer"))
    .then((session) => {
      const committee = session.committee();
      const mine = selected && committee.find((m) => m.fingerprint === selected.keys.fingerprint);
      const progress = progressList(session.kind === "check");
      const join = h(
        "button",
        { type: "button", class: "primary", id: "join", disabled: !selected },
        "Join and compute",
      );
      const outcomeBox = h("div");
      const warning = !selected
        ? h(
            "div",
            { class: "notice warn", id: "key-missing" },
            h(
              "p",
              {},
              h("strong", {}, "This browser holds no committee key. "),
              "Open this member link on the device and in the browser where you made your key (or imported your key file): the key never leaves that browser.",
            ),
            h(
              "p",
              {},
              "If your key is in a key file, import it under “Add a key” on this page, then come back to this link.",
            ),
          )
        : mine
          ? h(
              "p",
              { class: "notice ok" },
              "Your key “",
              h("bdi", {}, selected.name),
              `” is member ${mine.index} (`,
              h("bdi", {}, mine.name),
              ") of this committee.",
            )
          : h(
              "div",
              { class: "notice warn", id: "key-missing" },
              h("p", {}, "The selected key “", h("bdi", {}, selected.name), "” is not in this session's committee."),
              h(
                "p",
                {},
                committee.length ? `This link is for one of: ${committee.map((m) => m.name).join(", ")}. ` : "",
                "If you have several keys, choose the one you gave the organizer under “Your key”. If your key is on another device or in another browser, open this link there.",
              ),
            );
      join.addEventListener("click", async () => {
        join.disabled = true;
        join.textContent = "Running…";
        const leave = (e) => {
          e.preventDefault();
          e.returnValue = "";
        };
        window.addEventListener("beforeunload", leave);
        try {
          const outcome = await runMemberInWorker(link, selected.name, progress.update);
          progress.update({ stage: "published" });
          replace(outcomeBox, renderResultSummary(session, outcome));
          announce("The result is published.");
          join.textContent = "Finished";
        } catch (err) {
          progress.stop();
          replace(outcomeBox, memberFailure(err, committee));
          join.disabled = false;
          join.textContent = "Join again";
        } finally {
          window.removeEventListener("beforeunload", leave);
        }
      });
      replace(
        box,
        h("h2", { id: "session-heading", dir: "auto" }, session.title),
        h(
          "p",
          {},
          `A ${session.kind === "check" ? "committee check" : session.kind} with ${count(committee.length, "committee member")}; ${session.threshold + 1} of them must sign the result.`,
        ),
        h(
          "ol",
          { class: "committee-list" },
          committee.map((m) =>
            h(
              "li",
              {},
              h("strong", {}, h("bdi", {}, m.name)),
              " ",
              h("span", { class: "fingerprint small" }, m.fingerprint),
            ),
          ),
        ),
        warning,
        h(
          "p",
          {},
          "Joining runs the computation in a background worker. Keep this tab open until the result is published: the committee needs its members online to compute.",
        ),
        h("div", { class: "button-row" }, join),
        progress.element,
        outcomeBox,
      );
    })
    .catch((err) => replace(box, h("h2", { id: "session-heading" }, "Session"), errorNotice(err)));
  return box;
}

/** Renders the committee console; `link` is a member link or null. */
export async function consoleView(main, link) {
  replace(main, h("h1", {}, "Committee console"), h("p", {}, "Loading your keys…"));
  const sotto = await loadSotto();
  let chosen = null;
  const render = async () => {
    let keys = [];
    let storageError = null;
    try {
      keys = await storedKeys(sotto);
    } catch (err) {
      storageError = err;
    }
    if (link && !chosen && keys.length) {
      // Pick the stored key that belongs to this session's committee, if any.
      try {
        const s = await sotto.Participant.open(link);
        const fps = new Set(s.committee().map((m) => m.fingerprint));
        chosen = keys.find((k) => fps.has(k.keys.fingerprint))?.name ?? null;
      } catch {
        /* the session panel shows the error */
      }
    }
    if (!keys.some((k) => k.name === chosen)) chosen = keys[0]?.name ?? null;
    const selected = keys.find((k) => k.name === chosen) ?? null;
    const radioName = uid("key");
    const picker = keys.length
      ? h(
          "fieldset",
          {},
          h("legend", {}, "Your keys in this browser"),
          h(
            "div",
            { class: "choices" },
            keys.map((k) =>
              h(
                "label",
                { class: "choice" },
                h("input", {
                  type: "radio",
                  name: radioName,
                  value: k.name,
                  checked: k.name === chosen,
                  onchange: () => {
                    chosen = k.name;
                    render();
                  },
                }),
                h("span", {}, k.name, " ", h("span", { class: "fingerprint small muted" }, k.keys.fingerprint)),
              ),
            ),
          ),
        )
      : h("p", {}, "No key in this browser yet: generate one below, or import your key file.");
    replace(
      main,
      h("h1", {}, "Committee console"),
      h(
        "p",
        { class: "lead" },
        "Committee members hold the keys that the answers are encrypted to. Together they compute the result without seeing any individual answer.",
      ),
      storageError ? errorNotice(storageError) : null,
      h(
        "div",
        { class: "grid-2" },
        h(
          "div",
          {},
          link ? sessionPanel(sotto, link, selected) : null,
          h(
            "section",
            { class: "card", "aria-labelledby": "key-heading" },
            h("h2", { id: "key-heading" }, "Your key"),
            picker,
            selected
              ? keyDetails(sotto, selected, () => {
                  chosen = null;
                  render();
                })
              : null,
          ),
        ),
        keyForms(sotto, (name) => {
          chosen = name;
          render();
        }),
      ),
    );
  };
  await render();
}
