// The widget on someone else's site: a plain page served from another
// origin (a second HTTP server on another port, as any site would be)
// loads the relay's `widget.js` with one script tag and shows
// `<sotto-vote>` for a participant link. The module, its chunks, styles
// and the wasm come from the relay across origins (the relay allows any
// origin for its static files: docs/web.md, "Embedding"), and the answer
// reaches the relay and is counted.

import { createServer } from "node:http";
import { runTest, log, assert, assertEqual, screenshot } from "./lib.mjs";
import { fillCreateForm, createSession, closeSession, openResults, tableRows } from "./flows.mjs";

/** A one-page site on a loopback port whose page embeds the widget from `relay`. */
async function site(relay) {
  const page = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A site of its own</title></head>
  <body>
    <h1>A site of its own</h1>
    <script type="module" src="${relay}/widget.js"></script>
    <sotto-vote id="vote"></sotto-vote>
  </body>
</html>
`;
  const server = createServer((req, res) => {
    if (new URL(req.url, "http://x").pathname !== "/") {
      res.writeHead(404).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

await runTest("cross-site", async ({ relay, context, allowOrigin }) => {
  const host = await site(relay.origin);
  allowOrigin(host.origin);
  assert(host.origin !== relay.origin, "the site and the relay are different origins");
  log(`site at ${host.origin}, relay at ${relay.origin}`);
  try {
    const org = await (await context()).newPage();
    await fillCreateForm(org, relay.origin, {
      title: "Embedded elsewhere",
      kind: "vote",
      build: async (p) => p.locator("#vote-options").fill("A\nB"),
      circle: 3,
      minSubmissions: 1,
    });
    const links = await createSession(org);
    await org.getByRole("button", { name: "Run the demo committee here" }).click();

    const visitor = await (await context()).newPage();
    await visitor.goto(`${host.origin}/`);
    // The link is set from the page's script, as a site's CMS would.
    await visitor.evaluate((link) => document.getElementById("vote").setAttribute("link", link), links.participants[0]);
    const widget = visitor.locator("sotto-vote");
    await widget.getByRole("radio", { name: "B" }).check();
    await widget.getByRole("button", { name: "Encrypt and submit" }).click();
    await widget.getByText("Your answer was sent.").waitFor();
    await screenshot(visitor, "cross-site-widget-sent");
    log("the widget on another site answered through the relay");

    await closeSession(org);
    const reader = await (await context()).newPage();
    await openResults(reader, links.read);
    const rows = await tableRows(reader, "Votes per option");
    assertEqual(
      rows.map((r) => [r[0], r[1]]),
      [
        ["A", "0"],
        ["B", "1"],
      ],
      "the verified tally counts the embedded answer",
    );
    log("verified result counts the embedded answer");
  } finally {
    host.close();
  }
});
