// A committee member in a Web Worker, so the page stays responsive while
// the committee computes. Started by runMemberInWorker (member-worker.js).
//
// Messages in:  {type: "run", link, keyName, secret?} (`secret`: the 64
//               bytes of a key kept only as its key file, unlocked by the
//               page with its passphrase; wiped once read, never stored)
// Messages out: {type: "progress", progress} | {type: "done", outcome}
//               | {type: "error", code, message, culprits?, evidence?}
import init, { CommitteeMember } from "./member/sotto.js";

self.onmessage = async (event) => {
  const { type, link, keyName, secret } = event.data ?? {};
  if (type !== "run") return;
  try {
    await init();
    let member;
    if (secret instanceof Uint8Array) {
      member = CommitteeMember.fromSecret(secret);
      secret.fill(0);
    } else {
      member = await CommitteeMember.load(keyName);
    }
    if (!member) {
      self.postMessage({ type: "error", code: "bad_key", message: `no stored key named "${keyName}"` });
      return;
    }
    const outcome = await member.run(link, (progress) => self.postMessage({ type: "progress", progress }));
    self.postMessage({ type: "done", outcome });
  } catch (err) {
    // A deviation names its members and may carry the signed proof
    // (member_deviated): both cross to the page with the message.
    self.postMessage({
      type: "error",
      code: err?.code ?? "internal",
      message: String(err?.message ?? err),
      culprits: Array.isArray(err?.culprits) ? err.culprits : undefined,
      evidence: err?.evidence instanceof Uint8Array ? err.evidence : undefined,
    });
  }
};
