// Bundles the web app for delivery (run by scripts/build-www.sh on the
// staging copy of www/dist, which already holds www/src and pkg/):
//
//   node www/build.mjs DIR
//
// What it adds to DIR (docs/web.md, "Delivery"):
//   assets/   content-hashed files (NAME-HASH.EXT) that never change: the
//             app's entry module and its code-split chunks (one per page,
//             so a participant loads only the participate page), the
//             committee worker, the four wasm modules the app loads (the
//             participant's, the organizer's, the console's, the
//             member's), the style sheets;
//             served with `Cache-Control: immutable`
//   index.html  rewritten to load the hashed entry and style sheet with
//             Subresource Integrity: a `modulepreload` link with an
//             `integrity` hash for every module of the entry's static
//             graph, and a `sotto-modules` meta tag listing, per lazily
//             loaded page, its modules and their hashes (js/verified.js
//             preloads them with integrity before the import), and the
//             page wasm modules as `wasm:participant`, `wasm:organizer`
//             and `wasm:console`
//             (the entry preloads the one its page needs, js/modules.js:
//             its download starts with the app, not after the page's
//             module asked for it, which saves round trips on a slow link)
//   widget.js a stub at the stable address other sites embed, importing
//             the hashed widget bundle
//   build.json  the version and the SHA-384 of every file under assets/
//             and of the top-level files browsers load (index.html, sw.js,
//             widget.js, the embedding example); www/release.mjs then
//             adds the release key and signs it (build.json.sig), which
//             the service worker checks (docs/web.md, "Pinning")
//   FILE.br, FILE.gz  brotli (quality 11) and gzip (level 9) copies of
//             every text and wasm file they shrink, for the relay's
//             content negotiation
//
// The wasm modules' integrity is fixed in the JavaScript that fetches
// them, whose own integrity is fixed in index.html: the HTML is the one
// file whose content the browser takes on trust.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { build } from "esbuild";

const dir = process.argv[2] && resolve(process.argv[2]);
if (!dir) {
  console.error("usage: node www/build.mjs DIR");
  process.exit(2);
}
const assets = join(dir, "assets");
mkdirSync(assets, { recursive: true });

/** `sha384-…` of some bytes, as an `integrity` attribute wants it. */
function sri(bytes) {
  return `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
}

/** A short content hash for a file name (base32-ish, 10 characters). */
function nameHash(bytes) {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 10).toUpperCase();
}

/** Copies `from` into assets/ as NAME-HASH.EXT and returns that name. */
function hashedCopy(from, name) {
  const bytes = readFileSync(from);
  const dot = name.lastIndexOf(".");
  const out = `${name.slice(0, dot)}-${nameHash(bytes)}${name.slice(dot)}`;
  writeFileSync(join(assets, out), bytes);
  return out;
}

/** Replaces `from` by `to` in `text`, failing the build when `from` is missing. */
function replaceOnce(text, from, to, where) {
  if (!text.includes(from)) throw new Error(`build: "${from}" not found in ${where}: the loader changed`);
  return text.replace(from, () => to);
}

/**
 * An esbuild plugin that rewrites fixed strings in files whose path ends
 * with one of the keys: how the bundles learn the hashed names (and the
 * wasm modules' integrity) of files they load by URL.
 */
function rewrite(edits) {
  return {
    name: "sotto-rewrite",
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const key = Object.keys(edits).find((k) => args.path.endsWith(k.split("/").join(sep)));
        if (!key) return undefined;
        let text = readFileSync(args.path, "utf8");
        for (const [from, to] of edits[key]) text = replaceOnce(text, from, to, key);
        return { contents: text, loader: "js" };
      });
    },
  };
}

/** The fetch of a wasm module by its hashed name, with its integrity. */
function wasmRequest(file) {
  const integrity = sri(readFileSync(join(assets, file)));
  return `new Request(new URL(${JSON.stringify(file)}, import.meta.url), { integrity: ${JSON.stringify(integrity)} })`;
}
const WASM_DEFAULT = "new URL('sotto_bg.wasm', import.meta.url)";

const common = {
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  outdir: assets,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
  // Paths in the metafile are relative to DIR.
  absWorkingDir: dir,
};

// 1. The wasm modules and style sheets, by content hash.
const participantWasm = hashedCopy(join(dir, "pkg/participant/sotto_bg.wasm"), "participant.wasm");
const organizerWasm = hashedCopy(join(dir, "pkg/organizer/sotto_bg.wasm"), "organizer.wasm");
const consoleWasm = hashedCopy(join(dir, "pkg/console/sotto_bg.wasm"), "console.wasm");
const memberWasm = hashedCopy(join(dir, "pkg/member/sotto_bg.wasm"), "member.wasm");
const stylesCss = hashedCopy(join(dir, "styles.css"), "styles.css");
const widgetCss = hashedCopy(join(dir, "widget.css"), "widget.css");

// 2. The committee member's worker (its own bundle: a worker has no
//    import map or preload, so it is one file).
const worker = await build({
  ...common,
  entryPoints: { worker: join(dir, "pkg/worker.js") },
  plugins: [rewrite({ "pkg/member/sotto.js": [[WASM_DEFAULT, wasmRequest(memberWasm)]] })],
});
const workerFile = basename(Object.keys(worker.metafile.outputs).find((f) => f.endsWith(".js")));

// 3. The app and the widget, split per page.
const app = await build({
  ...common,
  splitting: true,
  entryPoints: { app: join(dir, "js/app.js"), widget: join(dir, "widget.js") },
  plugins: [
    rewrite({
      "pkg/participant/sotto.js": [[WASM_DEFAULT, wasmRequest(participantWasm)]],
      "pkg/organizer/sotto.js": [[WASM_DEFAULT, wasmRequest(organizerWasm)]],
      "pkg/console/sotto.js": [[WASM_DEFAULT, wasmRequest(consoleWasm)]],
      "pkg/member-worker.js": [
        ['new URL("./worker.js", import.meta.url)', `new URL("./${workerFile}", import.meta.url)`],
      ],
      "/widget.js": [['new URL("./widget.css", import.meta.url)', `new URL("./${widgetCss}", import.meta.url)`]],
    }),
  ],
});

const outputs = app.metafile.outputs;
const fileOf = (out) => basename(out);
const integrity = (file) => sri(readFileSync(join(assets, file)));
const byEntry = (entry) => Object.keys(outputs).find((o) => outputs[o].entryPoint === entry);
const srcPath = (p) => relative(dir, p).split(sep).join("/");

/** The static module graph of an output, dependencies first, as [file, integrity]. */
function closure(out, seen = new Set(), list = []) {
  if (seen.has(out)) return list;
  seen.add(out);
  for (const imp of outputs[out].imports) {
    if (imp.kind === "import-statement" && !imp.external) closure(imp.path, seen, list);
  }
  list.push([fileOf(out), integrity(fileOf(out))]);
  return list;
}

const appOut = byEntry(srcPath(join(dir, "js/app.js")));
const widgetOut = byEntry(srcPath(join(dir, "widget.js")));
// Every lazily imported module (a page, the worker's loader), keyed by its
// path in www/src or the package, as js/verified.js asks for it.
const lazy = {};
for (const [out, meta] of Object.entries(outputs)) {
  if (meta.entryPoint && out !== appOut && out !== widgetOut) lazy[meta.entryPoint] = closure(out);
}
// The page wasm modules, for the entry's early download (js/verified.js, `preloadWasm`).
lazy["wasm:participant"] = [[participantWasm, integrity(participantWasm)]];
lazy["wasm:organizer"] = [[organizerWasm, integrity(organizerWasm)]];
lazy["wasm:console"] = [[consoleWasm, integrity(consoleWasm)]];

// 4. index.html: hashed names with integrity.
const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
const entry = closure(appOut);
const [appFile, appIntegrity] = entry[entry.length - 1];
const preloads = entry
  .slice(0, -1)
  .map(([f, i]) => `<link rel="modulepreload" href="assets/${f}" integrity="${i}" />`)
  .join("\n    ");
let html = readFileSync(join(dir, "index.html"), "utf8");
html = replaceOnce(
  html,
  '<link rel="stylesheet" href="styles.css" />',
  `<link rel="stylesheet" href="assets/${stylesCss}" integrity="${integrity(stylesCss)}" />`,
  "index.html",
);
html = replaceOnce(
  html,
  '<script type="module" src="js/app.js"></script>',
  `<meta name="sotto-modules" content="${attr(JSON.stringify(lazy))}" />
    ${preloads}
    <script type="module" src="assets/${appFile}" integrity="${appIntegrity}"></script>`,
  "index.html",
);
writeFileSync(join(dir, "index.html"), html);

// 5. The widget at its stable address (other sites embed /widget.js).
writeFileSync(
  join(dir, "widget.js"),
  `// Sotto's embeddable widget; the code is assets/${fileOf(widgetOut)} (hashed, immutable).\nimport "./assets/${fileOf(widgetOut)}";\n`,
);

// 6. build.json: what was built, for the service worker, the about panel and `sotto verify-app`.
const version = JSON.parse(readFileSync(join(dir, "pkg/package.json"), "utf8")).version;
const files = {};
for (const f of readdirSync(assets).sort()) files[`assets/${f}`] = integrity(f);
// The files outside assets/ that browsers load as they are: the page, the
// service worker that pins the build (www/src/sw.js), the widget's stub
// and the embedding example (the service worker runs a document of the
// origin only when its hash is listed here).
for (const f of ["index.html", "sw.js", "widget.js", "embed-example.html", "embed-example.js"]) {
  files[f] = sri(readFileSync(join(dir, f)));
}
writeFileSync(join(dir, "build.json"), `${JSON.stringify({ version, entry: `assets/${appFile}`, files }, null, 2)}\n`);

// 7. Precompressed copies for content negotiation.
const COMPRESSIBLE = /\.(js|mjs|css|html|wasm|json|svg|txt|ts)$/;
let raw = 0;
let brBytes = 0;
function compressAll(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) {
      compressAll(p);
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const bytes = readFileSync(p);
    const br = brotliCompressSync(bytes, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 11,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [zlib.BROTLI_PARAM_MODE]: name.endsWith(".wasm") ? zlib.BROTLI_MODE_GENERIC : zlib.BROTLI_MODE_TEXT,
      },
    });
    const gz = gzipSync(bytes, { level: 9 });
    // A compressed copy only where it saves bytes; the relay falls back to
    // the file itself.
    if (br.length < bytes.length) writeFileSync(`${p}.br`, br);
    if (gz.length < bytes.length) writeFileSync(`${p}.gz`, gz);
    if (dirname(p) === assets) {
      raw += bytes.length;
      brBytes += Math.min(br.length, bytes.length);
    }
  }
}
compressAll(dir);

// Keep the staging tree tidy: a file esbuild wrote outside assets/ would be a bug.
for (const out of [...Object.keys(outputs), ...Object.keys(worker.metafile.outputs)]) {
  if (!out.startsWith(srcPath(assets))) throw new Error(`build: esbuild wrote ${out} outside assets/`);
}
console.log(
  `[build-www] assets: ${readdirSync(assets).filter((f) => !/\.(br|gz)$/.test(f)).length} files, ` +
    `${raw} bytes, ${brBytes} bytes brotli; entry assets/${appFile}`,
);
