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
// Each size also runs with three native members (the same command without
// --external-member) for comparison, unless --no-baseline.
//
// With --latency-ms L, every frame the members and participants send waits
// L ms first (`sotto bench session --latency-ms`); the page's member waits
// the same, frames in order (a chain of sleeps per connection, as a native
// member's), sending a copy of each frame (the member hands `send` a view
// of wasm memory, which is reused once `send` returns).
//
//   node bench-browser-member.mjs [--sizes 1000,10000] [--questions 20] [--latency-ms 0] [--no-baseline]
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../tests/browser/browsers.mjs";

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
const latencyMs = Number.parseInt(option("--latency-ms", "0"), 10);
const baseline = !process.argv.includes("--no-baseline");
if (sizes.some((n) => !(n >= 5)) || !(questions >= 1) || !(latencyMs >= 0)) {
  console.error(
    "bench-browser-member: --sizes takes numbers of 5 or more, --questions 1 or more, --latency-ms 0 or more",
  );
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

/** CPU seconds (user + system) a process has used so far, or 0. */
function cpuSeconds(pid) {
  try {
    // The fields after the command's closing parenthesis; utime and stime
    // are the 12th and 13th of them, in clock ticks (100 a second on Linux).
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

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
 * Runs `sotto bench session` for `n` respondents, with member 1 external
 * when `external` ({keys, onLink}) is given; resolves to its table: the
 * session's columns, and each member's [bytes, peak KiB] (null for the
 * external one).
 */
async function benchSession(n, external) {
  const args = ["bench", "session", "--kind", "survey", "--participants", String(n)];
  args.push("--questions", String(questions), "--parties", "3", "--latency-ms", String(latencyMs));
  if (external) args.push("--external-member", `${external.keys.x25519}:${external.keys.ed25519}`);
  const child = spawn(sottoBin, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let told = false;
  child.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/^external member link: (\S+)$/m);
    if (m && external && !told) {
      told = true;
      external.onLink(m[1]);
    }
  });
  const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
  if (code !== 0) throw new Error(`sotto bench session failed (${code}):\n${out}`);
  // A header line, a values line, the members' header, a line per member.
  const lines = out.split("\n").filter((l) => l.trim() && !l.startsWith("external member link:"));
  const head = lines[0].trim().split(/\s+/);
  const vals = lines[1].trim().split(/\s+/);
  const at = (k) => Number(vals[head.indexOf(k)]);
  const members = lines.slice(3).map((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === "external" ? null : [Number(f[1]), Number(f[2])];
  });
  return { closeToResult: at("close_to_result_s"), submissionsPerS: at("submissions_per_s"), members };
}

/** The session of `n` respondents with three native members. */
async function nativeSession(n) {
  const t = await benchSession(n, null);
  return { n, committee: "3 native", ...t, browser: null };
}

/** The session of `n` respondents with member 1 in a page of `browser`. */
async function browserSession(browser, n) {
  // A fresh context, so a renderer's peak memory is this size's alone.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/bench.html`);
  const keys = await page.evaluate(async (latency) => {
    const m = await import("/pkg/member/sotto.js");
    window.benchWasm = await m.default();
    window.benchSent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      window.benchSent += data.byteLength ?? data.size ?? data.length;
      if (latency === 0) return send.call(this, data);
      const copy = ArrayBuffer.isView(data) ? data.slice() : data;
      this.benchChain = (this.benchChain ?? Promise.resolve())
        .then(() => new Promise((resolve) => setTimeout(resolve, latency)))
        .then(() => send.call(this, copy))
        .catch(() => {});
      return undefined;
    };
    window.benchMember = m.CommitteeMember.generate();
    return window.benchMember.publicKeys();
  }, latencyMs);
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send("SystemInfo.getProcessInfo");
  const renderers = processInfo.filter((p) => p.type === "renderer").map((p) => p.id);

  const cpuBefore = renderers.map(cpuSeconds);
  let member = null;
  const onLink = (link) => {
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
    }, link);
    member.catch(() => {});
  };
  const t = await benchSession(n, { keys, onLink });
  if (!member) throw new Error("sotto bench session printed no member link");
  const wasm = await member;
  if (!(wasm.computingMs > 0)) throw new Error(`the browser member did not publish: ${JSON.stringify(wasm)}`);
  const pageCdp = await context.newCDPSession(page);
  await pageCdp.send("Performance.enable");
  const { metrics } = await pageCdp.send("Performance.getMetrics");
  const heap = metrics.find((x) => x.name === "JSHeapUsedSize")?.value ?? null;
  const rendererPeakKib = Math.max(...renderers.map(peakKib).filter((k) => k !== null));
  // The renderer that ran the member is the one that used the most CPU.
  const rendererCpu = Math.max(...renderers.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]));
  await context.close();
  return {
    n,
    committee: "wasm in Chromium + 2 native",
    ...t,
    browser: {
      rendererCpu,
      computingMs: wasm.computingMs,
      sent: wasm.sent,
      rendererPeakKib,
      wasmBytes: wasm.wasmBytes,
      heap,
    },
  };
}

const browser = await launchBrowser("chromium");
const rows = [];
try {
  for (const n of sizes) {
    console.error(`bench-browser-member: ${n} respondents × ${questions} questions, member 1 in Chromium ...`);
    rows.push(await browserSession(browser, n));
    if (baseline) {
      console.error(`bench-browser-member: ${n} respondents × ${questions} questions, 3 native members ...`);
      rows.push(await nativeSession(n));
    }
  }
} finally {
  await browser.close();
  server.close();
}

const mib = (b) => (b / 1048576).toFixed(0);
const dash = "—";
console.log(
  `\nSurvey of ${questions} questions, 3 members (t = 1), release relay on localhost, latency ${latencyMs} ms; member 1 the wasm member module in Chromium ${browser.version()} or native\n`,
);
console.log(
  "| respondents | committee | submissions/s | close → verified result (s) | browser member computing (s) | renderer CPU (s) | browser member sent (MB) | renderer peak RSS (MiB) | wasm memory (MiB) | JS heap used (MiB) | native members sent (MB) | native members peak RSS (MiB) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const b = r.browser;
  const natives = r.members.filter((m) => m !== null);
  console.log(
    [
      "",
      r.n.toLocaleString("en"),
      r.committee,
      r.submissionsPerS.toFixed(0),
      r.closeToResult.toFixed(1),
      b ? (b.computingMs / 1000).toFixed(1) : dash,
      b ? b.rendererCpu.toFixed(1) : dash,
      b ? (b.sent / 1e6).toFixed(1) : dash,
      b ? (b.rendererPeakKib / 1024).toFixed(0) : dash,
      b ? mib(b.wasmBytes) : dash,
      b && b.heap !== null ? mib(b.heap) : dash,
      natives.map(([sent]) => (sent / 1e6).toFixed(1)).join(", "),
      natives.map(([, kib]) => (kib / 1024).toFixed(0)).join(", "),
      "",
    ]
      .join(" | ")
      .trim(),
  );
}
