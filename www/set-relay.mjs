// Points a built app at a relay on another origin (docs/web.md, "Another
// origin"), for hosting the app on a static host while the relay runs with
// `--no-static`:
//
//   node www/set-relay.mjs DIST https://relay.example
//
// It rewrites DIST/index.html only (the hashed assets stay as they are):
// a `sotto-relay` meta tag with the origin, which the app uses to create
// sessions and to write links to itself that carry `relay=`; the origin
// and its WebSocket twin added to the page's `connect-src`, so the app
// may reach that relay and no other; and index.html's new SHA-384 and
// compressed copies in build.json, index.html.br and index.html.gz. The
// old release signature (build.json.sig) no longer matches: it is removed.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

const [dist, relay] = process.argv.slice(2);
let origin = null;
try {
  const url = new URL(relay ?? "");
  if (/^https?:$/.test(url.protocol) && url.origin === relay) origin = url.origin;
} catch {
  /* reported below */
}
if (!dist || !origin) {
  console.error("usage: node www/set-relay.mjs DIST ORIGIN   (ORIGIN: http(s)://host[:port], no path)");
  process.exit(2);
}

const page = join(dist, "index.html");
let html = readFileSync(page, "utf8");
if (html.includes('name="sotto-relay"')) {
  console.error(`set-relay: ${page} already names a relay; rebuild it first`);
  process.exit(1);
}
const ws = origin.replace(/^http/, "ws");
const csp = "connect-src 'self'";
if (!html.includes(csp)) {
  console.error(`set-relay: no "${csp}" in ${page}`);
  process.exit(1);
}
html = html.replace(csp, `${csp} ${origin} ${ws}`);
html = html.replace("<title>", `<meta name="sotto-relay" content="${origin}" />\n    <title>`);
/** Writes `text` to `path` with its brotli and gzip copies (the relay serves them by Accept-Encoding). */
function writeCompressed(path, text) {
  writeFileSync(path, text);
  writeFileSync(`${path}.br`, brotliCompressSync(text));
  writeFileSync(`${path}.gz`, gzipSync(text, { level: 9 }));
}
writeCompressed(page, html);
const buildFile = join(dist, "build.json");
const build = JSON.parse(readFileSync(buildFile, "utf8"));
build.files["index.html"] = `sha384-${createHash("sha384").update(html).digest("base64")}`;
build.relay = origin;
writeCompressed(buildFile, `${JSON.stringify(build, null, 2)}\n`);
// The release signature was of the old build.json: drop it (an unsigned
// build is not pinned by the service worker). scripts/build-www.sh --relay
// signs after this step; on a build already made, sign again with
// `node www/release.mjs sign DIST KEY` (docs/web.md, "Pinning").
const sig = join(dist, "build.json.sig");
if (existsSync(sig)) {
  rmSync(sig);
  console.log(`[set-relay] ${sig} removed: sign again (node www/release.mjs sign ${dist} KEY)`);
}
console.log(`[set-relay] ${page}: relay ${origin}`);
