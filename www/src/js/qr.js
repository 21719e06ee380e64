// QR codes for the session page's links, drawn as SVG from the module
// matrix of the `qr` package (encoder only; docs/dependencies.md says why
// that package). Built lazily when a code is first shown: a list of
// thousands of single-use links costs nothing until someone asks.

import encodeQR from "qr";
import { h, svg } from "./dom.js";
import { t } from "./i18n/index.js";

/** The link as a QR code: an SVG image labelled with what it is for. */
export function qrSvg(text, label) {
  // Medium error correction: a code on a screen or paper still scans with
  // a smudge, and a 230-character link stays at a size phones read.
  const matrix = encodeQR(text, "raw", { ecc: "medium", border: 4 });
  const size = matrix.length;
  let d = "";
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return svg(
    "svg",
    {
      class: "qr",
      viewBox: `0 0 ${size} ${size}`,
      role: "img",
      "aria-label": label,
      "shape-rendering": "crispEdges",
      dataset: { modules: String(size) },
    },
    svg("rect", { width: size, height: size, fill: "#fff" }),
    svg("path", { d, fill: "#000" }),
  );
}

/** A "QR code" disclosure that draws the code of `text` when first opened. */
export function qrDetails(text, label) {
  const details = h("details", { class: "qr-box" }, h("summary", {}, t("qr.summary")));
  details.addEventListener("toggle", () => {
    if (details.open && !details.querySelector("svg")) details.append(qrSvg(text, label));
  });
  return details;
}
