// Demo helper of embed-example.html: takes participant links from the
// page's fragment (#vote=…&survey=…, as the session page links it) and
// prints the widgets' events. A real page just writes the link attribute.

const params = new URLSearchParams(location.hash.slice(1));
for (const kind of ["vote", "survey", "budget"]) {
  const link = params.get(kind);
  const el = document.getElementById(kind) ?? (kind === "budget" ? document.getElementById("vote") : null);
  if (link && el) el.setAttribute("link", link);
}
// With links in the fragment, hide the widgets that got none.
if (params.size) {
  for (const el of document.querySelectorAll("sotto-vote, sotto-survey")) {
    if (el.getAttribute("link").includes("PASTE")) {
      /** @type {HTMLElement} */ (el).hidden = true;
      /** @type {HTMLElement} */ (el.previousElementSibling).hidden = true;
    }
  }
}

const events = document.getElementById("events");
document.addEventListener("sotto-submitted", (/** @type {CustomEvent} */ e) => {
  events.textContent = `Submitted: receipt ${e.detail.receipt.slice(0, 16)}…`;
});
document.addEventListener("sotto-error", (/** @type {CustomEvent} */ e) => {
  if (!(/** @type {HTMLElement} */ (e.target).hidden)) events.textContent = `Widget error: ${e.detail.code}`;
});
