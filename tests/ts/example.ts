// A small app using the `sotto` package the way a web app would; checked
// by `tsc --noEmit` in CI so the published types stay usable.
import init, {
  CommitteeMember,
  Organizer,
  Participant,
  verifyResult,
  checkReceipt,
  answerSize,
  type KeyStorage,
  type LinkState,
  type Outcome,
  type Progress,
  type Receipt,
  type CheckSpec,
  type SessionDraft,
  type SessionStatus,
  type VerifiedResult,
} from "sotto/web";
import initParticipant, {
  Participant as Answering,
  verifyResult as verifyOnly,
  checkReceipt as checkOnly,
} from "sotto/participant";
import initOrganizer, { Organizer as Organizing, answerSize as sizeOf } from "sotto/organizer";
import initConsole, { CommitteeMember as KeyHolder } from "sotto/console";
import { runMemberInWorker } from "sotto/member-worker";
import initMember, { CommitteeMember as Member } from "sotto/member";
import initNode, { CommitteeMember as NodeMember } from "sotto/node";

async function organize(relay: string, members: CommitteeMember[]): Promise<string[]> {
  const draft: SessionDraft = {
    title: "Where should the bench go?",
    kind: "vote",
    schema: { method: "plurality", options: ["Park", "Library"], reveal: "winner" },
    committee: { members: members.map((m, i) => ({ name: `member ${i + 1}`, ...m.publicKeys() })) },
    policy: { min_submissions: 5, dp: { epsilon: 1.0 } },
    deadlines: { closes_at: Math.floor(Date.now() / 1000) + 86_400 },
    single_use: 10,
  };
  // Will one answer fit a relay frame for this committee?
  const [bytes, limit]: Float64Array = answerSize(
    JSON.stringify({ kind: draft.kind, schema: draft.schema }),
    members.length,
    null,
  );
  if (bytes > limit) throw new Error(`an answer would take ${bytes} bytes`);
  const org: Organizer = await Organizer.create(relay, draft);
  const saved: string = org.exportCapability();
  const again: Organizer = Organizer.importCapability(saved);
  const more: string[] = await again.mintLinks(5);
  const { participants, read } = org.links();
  const status: SessionStatus = await org.status();
  if (status.state === "open") console.log(`${status.submissions} answers so far`);
  await org.close();
  const result: VerifiedResult | null = await org.result();
  if (result) console.log(result.result, result.signers.length >= result.threshold + 1);
  console.log(read, more.length);
  return participants;
}

// A committee check before the real vote: no answers, a known result.
async function checkCommittee(relay: string, members: CommitteeMember[]): Promise<string[]> {
  const check: CheckSpec = { comparisons: 1000, bits: 32 };
  const draft: SessionDraft = {
    title: "Committee check",
    kind: "check",
    schema: check,
    committee: { threshold: 1, members: members.map((m, i) => ({ name: `member ${i + 1}`, ...m.publicKeys() })) },
  };
  const org = await Organizer.create(relay, draft);
  await org.close();
  return org.links().members;
}

async function participate(link: string): Promise<Receipt | undefined> {
  const p = await Participant.open(link);
  const committee = p.committee().map((m) => `${m.name}: ${m.fingerprint}`);
  console.log(p.title, p.kind, p.threshold, committee);
  const { state } = await p.linkState();
  if (state !== "open") return undefined;
  const answer = { choice: "Park" };
  const check = p.validate(answer);
  if (!check.valid) {
    console.log(check.message ?? "invalid");
    return undefined;
  }
  try {
    return await p.submit(answer);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "already_submitted") return undefined;
    throw e;
  }
}

// A participant's page with the smallest module (`sotto/participant`):
// answer, then check the receipt against the verified result.
async function answerAndCheck(link: string, readLink: string): Promise<string> {
  await initParticipant();
  const p: Answering = await Answering.open(link);
  const receipt: Receipt = await p.submit({ choice: "Park" });
  const verified: VerifiedResult = await verifyOnly(readLink);
  return checkOnly(verified, receipt.receipt, readLink);
}

// The organizer's pages with their own module (`sotto/organizer`): the
// size of an answer, and an organizer restored from its capability.
async function organizerPage(capability: string): Promise<string> {
  await initOrganizer();
  const [bytes] = sizeOf(JSON.stringify({ kind: "check", schema: { comparisons: 1, bits: 8 } }), 3);
  const org: Organizing = Organizing.importCapability(capability);
  return `${org.sessionId}: ${bytes} bytes an answer`;
}

// The committee console with its own module (`sotto/console`): a key
// file read, and the key stored.
async function consolePage(file: Uint8Array): Promise<string> {
  await initConsole();
  const key: KeyHolder = KeyHolder.fromKeyFile(file, "a long passphrase");
  await key.save("imported");
  const back: Uint8Array = key.toKeyFile("a long passphrase");
  return `${key.publicKeys().fingerprint} (${back.length} bytes)`;
}

// A member's page before joining: who of the committee is online.
async function whoIsOnline(memberLink: string): Promise<string[]> {
  const p = await Participant.open(memberLink);
  const live: LinkState = await p.linkState();
  return p
    .committee()
    .filter((m) => live.members?.[m.index - 1]?.online)
    .map((m) => `${m.name} (${live.state})`);
}

async function serve(link: string): Promise<Outcome> {
  const me = CommitteeMember.generate();
  const kept: KeyStorage = await me.saveProtected("my-key", "a long passphrase");
  const stored: string[] = await CommitteeMember.stored();
  const loaded: CommitteeMember | undefined = await CommitteeMember.load(stored[0]);
  const file: Uint8Array = loaded?.hasKeyFile ? loaded.exportKeyFile() : me.toKeyFile("a long passphrase");
  if (loaded?.storage === "passphrase" && kept === "passphrase") loaded.unlock("a long passphrase").fill(0);
  CommitteeMember.fromKeyFile(file, "a long passphrase");
  const onProgress = (p: Progress) => {
    if (p.stage === "collecting") console.log(p.submissions);
  };
  const inWorker: Outcome = await runMemberInWorker(link, "my-key", onProgress);
  await initMember();
  const stored2: Member | undefined = await Member.load("my-key");
  // A Node daemon reads a key file and computes with the node module.
  await initNode();
  const daemon = NodeMember.fromKeyFile(file, "a long passphrase");
  const direct: Outcome = await (stored2 ?? daemon).run(link, onProgress);
  return inWorker.valid > direct.valid ? inWorker : direct;
}

export async function main(relay: string): Promise<void> {
  await init();
  const members = [CommitteeMember.generate(), CommitteeMember.generate(), CommitteeMember.generate()];
  const memberLinks = await checkCommittee(relay, members);
  console.log(memberLinks.length, await whoIsOnline(memberLinks[0]));
  const links = await organize(relay, members);
  await participate(links[0]);
  console.log(await answerAndCheck(links[1], links[0]));
  const outcome = await serve(links[0]);
  const verified: VerifiedResult = await verifyResult(links[0]);
  const check: "counted" | "missing" | "unknown" = await checkReceipt(verified, "00".repeat(32), links[0]);
  console.log(outcome.result, verified.valid, verified.receipts?.count, check);
  const file = members[0].toKeyFile("a long passphrase");
  console.log(await organizerPage("{}"), await consolePage(file));
}
