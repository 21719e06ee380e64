// The wasm package's benchmark, in Node and in headless Chromium:
//  - participant: validate, secret-share and encrypt one answer to a
//    20-question survey for a 5-member committee (Participant.prepare),
//    mean over many runs after a warm-up;
//  - member: 1,000 secret 32-bit comparisons by a 3-member committee on
//    the in-memory network inside the bench module (the member module plus
//    benchCompare, target/npm/bench), the
//    virtual time of one member on its own CPU, as `sotto bench engine`;
//  - committee check over the real relay: 1,000 secret 32-bit comparisons
//    by a 3-member committee (a `check` session), once with three native
//    `sotto member` daemons and once each with the wasm member module (in
//    Node, in Chromium) beside two native daemons: the time from the close
//    to the verified result, and the wasm member's own computing time;
//  - the gzipped sizes of the page and member modules.
// Run through scripts/bench-wasm.sh (builds what it needs).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { answer, startRelay, survey } from "./bench-common.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.join(root, "target/npm/sotto");
const benchPkg = path.join(root, "target/npm/bench");
const sottoBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release/sotto");
const PASSPHRASE = "bench passphrase, not secret";
const CHECK = { comparisons: 1000, bits: 32 };
const RUNS = 200;

// The measured part, run in Node and in the page alike.
async function measure(web, member, link, answerJson, runs) {
  const p = await web.Participant.open(link);
  const a = JSON.parse(answerJson);
  if (!p.validate(a).valid) throw new Error("the benchmark answer is invalid");
  for (let i = 0; i < 10; i++) p.prepare(a);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) p.prepare(a);
  const participantMs = (performance.now() - t0) / runs;
  const cmp = member.benchCompare(3, 1000, 32);
  return { participantMs, compare: cmp };
}

// A native member key file made by `sotto keygen`; returns its public keys.
async function nativeKey(dir, name) {
  const file = path.join(dir, `${name}.key`);
  const out = await run(sottoBin, ["keygen", "--out", file]);
  const field = (label) => out.match(new RegExp(`^${label}:\\s*(\\S+)`, "m"))?.[1];
  return { name, file, x25519: field("x25519"), ed25519: field("ed25519") };
}

function run(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { ...process.env, SOTTO_PASSPHRASE: PASSPHRASE },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} ${args[0]}: ${err.trim()}`)),
    );
  });
}

// One committee check: `natives` are key files run as `sotto member`
// daemons; `wasm` (optional) is {publicKeys, start(link)} where start runs
// the wasm member and resolves to its {computingMs} once it has published.
async function checkRun(web, addr, natives, wasm) {
  const members = natives.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 }));
  if (wasm) members.push({ name: "wasm", x25519: wasm.publicKeys.x25519, ed25519: wasm.publicKeys.ed25519 });
  const org = await web.Organizer.create(`ws://${addr}/ws`, {
    title: "Committee check (benchmark)",
    kind: "check",
    schema: CHECK,
    committee: { members, threshold: 1 },
  });
  const links = org.links().members;
  const daemons = natives.map((m, i) => run(sottoBin, ["member", "--key", m.file, "--link", links[i]]));
  const wasmDone = wasm ? wasm.start(links[natives.length]) : Promise.resolve(null);
  // Let every member connect and fetch the manifest before the clock starts.
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = performance.now();
  await org.close();
  let result;
  while (!(result = await org.result())) await new Promise((r) => setTimeout(r, 20));
  const closeToResult = performance.now() - t0;
  const [wasmOut] = await Promise.all([wasmDone, ...daemons]);
  const check = result.result.check;
  if (!check?.correct || result.signers.length < 2) throw new Error(`check failed: ${JSON.stringify(result)}`);
  return { closeToResult, wasmComputing: wasmOut?.computingMs ?? null };
}

// Runs a member of the member module and times its computing stage.
async function runWasmMember(member, link, onProgress) {
  let computingAt = null;
  let publishedAt = null;
  await member.run(link, (p) => {
    if (p.stage === "computing" && computingAt === null) computingAt = performance.now();
    if (p.stage === "published") publishedAt = performance.now();
    if (onProgress) onProgress(p);
  });
  return { computingMs: publishedAt - computingAt };
}

const web = await import(pathToFileURL(path.join(pkg, "web/sotto.js")).href);
await web.default({ module_or_path: await readFile(path.join(pkg, "web/sotto_bg.wasm")) });
const member = await import(pathToFileURL(path.join(benchPkg, "sotto.js")).href);
await member.default({ module_or_path: await readFile(path.join(benchPkg, "sotto_bg.wasm")) });

const site = await mkdtemp(path.join(os.tmpdir(), "sotto-bench-site-"));
await symlink(pkg, path.join(site, "pkg"));
await symlink(benchPkg, path.join(site, "bench"));
await writeFile(path.join(site, "bench.html"), "<!doctype html><title>sotto bench</title><p>bench</p>");
const { child, addr } = await startRelay(site);
try {
  const keys = [0, 1, 2, 3, 4].map((i) => ({ name: `m${i + 1}`, ...web.CommitteeMember.generate().publicKeys() }));
  const org = await web.Organizer.create(`ws://${addr}/ws`, {
    title: "Benchmark survey",
    kind: "survey",
    schema: survey(),
    committee: { members: keys.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 })) },
    policy: { min_submissions: 5 },
  });
  const link = org.links().participants[0];
  const answerJson = JSON.stringify(answer());

  const rows = [];
  const nodeResult = await measure(web, member, link, answerJson, RUNS);
  rows.push(["node " + process.version, nodeResult]);

  // Committee checks over the relay.
  const keyDir = await mkdtemp(path.join(os.tmpdir(), "sotto-bench-keys-"));
  const natives = [];
  for (const name of ["n1", "n2", "n3"]) natives.push(await nativeKey(keyDir, name));
  const checks = [];
  checks.push(["3 native members", await checkRun(web, addr, natives, null)]);
  const memberMod = await import(pathToFileURL(path.join(pkg, "member/sotto.js")).href);
  await memberMod.default({ module_or_path: await readFile(path.join(pkg, "member/sotto_bg.wasm")) });
  const nodeMember = memberMod.CommitteeMember.generate();
  checks.push([
    `wasm member in node ${process.version} + 2 native`,
    await checkRun(web, addr, natives.slice(0, 2), {
      publicKeys: nodeMember.publicKeys(),
      start: (l) => runWasmMember(nodeMember, l),
    }),
  ]);

  let chromium = null;
  try {
    const { chromium: pw } = await import(
      pathToFileURL(path.join(root, "www/node_modules/playwright-core/index.mjs")).href
    );
    chromium = await pw.launch({
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
    const page = await chromium.newPage();
    await page.goto(`http://${addr}/bench.html`);
    const version = chromium.version();
    const r = await page.evaluate(
      async ({ link, answerJson, runs, measureSrc }) => {
        const web = await import("/pkg/web/sotto.js");
        await web.default();
        const member = await import("/bench/sotto.js");
        await member.default();
        const measure = eval(`(${measureSrc})`);
        return measure(web, member, link, answerJson, runs);
      },
      { link, answerJson, runs: RUNS, measureSrc: measure.toString() },
    );
    rows.push(["chromium " + version, r]);

    // A wasm member in the page beside two native daemons.
    const publicKeys = await page.evaluate(async () => {
      const m = await import("/pkg/member/sotto.js");
      await m.default();
      window.benchMember = m.CommitteeMember.generate();
      return window.benchMember.publicKeys();
    });
    const start = (l) =>
      page.evaluate(
        async ({ l, src }) => {
          await import("/pkg/member/sotto.js");
          const runWasmMember = eval(`(${src})`);
          return runWasmMember({ run: (link, cb) => window.benchMember.run(link, cb) }, l);
        },
        { l, src: runWasmMember.toString() },
      );
    checks.push([
      `wasm member in chromium ${version} + 2 native`,
      await checkRun(web, addr, natives.slice(0, 2), { publicKeys, start }),
    ]);
  } catch (e) {
    rows.push(["chromium", { error: String(e.message ?? e) }]);
  } finally {
    if (chromium) await chromium.close();
  }

  const { readFileSync } = await import("node:fs");
  const webGz = gzipSync(readFileSync(path.join(pkg, "web/sotto_bg.wasm")), { level: 9 }).length;
  const memberGz = gzipSync(readFileSync(path.join(pkg, "member/sotto_bg.wasm")), { level: 9 }).length;

  console.log(
    "| runtime | prepare 20-question answer, 5 members (ms) | 1,000 × 32-bit lt, 3 members (ms) | rounds | bytes/party |",
  );
  console.log("|---|---|---|---|---|");
  for (const [name, r] of rows) {
    if (r.error) {
      console.log(`| ${name} | error: ${r.error} | | | |`);
      continue;
    }
    console.log(
      `| ${name} | ${r.participantMs.toFixed(2)} | ${r.compare.ms.toFixed(1)} | ${r.compare.rounds}+${r.compare.prepRounds} prep | ${r.compare.bytesPerParty} |`,
    );
  }
  console.log(
    `\nCommittee check over the relay: ${CHECK.comparisons} × ${CHECK.bits}-bit comparisons, 3 members, t = 1 (localhost)\n`,
  );
  console.log("| committee | close → verified result (ms) | wasm member computing (ms) |");
  console.log("|---|---|---|");
  for (const [name, c] of checks) {
    console.log(
      `| ${name} | ${c.closeToResult.toFixed(0)} | ${c.wasmComputing === null ? "—" : c.wasmComputing.toFixed(0)} |`,
    );
  }
  console.log(
    `\nwasm gzipped: page module ${(webGz / 1024).toFixed(1)} KB, member module ${(memberGz / 1024).toFixed(1)} KB`,
  );
} finally {
  child.kill("SIGKILL");
}
