// The app from another origin than the relay (docs/web.md, "Another
// origin"): the relay runs with `--no-static`, a second server on another
// port serves a copy of www/dist pointed at the relay (www/set-relay.mjs).
// The organizer creates a session there, its links lead to the app's origin
// and carry the relay, a participant answers through such a link (on the
// page and in the widget), the demo committee computes and the read link
// shows the verified result.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { ROOT, runTest, log, assert } from "./lib.mjs";
import { circleVote, openParticipant, submitAnswer, closeSession, openResults } from "./flows.mjs";

const dist = mkdtempSync(join(tmpdir(), "sotto-app-"));
cpSync(join(ROOT, "www", "dist"), dist, { recursive: true });
process.on("exit", () => rmSync(dist, { recursive: true, force: true }));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** A plain static host for `dir` on a loopback port: files only, no relay. */
async function staticHost(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

await runTest(
  "origin",
  async ({ relay, context, allowOrigin }) => {
    // The relay serves no files.
    const home = await fetch(`${relay.origin}/`);
    assert(home.status === 404, `the relay runs --no-static (GET / = ${home.status})`);

    const set = spawnSync(process.execPath, [join(ROOT, "www/set-relay.mjs"), dist, relay.origin], {
      encoding: "utf8",
    });
    assert(set.status === 0, `set-relay: ${set.stderr}`);
    const app = await staticHost(dist);
    allowOrigin(app.origin);
    log(`app at ${app.origin}, relay at ${relay.origin}`);
    try {
      const org = await (await context()).newPage();
      const links = await circleVote(org, app.origin, "Two origins");
      const relayParam = `relay=${encodeURIComponent(relay.origin)}`;
      for (const link of [...links.members, ...links.participants, links.read]) {
        assert(link.startsWith(`${app.origin}/#`), `a link to the app's origin: ${link}`);
        assert(link.includes(relayParam), `the link carries the relay: ${link}`);
      }

      const page = await (await context()).newPage();
      await openParticipant(page, links.participants[0]);
      await page.getByLabel("A", { exact: true }).check();
      const outcome = await submitAnswer(page);
      assert(outcome === "sent", `the answer reached the relay: ${outcome}`);
      log("participant answered through the app's origin");

      // The widget, embedded in a page of the app's host, with the same link.
      const site = await (await context()).newPage();
      await site.goto(`${app.origin}/embed-example.html#vote=${encodeURIComponent(links.participants[0])}`);
      const widget = site.locator("sotto-vote");
      await widget.getByRole("radio", { name: "B" }).check();
      await widget.getByRole("button", { name: "Encrypt and submit" }).click();
      await widget.getByText("Your answer was sent.").waitFor();
      log("the widget answered through the relay named in the link");

      // The demo committee (in the organizer's page, workers from the app's
      // origin) computes, and the read link verifies the result there.
      await closeSession(org);
      const reader = await (await context()).newPage();
      await openResults(reader, links.read);
      log("verified result on the app's origin");
    } finally {
      app.close();
    }
  },
  { dist, relayArgs: ["--no-static"] },
);
