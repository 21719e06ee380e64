// The wasm package's benchmark, in Node and in headless Chromium:
//  - participant: validate, secret-share and encrypt one answer to a
//    20-question survey for a 5-member committee (Participant.prepare),
//    mean over many runs after a warm-up;
//  - member: 1,000 secret 32-bit comparisons by a 3-member committee on
//    the in-memory network inside the member module (benchCompare), the
//    virtual time of one member on its own CPU, as `sotto bench engine`;
//  - the gzipped sizes of the page and member modules.
// Run through scripts/bench-wasm.sh (builds what it needs).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.join(root, "target/npm/sotto");
const relayBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release/sotto-relay");
const RUNS = 200;

function survey() {
  const questions = [];
  for (let i = 0; i < 20; i++) {
    const kinds = [
      { type: "number", min: 0, max: 1000, buckets: [0, 100, 500] },
      { type: "choice", options: ["a", "b", "c", "d"] },
      { type: "rating", scale: 5 },
      { type: "yesno" },
      { type: "multi", options: ["x", "y", "z"], max_selections: 2 },
    ];
    questions.push({ id: `q${i}`, text: `Question ${i}`, answer: kinds[i % 5] });
  }
  return { questions };
}

function answer() {
  const a = {};
  for (let i = 0; i < 20; i++) {
    a[`q${i}`] = [417, "c", 4, true, ["x", "z"]][i % 5];
  }
  return a;
}

async function startRelay(staticDir) {
  const data = await mkdtemp(path.join(os.tmpdir(), "sotto-bench-"));
  const child = spawn(relayBin, ["--listen", "127.0.0.1:0", "--data", data, "--static", staticDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const addr = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/sotto-relay listening on (\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`relay exited with ${code}`)));
  });
  return { child, addr };
}

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

const web = await import(pathToFileURL(path.join(pkg, "web/sotto.js")).href);
await web.default({ module_or_path: await readFile(path.join(pkg, "web/sotto_bg.wasm")) });
const member = await import(pathToFileURL(path.join(pkg, "member/sotto.js")).href);
await member.default({ module_or_path: await readFile(path.join(pkg, "member/sotto_bg.wasm")) });

const site = await mkdtemp(path.join(os.tmpdir(), "sotto-bench-site-"));
await symlink(pkg, path.join(site, "pkg"));
await writeFile(path.join(site, "bench.html"), "<!doctype html><title>sotto bench</title><p>bench</p>");
const { child, addr } = await startRelay(site);
try {
  const keys = [0, 1, 2, 3, 4].map((i) => ({ name: `m${i + 1}`, ...web.CommitteeMember.generate().publicKeys() }));
  const org = await web.Organizer.create(`ws://${addr}/ws`, {
    title: "Benchmark survey",
    survey: survey(),
    members: keys.map(({ name, x25519, ed25519 }) => ({ name, x25519, ed25519 })),
    policy: { min_submissions: 5 },
  });
  const link = org.links().participants[0];
  const answerJson = JSON.stringify(answer());

  const rows = [];
  const nodeResult = await measure(web, member, link, answerJson, RUNS);
  rows.push(["node " + process.version, nodeResult]);

  let chromium = null;
  try {
    const { chromium: pw } = await import(pathToFileURL(path.join(root, "www/node_modules/playwright-core/index.mjs")).href);
    chromium = await pw.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"],
    });
    const page = await chromium.newPage();
    await page.goto(`http://${addr}/bench.html`);
    const version = chromium.version();
    const r = await page.evaluate(
      async ({ link, answerJson, runs, measureSrc }) => {
        const web = await import("/pkg/web/sotto.js");
        await web.default();
        const member = await import("/pkg/member/sotto.js");
        await member.default();
        const measure = eval(`(${measureSrc})`);
        return measure(web, member, link, answerJson, runs);
      },
      { link, answerJson, runs: RUNS, measureSrc: measure.toString() },
    );
    rows.push(["chromium " + version, r]);
  } catch (e) {
    rows.push(["chromium", { error: String(e.message ?? e) }]);
  } finally {
    if (chromium) await chromium.close();
  }

  const { readFileSync } = await import("node:fs");
  const webGz = gzipSync(readFileSync(path.join(pkg, "web/sotto_bg.wasm")), { level: 9 }).length;
  const memberGz = gzipSync(readFileSync(path.join(pkg, "member/sotto_bg.wasm")), { level: 9 }).length;

  console.log("| runtime | prepare 20-question answer, 5 members (ms) | 1,000 × 32-bit lt, 3 members (ms) | rounds | bytes/party |");
  console.log("|---|---|---|---|---|");
  for (const [name, r] of rows) {
    if (r.error) {
      console.log(`| ${name} | error: ${r.error} | | | |`);
      continue;
    }
    console.log(`| ${name} | ${r.participantMs.toFixed(2)} | ${r.compare.ms.toFixed(1)} | ${r.compare.rounds}+${r.compare.prepRounds} prep | ${r.compare.bytesPerParty} |`);
  }
  console.log(`\nwasm gzipped: page module ${(webGz / 1024).toFixed(1)} KB, member module ${(memberGz / 1024).toFixed(1)} KB`);
} finally {
  child.kill("SIGKILL");
}
