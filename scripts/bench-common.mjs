// What the Node benchmarks share (bench-wasm.mjs, bench-load.mjs): the
// 20-question survey and its answer, and a release relay on a loopback port.
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const relayBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "release/sotto-relay");

/** A 20-question survey of every answer type. */
export function survey() {
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

/** A valid answer to `survey()`. */
export function answer() {
  const a = {};
  for (let i = 0; i < 20; i++) {
    a[`q${i}`] = [417, "c", 4, true, ["x", "z"]][i % 5];
  }
  return a;
}

/**
 * Starts the release `sotto-relay` on 127.0.0.1:0 serving `staticDir`;
 * resolves to `{child, addr, data}` (its data folder) once it listens.
 */
export async function startRelay(staticDir) {
  const data = await mkdtemp(path.join(os.tmpdir(), "sotto-bench-"));
  const child = spawn(relayBin, ["--listen", "127.0.0.1:0", "--data", data, "--static", staticDir], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
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
  child.stdout.resume();
  return { child, addr, data };
}
