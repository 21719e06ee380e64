// Compares the app a server serves with a local build (docs/web.md,
// "Delivery"): fetches URL's index.html and every file of the local
// build.json (the hashed assets), and checks each SHA-384 against the
// build. Prints one line per file and "N passed, N failed"; exits 1 when
// anything differs or is missing.
//
//   node scripts/verify-app.mjs URL [DIST]
//
// URL is where the app is served (https://app.example/); DIST the local
// build to compare with (default www/dist, built from the same commit with
// scripts/build-www.sh, and with the same --relay if any).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [url, distArg] = process.argv.slice(2);
if (!url) {
  console.error("usage: node scripts/verify-app.mjs URL [DIST]");
  process.exit(2);
}
const dist = path.resolve(distArg ?? path.join(root, "www/dist"));
let build;
try {
  build = JSON.parse(readFileSync(path.join(dist, "build.json"), "utf8"));
} catch (e) {
  console.error(`verify-app: no build at ${dist} (${e.message}): run scripts/build-www.sh`);
  process.exit(2);
}
const base = new URL(url.endsWith("/") ? url : `${url}/`);

let passed = 0;
let failed = 0;
for (const [file, expected] of Object.entries(build.files)) {
  const target = new URL(file === "index.html" ? "" : file, base);
  let line;
  try {
    const res = await fetch(target, { headers: { "Accept-Encoding": "identity" }, redirect: "error" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const got = `sha384-${createHash("sha384")
      .update(Buffer.from(await res.arrayBuffer()))
      .digest("base64")}`;
    line = got === expected ? `ok       ${file}` : `CHANGED  ${file}: served ${got}, built ${expected}`;
  } catch (e) {
    line = `MISSING  ${file}: ${e.message}`;
  }
  if (line.startsWith("ok")) passed += 1;
  else failed += 1;
  console.log(line);
}
console.log(`verify-app ${base.href} against ${build.version} (${path.relative(process.cwd(), dist) || dist}):`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
