// Committee set-up: members' public keys pasted as JSON from their
// consoles (fingerprints recomputed here), or "circle mode", where this
// browser makes every member key for a demo. Plus the privacy threshold.

import { h, field, announce, uid, markField } from "../dom.js";
import { t } from "../i18n/index.js";
import { fingerprintOf, isKeyHex } from "../fingerprint.js";
import { intOf, select, showIf } from "./inputs.js";

/** Parses pasted JSON: one member object or an array of them. */
async function parseMembers(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(t("committee.notJson"));
  }
  const list = Array.isArray(value) ? value : [value];
  const out = [];
  for (const m of list) {
    if (!m || typeof m.name !== "string" || !m.name.trim()) throw new Error(t("committee.needName"));
    if (!isKeyHex(m.x25519) || !isKeyHex(m.ed25519)) throw new Error(t("committee.badKeys", { name: m.name }));
    const fp = await fingerprintOf(m.x25519, m.ed25519);
    if (fp && m.fingerprint && fp !== m.fingerprint) throw new Error(t("committee.badFingerprint", { name: m.name }));
    out.push({
      name: m.name.trim(),
      x25519: m.x25519.toLowerCase(),
      ed25519: m.ed25519.toLowerCase(),
      fingerprint: fp ?? m.fingerprint ?? t("committee.notChecked"),
    });
  }
  return out;
}

/**
 * The privacy/dropout trade-off of n members and threshold t, in words:
 * the committee finishes while 2t + 1 members are online, so any
 * n − (2t + 1) may be offline, and any t may cheat or collude without
 * learning anything or changing the result unnoticed.
 */
export function tradeOff(n, threshold) {
  return t(threshold === 0 ? "committee.tradeOff0" : "committee.tradeOff", {
    n,
    t: threshold,
    offline: Math.max(0, n - (2 * threshold + 1)),
  });
}

export function committeeSetup() {
  const members = [];
  const element = h("div", { class: "stack" });
  const changed = () => element.dispatchEvent(new Event("input", { bubbles: true }));
  const modeName = uid("mode");
  const pasteMode = h("input", { type: "radio", name: modeName, value: "paste", checked: true });
  const circleMode = h("input", { type: "radio", name: modeName, value: "circle" });

  // Paste mode
  const paste = h("textarea", {
    class: "mono",
    rows: 5,
    id: "member-json",
    placeholder: '{"name": "Ada", "x25519": "…", "ed25519": "…", "fingerprint": "…"}',
  });
  const pasteError = h("p", { class: "validation error", "aria-live": "assertive" });
  const cards = h("div", { id: "member-cards" });
  const renderCards = () => {
    cards.replaceChildren(
      ...members.map((m, i) =>
        h(
          "div",
          { class: "member-card" },
          h(
            "div",
            {},
            h("strong", {}, `${i + 1}. ${m.name}`),
            h("br"),
            h("span", { class: "fingerprint small" }, m.fingerprint),
          ),
          h(
            "button",
            {
              type: "button",
              class: "small danger",
              "aria-label": t("committee.remove", { name: m.name }),
              onclick: () => {
                members.splice(i, 1);
                renderCards();
                syncThreshold();
                changed();
              },
            },
            t("survey.removeButton"),
          ),
        ),
      ),
    );
    if (!members.length) cards.append(h("p", { class: "muted" }, t("committee.none")));
  };
  const addButton = h("button", { type: "button", id: "add-member" }, t("committee.add"));
  addButton.addEventListener("click", async () => {
    pasteError.textContent = "";
    paste.removeAttribute("aria-invalid");
    try {
      const parsed = await parseMembers(paste.value);
      for (const m of parsed) {
        if (members.some((x) => x.name === m.name)) throw new Error(t("committee.dupName", { name: m.name }));
        if (members.some((x) => x.x25519 === m.x25519)) throw new Error(t("committee.dupKeys", { name: m.name }));
      }
      members.push(...parsed);
      paste.value = "";
      renderCards();
      syncThreshold();
      changed();
      announce(t("committee.added", { names: parsed.map((m) => m.name).join(", ") }));
    } catch (err) {
      pasteError.textContent = err.message;
      paste.setAttribute("aria-invalid", "true");
    }
  });
  const pasteBox = h(
    "div",
    { class: "stack" },
    h(
      "p",
      {},
      t("committee.pasteBefore"),
      h("a", { href: "#console", target: "_blank" }, t("committee.consoleLink")),
      t("committee.pasteAfter"),
    ),
    field(t("committee.paste"), paste, t("committee.pasteHint")),
    pasteError,
    h("div", { class: "button-row" }, addButton),
    cards,
  );

  // Circle mode
  const circleCount = h("input", { type: "number", min: 1, max: 31, step: 1, value: "3", id: "circle-count" });
  const circleBox = h(
    "div",
    { class: "stack" },
    h("div", { class: "notice warn" }, h("p", {}, h("strong", {}, t("committee.tryOnly")), t("committee.tryOnlyBody"))),
    field(t("committee.count"), circleCount, t("committee.countHint")),
  );

  // Threshold
  const threshold = select([["0", "0"]], "0");
  threshold.id = "threshold";
  const thresholdHint = h("p", { class: "small muted", id: "threshold-hint" });
  const count = () => (circleMode.checked ? Math.max(1, intOf(circleCount, 3)) : members.length);
  function syncThreshold() {
    const n = count();
    const maxT = Math.max(0, Math.floor((n - 1) / 2));
    const keep = Math.min(intOf(threshold, maxT), maxT);
    const wasDefault = threshold.dataset.touched !== "1";
    threshold.replaceChildren(
      ...Array.from({ length: maxT + 1 }, (_, k) => h("option", { value: String(k) }, String(k))),
    );
    threshold.value = String(wasDefault ? maxT : keep);
    thresholdHint.textContent = n ? tradeOff(n, Number(threshold.value)) : t("committee.addFirst");
  }
  threshold.addEventListener("change", () => {
    threshold.dataset.touched = "1";
    syncThreshold();
  });
  circleCount.addEventListener("input", syncThreshold);

  const syncMode = () => {
    showIf(pasteBox, pasteMode.checked);
    showIf(circleBox, circleMode.checked);
    syncThreshold();
  };
  pasteMode.addEventListener("change", syncMode);
  circleMode.addEventListener("change", syncMode);

  element.append(
    h(
      "fieldset",
      {},
      h("legend", {}, t("committee.who")),
      h(
        "div",
        { class: "choices" },
        h("label", { class: "choice" }, pasteMode, t("committee.pasteMode")),
        h("label", { class: "choice" }, circleMode, t("committee.circleMode")),
      ),
    ),
    pasteBox,
    circleBox,
    field(t("committee.threshold"), threshold, t("committee.thresholdHint")),
    thresholdHint,
  );
  renderCards();
  syncMode();

  return {
    element,
    /** `[control, message]` for settings that cannot be used. */
    errors: () => {
      const n = count();
      const k = Number(threshold.value);
      if (n >= 1 && n < 2 * k + 1) return [[threshold, t("committee.err.tooFew", { t: k, n })]];
      if (circleMode.checked) {
        const c = Number(circleCount.value);
        return Number.isInteger(c) && c >= 1 && c <= 31 ? [] : [[circleCount, t("committee.err.count")]];
      }
      return members.length ? [] : [[paste, t("committee.err.none")]];
    },
    /** Fills the committee from a manifest's (duplicating a session): the same members, or circle mode with as many. */
    load: async ({ members: list, threshold: k, circle }) => {
      if (circle) {
        circleMode.checked = true;
        circleCount.value = String(list.length);
      } else {
        members.splice(0, members.length, ...(await parseMembers(JSON.stringify(list))));
        renderCards();
      }
      syncMode();
      threshold.value = String(k);
      threshold.dataset.touched = "1";
      syncThreshold();
    },
    /** Marks settings that are allowed but give no privacy. */
    warn: () => {
      const n = count();
      if (n >= 1 && Number(threshold.value) === 0) {
        markField(threshold, t(n === 1 ? "committee.warn1" : "committee.warn0"), "warn");
      }
    },
    /** The control that sets how many members there are (the member count, or the pasted keys). */
    countControl: () => (circleMode.checked ? circleCount : paste),
    read: () => ({
      circle: circleMode.checked ? count() : 0,
      members: members.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 })),
      threshold: Number(threshold.value),
    }),
  };
}
