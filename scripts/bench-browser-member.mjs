// A whole survey session with one committee member in headless Chromium:
// `sotto bench session --external-member` starts a release relay process,
// members 2 and 3 as native processes, and the participants submitting
// concurrently; member 1 is the wasm member module (target/npm/sotto/member)
// in a Chromium page, given its member link when the session exists. For
// each size it prints the close-to-verified-result time (measured by
// `sotto bench session`), the browser member's own computing time (its
// `computing` to its `published` progress event), the bytes it sent (every
// WebSocket message the page sent, counted in WebSocket.prototype.send), and
// its memory: the renderer process's peak resident set (VmHWM of
// /proc/<pid>/status; the pid from CDP SystemInfo.getProcessInfo), the wasm
// linear memory at the end (it only grows, so this is its peak) and the JS
// heap in use at the end (CDP Performance.getMetrics, JSHeapUsedSize).
// Run through scripts/bench-browser-member.sh (builds what it needs).
//
//   node bench-browser-member.mjs [--sizes 1000,10000] [--questions 20]
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.join(root, "target/npm/sotto");
const sottoBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release/sotto");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const sizes = option("--sizes", "1000,10000")
  .split(",")
  .map((s) => Number.parseInt(s, 10));
const questions = Number.parseInt(option("--questions", "20"), 10);
if (sizes.some((n) => !(n >= 5)) || !(questions >= 1)) {
  console.error("bench-browser-member: --sizes takes numbers of 5 or more, --questions 1 or more");
  process.exit(2);
}

// The package's files over HTTP on a loopback port (module scripts and
// instantiateStreaming need an http origin and the right types).
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/" || url.pathname === "/bench.html") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>sotto browser member</title><p>member</p>");
    return;
  }
  const file = path.join(pkg, path.normalize(url.pathname.replace(/^\/pkg\//, "/")));
  if (!file.startsWith(pkg + path.sep)) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;

/** VmHWM (peak resident set) of a process in KiB, or null. */
function peakKib(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s*(\d+) kB/m);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Runs `sotto bench session` for `n` respondents with member 1 in `page`;
 * resolves to the row of the table.
 */
async function session(browser, n) {
  // A fresh page, so a renderer's peak memory is this size's alone.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/bench.html`);
  const keys = await page.evaluate(async () => {
    const m = await import("/pkg/member/sotto.js");
    window.benchWasm = await m.default();
    window.benchSent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      window.benchSent += data.byteLength ?? data.size ?? data.length;
      return send.call(this, data);
    };
    window.benchMember = m.CommitteeMember.generate();
    return window.benchMember.publicKeys();
  });
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send("SystemInfo.getProcessInfo");
  const renderers = processInfo.filter((p) => p.type === "renderer").map((p) => p.id);

  const args = ["bench", "session", "--kind", "survey", "--participants", String(n)];
  args.push("--questions", String(questions), "--parties", "3");
  args.push("--external-member", `${keys.x25519}:${keys.ed25519}`);
  const child = spawn(sottoBin, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let member = null;
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^external member link: (\S+)$/m);
      if (m && !member) {
        member = page.evaluate(async (link) => {
          let computingAt = null;
          let publishedAt = null;
          const outcome = await window.benchMember.run(link, (p) => {
            if (p.stage === "computing" && computingAt === null) computingAt = performance.now();
            if (p.stage === "published") publishedAt = performance.now();
          });
          return {
            outcome,
            computingMs: publishedAt - computingAt,
            sent: window.benchSent,
            wasmBytes: window.benchWasm.memory.buffer.byteLength,
          };
        }, m[1]);
        member.catch(() => {});
        resolve();
      }
    });
    exited.then((code) => reject(new Error(`sotto bench session exited (${code}) before the link`)));
  });
  const code = await exited;
  if (code !== 0) throw new Error(`sotto bench session failed (${code}):\n${out}`);
  const wasm = await member;
  if (!(wasm.computingMs > 0)) throw new Error(`the browser member did not publish: ${JSON.stringify(wasm)}`);
  const pageCdp = await context.newCDPSession(page);
  await pageCdp.send("Performance.enable");
  const { metrics } = await pageCdp.send("Performance.getMetrics");
  const heap = metrics.find((x) => x.name === "JSHeapUsedSize")?.value ?? null;
  const rendererPeak = Math.max(...renderers.map(peakKib).filter((k) => k !== null));
  await context.close();

  // `sotto bench session`'s table: a header line, a values line, then
  // one line per member.
  const lines = out.split("\n").filter((l) => l.trim() && !l.startsWith("external member link:"));
  const head = lines[0].trim().split(/\s+/);
  const vals = lines[1].trim().split(/\s+/);
  const at = (k) => vals[head.indexOf(k)];
  const natives = lines
    .slice(3)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] !== "external");
  return {
    n,
    closeToResult: Number(at("close_to_result_s")),
    submissionsPerS: Number(at("submissions_per_s")),
    computingMs: wasm.computingMs,
    sent: wasm.sent,
    rendererPeakKib: rendererPeak,
    wasmBytes: wasm.wasmBytes,
    heap,
    nativeSent: natives.map((f) => Number(f[1])),
    nativePeakKib: natives.map((f) => Number(f[2])),
  };
}

const { chromium } = await import(pathToFileURL(path.join(root, "www/node_modules/playwright-core/index.mjs")).href);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
const rows = [];
try {
  for (const n of sizes) {
    console.error(`bench-browser-member: ${n} respondents × ${questions} questions ...`);
    rows.push(await session(browser, n));
  }
} finally {
  await browser.close();
  server.close();
}

const mib = (b) => (b / 1048576).toFixed(0);
console.log(
  `\nSurvey of ${questions} questions, 3 members (t = 1), member 1 the wasm member in Chromium ${browser.version()}, members 2 and 3 native; release relay on localhost\n`,
);
console.log(
  "| respondents | submissions/s | close → verified result (s) | browser member computing (s) | browser member sent (MB) | renderer peak RSS (MiB) | wasm memory (MiB) | JS heap used (MiB) | native members sent (MB) | native members peak RSS (MiB) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.n.toLocaleString("en")} | ${r.submissionsPerS.toFixed(0)} | ${r.closeToResult.toFixed(1)} | ${(r.computingMs / 1000).toFixed(1)} | ${(r.sent / 1e6).toFixed(1)} | ${(r.rendererPeakKib / 1024).toFixed(0)} | ${mib(r.wasmBytes)} | ${r.heap === null ? "—" : mib(r.heap)} | ${r.nativeSent.map((b) => (b / 1e6).toFixed(1)).join(", ")} | ${r.nativePeakKib.map((k) => (k / 1024).toFixed(0)).join(", ")} |`,
  );
}
