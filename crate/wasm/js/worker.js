// A committee member in a Web Worker, so the page stays responsive while
// the committee computes. Started by runMemberInWorker (member-worker.js).
//
// Messages in:  {type: "run", link, keyName}
// Messages out: {type: "progress", progress} | {type: "done", outcome}
//               | {type: "error", code, message}
import init, { CommitteeMember } from "./member/sotto.js";

self.onmessage = async (event) => {
  const { type, link, keyName } = event.data ?? {};
  if (type !== "run") return;
  try {
    await init();
    const member = await CommitteeMember.load(keyName);
    if (!member) {
      self.postMessage({ type: "error", code: "bad_key", message: `no stored key named "${keyName}"` });
      return;
    }
    const outcome = await member.run(link, (progress) => self.postMessage({ type: "progress", progress }));
    self.postMessage({ type: "done", outcome });
  } catch (err) {
    self.postMessage({ type: "error", code: err?.code ?? "internal", message: String(err?.message ?? err) });
  }
};
