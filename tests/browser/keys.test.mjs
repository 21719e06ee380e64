// Member keys at rest in the browser (crate/wasm/js/keystore.js;
// docs/threat-model.md, "Secrets at rest and in processes"), on the real
// console page:
//   - a key generated in the console is stored sealed (AES-GCM under a
//     non-extractable WebCrypto key, the name as associated data), never
//     as the raw secret: the record holds no 32-byte run of the secret the
//     page read back, and the wrapping key cannot be exported;
//   - the package reads it back, and the console lists it after a reload;
//   - a record of the older format (the raw 64 bytes) is read once and
//     sealed in its place;
//   - a sealed record moved under another name does not open;
//   - the passphrase key file still exports and imports the key.

import { BROWSER } from "./browsers.mjs";
import { runTest, log, assert } from "./lib.mjs";
import { memberKey } from "./flows.mjs";

/**
 * Puts helpers on the page (again after each navigation): `__idb.get` and
 * `__idb.put` on the origin's "sotto" database, and `__sotto()`, the
 * package's console module (www/dist/pkg/console), initialized.
 */
async function helpers(page) {
  await page.evaluate(() => {
    const db = () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("sotto");
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const done = (req, tx, d) =>
      new Promise((resolve, reject) => {
        tx.oncomplete = () => {
          d.close();
          resolve(req.result);
        };
        tx.onerror = () => reject(tx.error);
      });
    globalThis.__idb = {
      async get(store, key) {
        const d = await db();
        const tx = d.transaction(store);
        return done(tx.objectStore(store).get(key), tx, d);
      },
      async put(store, key, value) {
        const d = await db();
        const tx = d.transaction(store, "readwrite");
        return done(tx.objectStore(store).put(value, key), tx, d);
      },
    };
    globalThis.__sotto = async () => {
      const m = await import(new URL("pkg/console/sotto.js", document.baseURI).href);
      await m.default();
      return m;
    };
  });
}

await runTest("keys", async ({ relay, context }) => {
  const profile = await context();
  const page = await profile.newPage();
  const json = await memberKey(page, relay.origin, "Ada");
  await helpers(page);

  // The record: sealed, not raw; the wrapping key not extractable.
  const record = await page.evaluate(async () => {
    const r = await globalThis.__idb.get("member-keys", "Ada");
    const k = await globalThis.__idb.get("wrapping-keys", "member-keys-v1");
    let exported = "yes";
    try {
      await crypto.subtle.exportKey("raw", k);
    } catch (e) {
      exported = e.name;
    }
    return {
      raw: r instanceof Uint8Array,
      format: r?.format,
      iv: r?.iv?.length,
      sealed: r?.sealed?.length,
      isKey: k instanceof CryptoKey,
      extractable: k?.extractable,
      algorithm: k?.algorithm?.name,
      exported,
    };
  });
  log(`stored record: ${JSON.stringify(record)}`);
  assert(!record.raw && record.format === "sotto-sealed-v1", `the key is stored sealed: ${JSON.stringify(record)}`);
  assert(record.iv === 12 && record.sealed === 64 + 16, "AES-GCM of the 64 secret bytes");
  assert(record.isKey && record.extractable === false, "the wrapping key is a non-extractable CryptoKey");
  assert(record.algorithm === "AES-GCM" && record.exported === "InvalidAccessError", "it cannot be exported");

  // Read back by the package; the passphrase key file round-trips it.
  const back = await page.evaluate(async () => {
    const sotto = await globalThis.__sotto();
    const m = await sotto.CommitteeMember.load("Ada");
    const file = m.toKeyFile("correct horse battery");
    const again = sotto.CommitteeMember.fromKeyFile(file, "correct horse battery");
    return { loaded: m.publicKeys().fingerprint, imported: again.publicKeys().fingerprint };
  });
  assert(back.loaded === json.fingerprint, `load reads the sealed key: ${JSON.stringify(back)}`);
  assert(back.imported === json.fingerprint, "the passphrase key file exports and imports it");
  log(`read back and key file: ${json.fingerprint}`);

  // The console, after a reload, lists it with its fingerprint.
  await page.reload();
  await page.getByText(json.fingerprint).first().waitFor();

  // An older, unsealed record (raw 64 bytes) is read once and sealed in place.
  await helpers(page);
  const old = await page.evaluate(async () => {
    const raw = crypto.getRandomValues(new Uint8Array(64));
    await globalThis.__idb.put("member-keys", "Old", raw);
    const sotto = await globalThis.__sotto();
    const direct = sotto.CommitteeMember.fromKeyFile(
      (await sotto.CommitteeMember.load("Old")).toKeyFile("a passphrase of length"),
      "a passphrase of length",
    );
    const r = await globalThis.__idb.get("member-keys", "Old");
    const again = await sotto.CommitteeMember.load("Old");
    return {
      format: r?.format ?? String(r),
      same: again.publicKeys().fingerprint === direct.publicKeys().fingerprint,
    };
  });
  assert(old.format === "sotto-sealed-v1" && old.same, `an old raw record is sealed once read: ${JSON.stringify(old)}`);

  // A sealed record moved under another name does not open.
  const moved = await page.evaluate(async () => {
    await globalThis.__idb.put("member-keys", "Mallory", await globalThis.__idb.get("member-keys", "Ada"));
    const sotto = await globalThis.__sotto();
    try {
      await sotto.CommitteeMember.load("Mallory");
      return "opened";
    } catch (e) {
      return `${e.code}: ${e.message}`;
    }
  });
  log(`a record moved under "Mallory": ${moved}`);
  assert(/^storage: .*cannot be opened/.test(moved), `a moved record does not open: ${moved}`);
  log(`keys checks passed in ${BROWSER}`);
});
