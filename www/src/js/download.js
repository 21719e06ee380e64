// Saving files from the page (receipts, key files, CSV and JSON exports):
// blob URLs, nothing leaves the browser.

/** Offers `data` (string, Uint8Array or Blob) as a download named `name`. */
export function download(name, data, type = "application/octet-stream") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadJson(name, value) {
  download(name, JSON.stringify(value, null, 2) + "\n", "application/json");
}

/** One CSV cell (RFC 4180 quoting; formula-looking cells are prefixed so spreadsheets show them as text). */
function cell(value) {
  let s = value == null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text from rows of cells. */
export function toCsv(rows) {
  return rows.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function downloadCsv(name, rows) {
  download(name, toCsv(rows), "text/csv");
}

/** Reads a user-chosen file as bytes or text. */
export function readFile(file, as = "text") {
  return as === "bytes" ? file.arrayBuffer().then((b) => new Uint8Array(b)) : file.text();
}

/** A file-system-safe slug of a title. */
export function slug(text) {
  return (
    (text || "sotto")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "sotto"
  );
}
