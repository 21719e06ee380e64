// Committee set-up: members' public keys pasted as JSON from their
// consoles (fingerprints recomputed here), or "circle mode", where this
// browser makes every member key for a demo. Plus the privacy threshold.

import { h, field, announce, uid, markField } from "../dom.js";
import { count as countOf } from "../format.js";
import { fingerprintOf, isKeyHex } from "../fingerprint.js";
import { intOf, select, showIf } from "./inputs.js";

/** Parses pasted JSON: one member object or an array of them. */
async function parseMembers(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      "This is not JSON. Paste exactly what the member's console shows under “Public keys for the organizer”.",
    );
  }
  const list = Array.isArray(value) ? value : [value];
  const out = [];
  for (const m of list) {
    if (!m || typeof m.name !== "string" || !m.name.trim()) throw new Error("Each member needs a name.");
    if (!isKeyHex(m.x25519) || !isKeyHex(m.ed25519))
      throw new Error(`The keys of “${m.name}” are not 64 hexadecimal digits each.`);
    const fp = await fingerprintOf(m.x25519, m.ed25519);
    if (fp && m.fingerprint && fp !== m.fingerprint)
      throw new Error(
        `The fingerprint given for “${m.name}” does not match its keys. Ask them to copy their keys again.`,
      );
    out.push({
      name: m.name.trim(),
      x25519: m.x25519.toLowerCase(),
      ed25519: m.ed25519.toLowerCase(),
      fingerprint: fp ?? m.fingerprint ?? "(not checked)",
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
export function tradeOff(n, t) {
  const offline = n - (2 * t + 1);
  const off = offline <= 0 ? "none may be offline" : `any ${offline} may be offline`;
  if (t === 0)
    return `${countOf(n, "member")}, t = 0: ${off}, but a single member can read every answer; the result needs 1 signature.`;
  const cheat = t === 1 ? "any 1 may cheat or collude with others" : `any ${t} may cheat or collude together`;
  return (
    `${countOf(n, "member")}, t = ${t}: ${off}, ${cheat} without learning any answer or changing the result unnoticed. ` +
    `The committee finishes while ${2 * t + 1} are online; the result needs ${countOf(t + 1, "signature")}.`
  );
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
              "aria-label": `Remove ${m.name}`,
              onclick: () => {
                members.splice(i, 1);
                renderCards();
                syncThreshold();
                changed();
              },
            },
            "Remove",
          ),
        ),
      ),
    );
    if (!members.length) cards.append(h("p", { class: "muted" }, "No members yet."));
  };
  const addButton = h("button", { type: "button", id: "add-member" }, "Add member");
  addButton.addEventListener("click", async () => {
    pasteError.textContent = "";
    paste.removeAttribute("aria-invalid");
    try {
      const parsed = await parseMembers(paste.value);
      for (const m of parsed) {
        if (members.some((x) => x.name === m.name)) throw new Error(`There is already a member named “${m.name}”.`);
        if (members.some((x) => x.x25519 === m.x25519))
          throw new Error(`The keys of “${m.name}” are already in the committee.`);
      }
      members.push(...parsed);
      paste.value = "";
      renderCards();
      syncThreshold();
      changed();
      announce(`${parsed.map((m) => m.name).join(", ")} added to the committee.`);
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
      "Each member opens the ",
      h("a", { href: "#console", target: "_blank" }, "committee console"),
      ", makes a key and sends you its public keys. Check each fingerprint with the member by phone or in person.",
    ),
    field("A member's public keys (JSON)", paste, "You can also paste a JSON array of several members."),
    pasteError,
    h("div", { class: "button-row" }, addButton),
    cards,
  );

  // Circle mode
  const circleCount = h("input", { type: "number", min: 1, max: 31, step: 1, value: "3", id: "circle-count" });
  const circleBox = h(
    "div",
    { class: "stack" },
    h(
      "div",
      { class: "notice warn" },
      h(
        "p",
        {},
        h("strong", {}, "For trying Sotto out only. "),
        "This browser makes and keeps every member's key, so it could decrypt every answer. In a real session each member keeps their own key on their own device.",
      ),
    ),
    field("Number of members", circleCount, "From 1 to 31. Three is the smallest committee with privacy (t = 1)."),
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
      ...Array.from({ length: maxT + 1 }, (_, t) => h("option", { value: String(t) }, String(t))),
    );
    threshold.value = String(wasDefault ? maxT : keep);
    const t = Number(threshold.value);
    thresholdHint.textContent = n ? tradeOff(n, t) : "Add members to choose the threshold.";
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
      h("legend", {}, "Who holds the keys"),
      h(
        "div",
        { class: "choices" },
        h("label", { class: "choice" }, pasteMode, "Committee members send me their public keys"),
        h("label", { class: "choice" }, circleMode, "Circle mode: this browser makes all member keys (demo)"),
      ),
    ),
    pasteBox,
    circleBox,
    field(
      "Privacy threshold t",
      threshold,
      "A choice between privacy and dropouts. Any t members may cheat or collude without learning any answer or changing the result unnoticed; the committee finishes while 2t + 1 members are online. So with n members, t is at most (n − 1) / 2, and raising t by one lets two fewer members be offline.",
    ),
    thresholdHint,
  );
  renderCards();
  syncMode();

  return {
    element,
    /** `[control, message]` for settings that cannot be used. */
    errors: () => {
      const n = count();
      const t = Number(threshold.value);
      if (n >= 1 && n < 2 * t + 1)
        return [
          [
            threshold,
            `With t = ${t} the committee needs at least ${2 * t + 1} members (2t + 1) to finish; it has ${n}. Choose a smaller t or add members.`,
          ],
        ];
      if (circleMode.checked) {
        const k = Number(circleCount.value);
        return Number.isInteger(k) && k >= 1 && k <= 31
          ? []
          : [[circleCount, "Enter a whole number of members from 1 to 31."]];
      }
      return members.length
        ? []
        : [
            [
              paste,
              "Add at least one committee member: paste the public keys from their console, then press Add member. Or choose circle mode to try Sotto alone.",
            ],
          ];
    },
    /** Fills the committee from a manifest's (duplicating a session): the same members, or circle mode with as many. */
    load: async ({ members: list, threshold: t, circle }) => {
      if (circle) {
        circleMode.checked = true;
        circleCount.value = String(list.length);
      } else {
        members.splice(0, members.length, ...(await parseMembers(JSON.stringify(list))));
        renderCards();
      }
      syncMode();
      threshold.value = String(t);
      threshold.dataset.touched = "1";
      syncThreshold();
    },
    /** Marks settings that are allowed but give no privacy. */
    warn: () => {
      const n = count();
      if (n >= 1 && Number(threshold.value) === 0) {
        markField(
          threshold,
          n === 1
            ? "One member gives no privacy at all: that member can read every answer. Use at least three members (t = 1) for a real session."
            : "With t = 0 a single member can read every answer. Use at least three members so that t can be 1 or more.",
          "warn",
        );
      }
    },
    read: () => ({
      circle: circleMode.checked ? count() : 0,
      members: members.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 })),
      threshold: Number(threshold.value),
    }),
  };
}
