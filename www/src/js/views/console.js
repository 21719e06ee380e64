// Committee console: the member's key (generate, import, export, forget;
// kept in IndexedDB by the package) and, with a member link, joining the
// session and computing in a Web Worker with live progress.

import { h, replace, announce, field, copyButton, filePicker, uid, markField, clearFields } from "../dom.js";
import { clock } from "../format.js";
import { t } from "../i18n/index.js";
import { loadConsoleModule } from "../console-module.js";
import { runMemberInWorker } from "../member-runner.js";
import { memberPresence } from "../presence.js";
import { errorNotice } from "../errors.js";
import { retrying, retryNotice } from "../retry.js";
import { download, readFile, slug } from "../download.js";
import { renderResultSummary } from "./outcome.js";
import { memberFailure, computingClock } from "../committee-wait.js";

/** `{name, x25519, ed25519, fingerprint}`: what the member sends the organizer. */
export function publicJson(name, member) {
  return { name, ...member.publicKeys() };
}

/**
 * The stored keys, each loaded; a record that does not open is reported
 * in `failed` (with its error) and the others are still listed.
 */
async function storedKeys(sotto) {
  const names = await sotto.CommitteeMember.stored();
  const keys = [];
  const failed = [];
  // An organizer's circle keys belong to its session's page, not here.
  for (const name of names.filter((n) => !n.startsWith(CIRCLE)).sort()) {
    try {
      const member = await sotto.CommitteeMember.load(name);
      if (member) keys.push({ name, keys: member.publicKeys(), member });
    } catch (err) {
      failed.push(err);
    }
  }
  return { keys, failed };
}

/** The names of an organizer's circle keys (views/create.js). */
const CIRCLE = "circle-";

/**
 * Resolves after the browser painted, before Argon2 blocks the page for a
 * second or two (at most 100 ms later: a hidden tab paints no frame).
 */
const painted = () =>
  new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });

/**
 * Why `name` cannot name a new key (a stored key may have no other copy:
 * never write over it), or null.
 */
async function nameTaken(sotto, name) {
  if (name.startsWith(CIRCLE)) return t("console.reserved", { prefix: CIRCLE });
  return (await sotto.CommitteeMember.stored()).includes(name) ? t("console.exists", { name }) : null;
}

/** The text of a key error: a wrong passphrase or another key's file, in the page's language. */
const keyMessage = (err) => (err?.code === "bad_key" ? t("console.badPassphrase") : err?.message);

function keyForms(sotto, onSaved) {
  const feedback = h("div", { "aria-live": "polite" });
  const show = (node) => replace(feedback, node);

  const nameInput = h("input", { type: "text", autocomplete: "name", maxlength: 64, id: "member-name" });
  const genPass = h("input", {
    type: "password",
    autocomplete: "new-password",
    minlength: 8,
    id: "generate-passphrase",
  });
  const generate = h(
    "form",
    { class: "stack", novalidate: true },
    h("h3", {}, t("console.generate")),
    field(t("console.name"), nameInput, t("console.nameHint")),
    field(t("console.keyPass"), genPass, t("console.keyPassHint")),
    h("button", { type: "submit", class: "primary" }, t("console.generateButton")),
  );
  generate.addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      nameInput.setAttribute("aria-invalid", "true");
      show(h("p", { class: "error-text" }, t("console.nameFirst")));
      nameInput.focus();
      return;
    }
    nameInput.removeAttribute("aria-invalid");
    clearFields(generate);
    const length = [...genPass.value].length;
    if (length < 8) {
      markField(genPass, length === 0 ? t("console.passEmpty") : t("console.passShort", { length }));
      genPass.focus();
      return;
    }
    const button = generate.querySelector("button");
    button.disabled = true;
    let member;
    try {
      const taken = await nameTaken(sotto, name);
      if (taken) {
        markField(nameInput, taken);
        nameInput.focus();
        return;
      }
      show(h("p", {}, t("console.protecting")));
      await painted();
      member = sotto.CommitteeMember.generate();
      await member.saveProtected(name, genPass.value);
      genPass.value = "";
      show(h("p", { class: "ok-text" }, t("console.generated", { name })));
      onSaved(name);
    } catch (err) {
      show(errorNotice(err));
    } finally {
      member?.free();
      button.disabled = false;
    }
  });

  const fileInput = h("input", { type: "file", accept: ".sotto-key,application/octet-stream" });
  const passInput = h("input", { type: "password", autocomplete: "current-password" });
  const importName = h("input", { type: "text", maxlength: 64 });
  const imported = h(
    "form",
    { class: "stack", novalidate: true },
    h("h3", {}, t("console.importHeading")),
    field(t("console.keyFile"), filePicker(fileInput), t("console.keyFileHint")),
    field(t("console.passphrase"), passInput),
    field(t("console.name"), importName),
    h("button", { type: "submit" }, t("console.importButton")),
  );
  imported.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = fileInput.files?.[0];
    const name = importName.value.trim();
    if (!file || !name) {
      show(h("p", { class: "error-text" }, t("console.fileAndName")));
      return;
    }
    const button = imported.querySelector("button");
    button.disabled = true;
    clearFields(imported);
    let member;
    try {
      const taken = await nameTaken(sotto, name);
      if (taken) {
        markField(importName, taken);
        importName.focus();
        return;
      }
      show(h("p", {}, t("console.unlocking")));
      const bytes = await readFile(file, "bytes");
      await painted();
      member = sotto.CommitteeMember.fromKeyFile(bytes, passInput.value);
      await member.save(name);
      passInput.value = "";
      show(h("p", { class: "ok-text" }, t("console.imported", { name })));
      onSaved(name);
    } catch (err) {
      if (err?.code === "bad_key") {
        feedback.replaceChildren();
        markField(passInput, keyMessage(err));
        passInput.focus();
      } else show(errorNotice(err));
    } finally {
      member?.free();
      button.disabled = false;
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "new-key-heading" },
    h("h2", { id: "new-key-heading" }, t("console.addKey")),
    generate,
    h("hr"),
    imported,
    feedback,
  );
}

/** The selected key; `onChange(forgotten)` after it was protected or forgotten. */
function keyDetails(sotto, entry, onChange) {
  const json = JSON.stringify(publicJson(entry.name, entry.member), null, 2);
  const area = h("textarea", { class: "mono", readonly: true, rows: 6, id: "public-keys" }, json);
  const feedback = h("div", { "aria-live": "polite" });
  const kept = entry.member.storage;
  const file = () => download(`${slug(entry.name)}.sotto-key`, entry.member.exportKeyFile());
  let exportPart;
  if (entry.member.hasKeyFile) {
    // A stored key exports the key file kept with it: its secret cannot be read.
    const button = h("button", { type: "button", id: "export-key" }, t("console.downloadKey"));
    button.addEventListener("click", () => {
      try {
        file();
        replace(feedback, h("p", { class: "ok-text" }, t("console.saved")));
      } catch (err) {
        replace(feedback, errorNotice(err));
      }
    });
    exportPart = [h("p", { class: "small" }, t("console.downloadHint")), h("div", { class: "button-row" }, button)];
  } else if (kept === "sealed") {
    // A key of an earlier version: protect it with a passphrase, which
    // stores it again where no script can read it, then download its file.
    const pass = h("input", { type: "password", autocomplete: "new-password", minlength: 8, id: "export-passphrase" });
    const button = h("button", { type: "button", id: "export-key" }, t("console.protect"));
    button.addEventListener("click", async () => {
      clearFields(backup);
      replace(feedback);
      const length = [...pass.value].length;
      if (length < 8) {
        markField(pass, length === 0 ? t("console.passEmpty") : t("console.passShort", { length }));
        pass.focus();
        return;
      }
      try {
        button.disabled = true;
        replace(feedback, h("p", {}, t("console.protecting")));
        await painted();
        await entry.member.saveProtected(entry.name, pass.value);
        pass.value = "";
        file();
        // The same key, now unreadable: its notice says so.
        onChange(false);
      } catch (err) {
        button.disabled = false;
        replace(feedback, errorNotice(err));
      }
    });
    exportPart = [field(t("console.exportPass"), pass), h("div", { class: "button-row" }, button)];
  } else {
    exportPart = [
      h("p", { class: "small", id: "no-backup" }, t("console.noBackup")),
      h("div", { class: "button-row" }),
    ];
  }
  // A key of an earlier version opens at its passphrase field.
  const backup = h(
    "details",
    { open: kept === "sealed" },
    h("summary", {}, t("console.backup")),
    ...exportPart,
    feedback,
  );
  const forget = h("button", { type: "button", class: "danger" }, t("console.forget"));
  forget.addEventListener("click", async () => {
    if (forget.dataset.confirm !== "1") {
      forget.dataset.confirm = "1";
      forget.textContent = t("console.forgetConfirm");
      return;
    }
    try {
      await sotto.CommitteeMember.forget(entry.name);
      onChange(true);
    } catch (err) {
      replace(feedback, errorNotice(err));
    }
  });
  backup.querySelector(".button-row").append(forget);
  return h(
    "div",
    { class: "stack" },
    h(
      "dl",
      { class: "kv" },
      h("dt", {}, t("console.nameLabel")),
      h("dd", {}, entry.name),
      h("dt", {}, t("console.fingerprint")),
      h("dd", { class: "fingerprint", id: "my-fingerprint" }, entry.keys.fingerprint),
    ),
    h(
      "p",
      { class: kept === "sealed" ? "notice warn" : "small", id: "key-storage", dataset: { storage: kept } },
      t(`console.kept.${kept}`),
    ),
    h("p", {}, t("console.sendKeys")),
    field(t("console.publicKeys"), area),
    h(
      "div",
      { class: "button-row" },
      copyButton(() => json, t("console.copyKeys")),
    ),
    backup,
  );
}

const STAGES = ["connected", "collecting", "computing", "published"];

/** How often the console asks who is connected before the member joins (as the worker does once joined). */
const PRESENCE_EVERY = 3000;

function progressList(check = false) {
  // A committee check takes no answers: its steps say so.
  const items = STAGES.map((stage) =>
    h(
      "li",
      { dataset: { stage } },
      t(
        check && (stage === "collecting" || stage === "computing") ? `console.check.${stage}` : `console.step.${stage}`,
      ),
    ),
  );
  const list = h("ol", { class: "steps" }, items);
  const detail = h("p", { id: "member-status", "aria-live": "polite" });
  const note = h("p", { class: "small muted" });
  const waiting = computingClock();
  // The step that is under way once each stage is reported.
  const ACTIVE = { connected: 1, collecting: 1, computing: 2, published: 4 };
  const update = (p) => {
    if (p.stage === "reconnecting") {
      note.textContent = t("console.reconnected", { time: clock() });
      return;
    }
    if (p.stage === "dropped") {
      note.textContent = t("console.dropped", { members: p.members.join(", "), n: p.members.length });
      return;
    }
    const active = ACTIVE[p.stage];
    if (active === undefined) return;
    items.forEach((li, i) => {
      li.className = i < active ? "done" : i === active ? "active" : "";
    });
    const n = p.submissions;
    if (check) {
      if (p.stage === "connected" || p.stage === "collecting") detail.textContent = t("console.d.checkWaiting");
      if (p.stage === "computing") detail.textContent = t("console.d.checkStarted");
    } else {
      if (p.stage === "connected") detail.textContent = t("console.d.connected", { member: p.member });
      if (p.stage === "collecting") detail.textContent = t("console.d.collecting", { n });
      if (p.stage === "computing") detail.textContent = t("console.d.computing", { n });
    }
    if (p.stage === "published") detail.textContent = t("console.d.published");
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
    h("h2", { id: "session-heading" }, t("console.session")),
  );
  const status = h("div");
  box.append(status, h("p", {}, t("console.loadingSession")));
  retrying(() => sotto.Participant.open(link), retryNotice(status, "retry.reachServer"))
    .then((session) => {
      const committee = session.committee();
      const mine = selected && committee.find((m) => m.fingerprint === selected.keys.fingerprint);
      const progress = progressList(session.kind === "check");
      const presence = memberPresence(committee);
      const heard = (p) => {
        progress.update(p);
        presence.update(p);
      };
      const join = h(
        "button",
        { type: "button", class: "primary", id: "join", disabled: !selected },
        t("console.join"),
      );
      const outcomeBox = h("div");
      // A key kept only as its key file is unlocked with its passphrase.
      const locked = selected?.member.storage === "passphrase";
      const unlockPass = h("input", { type: "password", autocomplete: "current-password", id: "unlock-passphrase" });
      const unlock = locked ? field(t("console.unlockPass"), unlockPass, t("console.unlockFirst")) : null;
      const warning = !selected
        ? h(
            "div",
            { class: "notice warn", id: "key-missing" },
            h("p", {}, h("strong", {}, t("console.noKey")), t("console.noKeyBody")),
            h("p", {}, t("console.noKeyFile")),
          )
        : mine
          ? h(
              "p",
              { class: "notice ok" },
              t("console.yourKey"),
              h("bdi", {}, selected.name),
              t("console.isMember", { index: mine.index }),
              h("bdi", {}, mine.name),
              t("console.ofCommittee"),
            )
          : h(
              "div",
              { class: "notice warn", id: "key-missing" },
              h("p", {}, t("console.selectedKey"), h("bdi", {}, selected.name), t("console.notInCommittee")),
              h(
                "p",
                {},
                committee.length ? t("console.linkFor", { names: committee.map((m) => m.name).join(", ") }) : "",
                t("console.severalKeys"),
              ),
            );
      // Before joining, the page asks the relay itself who is connected
      // (without counting as this member: the worker's connection does
      // that once joined, and its reports take over).
      let watching = true;
      const watch = async () => {
        if (!watching || (shown && !box.isConnected)) return;
        try {
          presence.fromRelay(await session.linkState());
        } catch {
          /* the next poll tries again; the list keeps the last answer */
        }
        if (watching) setTimeout(watch, PRESENCE_EVERY);
      };
      let shown = false;
      watch();
      join.addEventListener("click", async () => {
        // A key kept only as its key file: unlocked first, at its field.
        let secret;
        if (locked) {
          clearFields(box);
          if (!unlockPass.value) {
            markField(unlockPass, t("console.unlockFirst"));
            unlockPass.focus();
            return;
          }
          join.disabled = true;
          await painted();
          try {
            secret = selected.member.unlock(unlockPass.value);
          } catch (err) {
            join.disabled = false;
            markField(unlockPass, keyMessage(err));
            unlockPass.focus();
            return;
          } finally {
            unlockPass.value = "";
          }
        }
        watching = false;
        join.disabled = true;
        join.textContent = t("console.running");
        const leave = (e) => {
          e.preventDefault();
          e.returnValue = "";
        };
        window.addEventListener("beforeunload", leave);
        try {
          const outcome = await runMemberInWorker(link, selected.name, heard, secret);
          heard({ stage: "published" });
          replace(outcomeBox, renderResultSummary(session, outcome));
          announce(t("console.publishedAnnounce"));
          join.textContent = t("console.finished");
        } catch (err) {
          progress.stop();
          replace(outcomeBox, memberFailure(err, committee));
          join.disabled = false;
          join.textContent = t("console.joinAgain");
        } finally {
          // Moved to the worker (detached: no bytes left here) or never
          // sent: wipe what is left.
          if (secret?.byteLength) secret.fill(0);
          window.removeEventListener("beforeunload", leave);
        }
      });
      replace(
        box,
        h("h2", { id: "session-heading", dir: "auto" }, session.title),
        h(
          "p",
          {},
          t("console.sessionLine", {
            kind: t(`kind.${session.kind}`),
            n: committee.length,
            sign: session.threshold + 1,
          }),
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
        h("p", {}, t("console.joinBody")),
        unlock,
        h("div", { class: "button-row" }, join),
        progress.element,
        presence.element,
        outcomeBox,
      );
      shown = true;
    })
    .catch((err) => replace(box, h("h2", { id: "session-heading" }, t("console.session")), errorNotice(err)));
  return box;
}

/** Renders the committee console; `link` is a member link or null. */
export async function consoleView(main, link) {
  replace(main, h("h1", {}, t("shell.console")), h("p", {}, t("console.loadingKeys")));
  const sotto = await loadConsoleModule();
  let chosen = null;
  const render = async () => {
    const { keys, failed: storageErrors } = await storedKeys(sotto).catch((err) => ({ keys: [], failed: [err] }));
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
          h("legend", {}, t("console.yourKeys")),
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
      : h("p", {}, t("console.noKeys"));
    replace(
      main,
      h("h1", {}, t("shell.console")),
      h("p", { class: "lead" }, t("console.lead")),
      storageErrors.map((err) => errorNotice(err)),
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
            h("h2", { id: "key-heading" }, t("console.yourKeyHeading")),
            picker,
            selected
              ? keyDetails(sotto, selected, (forgotten) => {
                  if (forgotten) chosen = null;
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
