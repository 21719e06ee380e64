import type { Outcome, Progress } from "./web/sotto.js";

/**
 * Runs a committee member in a Web Worker so the page stays responsive.
 * The key must have been stored with `CommitteeMember.save(keyName)` (or
 * `saveProtected`); a key kept only as its key file is passed as `secret`
 * (`CommitteeMember.unlock(passphrase)`), moved to the worker.
 * Rejects with an Error carrying the same `code`s as the package.
 */
export function runMemberInWorker(
  link: string,
  keyName: string,
  onProgress?: (p: Progress) => void,
  secret?: Uint8Array,
): Promise<Outcome>;
