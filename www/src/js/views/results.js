// Results: wait for the committee's signed result (polling
// `verifyResult`), show the verification, charts with tables, and CSV/JSON
// export. Reached through the read link (`r=organizer`).

import { h, replace, announce, field, filePicker } from "../dom.js";
import { loadParticipantModule } from "../participant-module.js";
import { verifiedImport } from "../verified.js";
import { moduleFor } from "../modules.js";
import { errorNotice } from "../errors.js";
import { retrying, retryNotice } from "../retry.js";
import { downloadCsv, downloadJson, slug } from "../download.js";
import { getSession, updateSession, receiptsFor } from "../store.js";
import { manageHref, sessionOf } from "../link.js";
import { RENDERERS } from "../results/index.js";
import { clock, when } from "../format.js";
import { t } from "../i18n/index.js";

const POLL_SECONDS = 4;

function verificationCard(verified, committee, kind) {
  const signed = verified.signers.length;
  const needed = verified.threshold + 1;
  const names = verified.signers.map((i) => committee.find((m) => m.index === i)?.name ?? t("member.n", { i }));
  const ok = signed >= needed;
  return h(
    "section",
    {
      class: `notice ${ok ? "ok" : "error"}`,
      "aria-labelledby": "verification-heading",
      dataset: { verified: String(ok) },
    },
    h("h2", { id: "verification-heading" }, t(ok ? "results.verified" : "results.notEnough")),
    h(
      "p",
      {},
      t("results.signedBy", { signed, n: committee.length }),
      names.map((n, i) => [i ? ", " : "", h("bdi", {}, n)]),
      t("results.needed", { needed }),
    ),
    kind === "check" ? null : h("p", {}, t("results.counted", { valid: verified.valid, invalid: verified.invalid })),
  );
}

function suppressedNotice(manifest) {
  const min = manifest.policy?.min_submissions;
  return h(
    "div",
    { class: "notice warn", role: "status", dataset: { code: "suppressed" } },
    h("h2", {}, t("results.tooFew")),
    h("p", {}, t("results.tooFewBody", { min })),
  );
}

function exportButtons(title, verified, csv) {
  const name = `sotto-${slug(title)}`;
  return h(
    "div",
    { class: "button-row" },
    csv ? h("button", { type: "button", onclick: () => downloadCsv(`${name}.csv`, csv) }, t("results.csv")) : null,
    h("button", { type: "button", onclick: () => downloadJson(`${name}.json`, verified) }, t("results.json")),
  );
}

/** "counted" / "missing" / "unknown" as a sentence, with the receipt's short form. */
function receiptVerdict(answer, code, sent) {
  const params = { code: `${code.slice(0, 8)}…`, on: sent ? t("receipt.sentOn", { when: when(sent) }) : "" };
  const cls = { counted: "ok", missing: "error", unknown: "warn" }[answer];
  return h("p", { class: `notice ${cls}`, dataset: { receipt: answer } }, t(`receipt.${answer}`, params));
}

/**
 * "Check your receipt": the committee signed, with the result, the
 * receipts of the answers it counted. Receipts this browser kept for the
 * session are checked at once; anyone can paste a receipt code or pick a
 * receipt file. Nothing about the answer is shown or needed.
 */
function receiptCheck(sotto, verified, session, link) {
  const out = h("div", { id: "receipt-verdicts", "aria-live": "polite" });
  const unreadable = () =>
    h("p", { class: "notice error", dataset: { receipt: "unreadable" } }, t("receipt.unreadable"));
  const check = (code, sent) => {
    // A receipt file is JSON: name its code, not the file's first bytes.
    let shown = code.trim();
    try {
      shown = String(JSON.parse(shown).receipt ?? shown);
    } catch {
      /* a bare code */
    }
    // Above 8,192 answers the result signs a tree root: the server's proof
    // about this receipt, checked against that root, takes a moment.
    const slot = h(
      "p",
      { class: "notice", dataset: { receipt: "checking" } },
      t("receipt.checking", { code: `${shown.slice(0, 8)}…` }),
    );
    sotto
      .checkReceipt(verified, code, link)
      .then((answer) => {
        const verdict = receiptVerdict(answer, shown, sent);
        if (answer === "unknown" && verified.receipts?.root)
          verdict.textContent = t("receipt.unproven", { code: `${shown.slice(0, 8)}…` });
        slot.replaceWith(verdict);
      })
      .catch((err) => slot.replaceWith(err?.code === "invalid_answer" ? unreadable() : errorNotice(err)));
    return slot;
  };
  for (const r of receiptsFor(session)) out.append(check(r.receipt, r.savedAt));
  const input = h("input", {
    id: "receipt-code",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    class: "fingerprint",
  });
  const file = h("input", { id: "receipt-file", type: "file", accept: "application/json,.json" });
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (f) out.append(check(await f.text()));
  });
  const n = verified.receipts?.count;
  return h(
    "section",
    { class: "card", "aria-labelledby": "receipt-check-heading" },
    h("h2", { id: "receipt-check-heading" }, t("receipt.heading")),
    h("p", {}, n == null ? t("receipt.none") : t("receipt.intro", { n })),
    h(
      "form",
      {
        class: "receipt-form",
        onsubmit: (e) => {
          e.preventDefault();
          if (input.value.trim()) out.append(check(input.value.trim()));
        },
      },
      h("label", { for: "receipt-code" }, t("receipt.code")),
      input,
      h("div", { class: "button-row" }, h("button", { type: "submit" }, t("receipt.check"))),
      field(t("receipt.file"), filePicker(file)),
    ),
    out,
  );
}

/**
 * For the organizer (this browser holds the session's organizer file): a
 * link to the session page and, only while the relay says the session is
 * open, a button to close it.
 */
function organizerTools(sotto, session, onClose) {
  const rec = getSession(session);
  if (!rec || !sotto) return null;
  const row = h(
    "div",
    { class: "button-row" },
    h("a", { class: "button", href: manageHref(session) }, t("results.manage")),
  );
  if (rec.closed) return row;
  sotto.Organizer.importCapability(rec.capability)
    .status()
    .then(
      (st) => {
        if (st.state === "open" && row.isConnected)
          row.append(
            h(
              "button",
              { type: "button", class: "danger", id: "results-close", onclick: onClose },
              t("results.closeNow"),
            ),
          );
        else if (st.state !== "open") updateSession(session, { closed: true, state: st.state });
      },
      () => {
        /* the page still works without it */
      },
    );
  return row;
}

/** Renders the results page for the read link `link`. */
export async function resultsView(main, link) {
  const status = h("div", { class: "status", "aria-live": "polite" });
  replace(main, h("h1", {}, t("results.opening")), status);
  // The organizer's own browser loads the organizer's module, for its
  // tools; a reader the participant's, which has everything else this page
  // uses. (Its loader is imported only then: a reader downloads neither it
  // nor its glue.)
  const organizer =
    moduleFor("results", link) === "organizer"
      ? await (await verifiedImport("js/sotto.js", () => import("../sotto.js"))).loadSotto()
      : null;
  const sotto = organizer ?? (await loadParticipantModule());
  let session;
  try {
    session = await retrying(() => sotto.Participant.open(link), retryNotice(status, "retry.reachServer"));
  } catch (err) {
    replace(main, h("h1", {}, t("results.cannotOpen")), errorNotice(err));
    return;
  }
  const manifest = session.manifest();
  const kind = session.kind;
  const schema = session.schema();
  const committee = session.committee();
  const title = session.title;
  document.title = t("results.docTitle", { title });
  const sid = sessionOf(link);
  const body = h("div", { class: "results" });
  const close = async () => {
    const rec = getSession(sid);
    if (!organizer || !rec) return;
    try {
      await organizer.Organizer.importCapability(rec.capability).close();
      updateSession(sid, { closed: true });
      announce(t("results.closedAnnounce"));
      replace(tools, organizerTools(organizer, sid, close));
    } catch (err) {
      status.prepend(errorNotice(err));
    }
  };
  const tools = h("div", {}, organizerTools(organizer, sid, close));
  const badge = t("results.badge", { kind: t(`kind.${kind}`) });
  replace(main, h("p", { class: "badge" }, badge), h("h1", { dir: "auto" }, title), tools, status, body);

  const waiting = (text) =>
    replace(status, h("div", { class: "notice", role: "status" }, h("h2", {}, t("results.waiting")), h("p", {}, text)));
  waiting(t("results.noResultYet"));

  for (let attempt = 0; ; attempt++) {
    if (!body.isConnected) return;
    try {
      const verified = await sotto.verifyResult(link);
      showResult(verified);
      return;
    } catch (err) {
      if (err?.code === "no_result") {
        if (attempt % 5 === 4) waiting(t("results.stillNone", { time: clock() }));
      } else if (err?.code === "relay_unreachable") {
        replace(status, errorNotice(err, { showDetail: false }));
      } else {
        replace(status, errorNotice(err));
        if (err?.code !== "unverified") return;
      }
    }
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000));
  }

  function showResult(verified) {
    const result = verified.result ?? {};
    replace(status);
    // A published result means the session is closed: no close button.
    tools.querySelector("#results-close")?.remove();
    if (getSession(sid)) updateSession(sid, { closed: true, state: "published" });
    const parts = [verificationCard(verified, committee, kind)];
    let csv = null;
    if (result.suppressed) {
      parts.push(suppressedNotice(manifest));
    } else {
      const rendered = RENDERERS[kind](schema, result);
      csv = rendered.csv;
      if (result.dp) parts.push(h("p", { class: "notice" }, t("results.dp", { epsilon: result.dp.epsilon })));
      parts.push(...rendered.nodes);
    }
    if (kind !== "check") parts.push(receiptCheck(sotto, verified, sid, link));
    parts.push(h("h2", {}, t("results.export")), exportButtons(title, verified, csv));
    replace(body, parts);
    announce(t("results.in"));
  }
}
