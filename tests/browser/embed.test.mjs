// The embedding example: a plain page with <sotto-vote> submits through
// the widget's shadow DOM. The same session (circle mode, minimum of two
// submissions) then shows the "too few submissions" result, and a
// participant whose relay goes away sees the retrying state.

import { runTest, screenshot, axeCheck, log, assertEqual } from "./lib.mjs";
import { fillCreateForm, createSession, openParticipant, closeSession } from "./flows.mjs";

await runTest("embed", async ({ relay, context }) => {
  const origin = relay.origin;
  const org = await (await context()).newPage();
  await fillCreateForm(org, origin, {
    title: "Where should the new bench go?",
    kind: "vote",
    circle: 3,
    minSubmissions: 2,
  });
  const links = await createSession(org);
  await org.getByRole("button", { name: "Run the demo committee here" }).click();
  const open = links.participants[0];

  // A plain page with placeholder links shows what is wrong with them.
  const site = await (await context()).newPage();
  await site.goto(`${origin}/embed-example.html`);
  await site.locator("sotto-vote").getByText("This link is incomplete or damaged").waitFor();
  await screenshot(site, "embed-bad-link");

  // With a real link the widget renders the vote and submits.
  await site.goto(`${origin}/embed-example.html#vote=${encodeURIComponent(open)}`);
  await site.reload();
  const widget = site.locator("sotto-vote");
  await widget.getByRole("button", { name: "Encrypt and submit" }).waitFor();
  await widget.getByRole("radio", { name: "Library" }).check();
  await widget.getByText("Ready to submit.").waitFor();
  await axeCheck(site, "embed example");
  await screenshot(site, "embed-vote");
  await widget.getByRole("button", { name: "Encrypt and submit" }).click();
  await widget.getByText("Your answer was sent.").waitFor();
  await site.locator("#events", { hasText: "Submitted: receipt" }).waitFor();
  await screenshot(site, "embed-submitted");
  log("widget submitted");
  // One answer per browser in the widget too: reloaded, it shows that this
  // browser answered instead of the form.
  await site.reload();
  await widget.locator('[data-code="answered_here"]').waitFor();
  assertEqual(await widget.getByRole("button", { name: "Encrypt and submit" }).count(), 0, "no form after answering");
  await org.locator("#demo-status li", { hasText: "1 submission received" }).first().waitFor({ timeout: 30_000 });

  // A participant who opens the link while the session is open (a link
  // opened after the close says so at once, vote.test.mjs) and sends only
  // after the relay went away: see the end.
  const late = await (await context()).newPage();
  await openParticipant(late, open);
  await late.getByLabel("Park", { exact: true }).check();

  // One submission is below the session's minimum of two: nothing is revealed.
  await closeSession(org);
  await org.locator("#demo-status li[data-done]").nth(2).waitFor({ timeout: 150_000 });
  await org.goto(links.read);
  await org.locator('[data-code="suppressed"]').waitFor({ timeout: 60_000 });
  assertEqual(await org.locator('[data-verified="true"]').count(), 1, "suppressed result is still verified");
  await axeCheck(org, "results page (suppressed)");
  await screenshot(org, "results-too-few");

  // The relay goes away while that participant is on the page: retrying.
  relay.stop();
  await late.getByRole("button", { name: "Encrypt and submit" }).click();
  await late.locator('.feedback [data-code="relay_unreachable"]').waitFor();
  await late.getByRole("button", { name: "Try now" }).waitFor();
  await screenshot(late, "error-relay-unreachable");
});
