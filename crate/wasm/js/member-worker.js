// Runs a committee member in a Web Worker (worker.js) and relays its
// progress to the page. The member's key must be stored in IndexedDB
// under `keyName` (CommitteeMember.save) before the call; a key kept only
// as its key file is passed as `secret` instead (CommitteeMember.unlock),
// moved to the worker (this side's copy is detached).
export function runMemberInWorker(link, keyName, onProgress, secret) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "progress") {
        if (onProgress) onProgress(msg.progress);
      } else if (msg.type === "done") {
        worker.terminate();
        resolve(msg.outcome);
      } else if (msg.type === "error") {
        worker.terminate();
        const { code, culprits, evidence } = msg;
        reject(Object.assign(new Error(msg.message), { code, culprits, evidence }));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(Object.assign(new Error(event.message || "the worker failed"), { code: "internal" }));
    };
    if (secret instanceof Uint8Array) worker.postMessage({ type: "run", link, keyName, secret }, [secret.buffer]);
    else worker.postMessage({ type: "run", link, keyName });
  });
}
