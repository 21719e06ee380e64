// Member keys at rest in the browser (crate/wasm/js/keystore.js;
// docs/threat-model.md, "Member keys in the browser"), on the real
// console page:
//   - a key generated in the console is stored as two non-extractable
//     WebCrypto keys (X25519, Ed25519) that cannot be exported, beside its
//     public keys and its passphrase key file: no field holds any 32-byte
//     run of the secret, which only the passphrase file opens;
//   - the stored keys are the member's: WebCrypto's X25519 and Ed25519
//     with them agree with the key file's secret;
//   - the console lists it after a reload, says it is unreadable, and
//     exports the stored key file, which imports again;
//   - a record of an earlier version (the raw 64 bytes, sealed when first
//     read) is reported as such and, protected with a passphrase, stored
//     again as WebCrypto keys, the same key;
//   - a sealed record moved under another name does not open;
//   - a record whose CryptoKeys are extractable, or not the keys of its
//     public keys, does not load;
//   - the console marks a name taken or kept for circle keys at its field,
//     stores nothing, and does not list circle keys;
//   - where WebCrypto has no X25519 (simulated by refusing the import),
//     only the passphrase key file is stored, and it unlocks to the key;
//     a key without a key file is refused there, and an organizer's
//     circle key is sealed.
import { BROWSER } from "./browsers.mjs";
import { runTest, log, assert } from "./lib.mjs";
import { memberKey, refuseX25519, MEMBER_PASSPHRASE } from "./flows.mjs";

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

/** Whether `haystack` holds any 32-byte run of `needle` (arrays of numbers). */
function holdsRun(haystack, needle) {
  for (let i = 0; i + 32 <= needle.length; i++) {
    const run = needle.slice(i, i + 32).join(",");
    for (let j = 0; j + 32 <= haystack.length; j++) {
      if (haystack.slice(j, j + 32).join(",") === run) return true;
    }
  }
  return false;
}

await runTest("keys", async ({ relay, context }) => {
  const profile = await context();
  const page = await profile.newPage();
  const json = await memberKey(page, relay.origin, "Ada");
  await helpers(page);

  // The record: two non-extractable WebCrypto keys, the public keys and
  // the passphrase key file.
  const record = await page.evaluate(async (pass) => {
    const r = await globalThis.__idb.get("member-keys", "Ada");
    const exported = [];
    for (const k of [r.x25519, r.ed25519]) {
      try {
        await crypto.subtle.exportKey("pkcs8", k);
        exported.push("yes");
      } catch (e) {
        exported.push(e.name);
      }
    }
    const sotto = await globalThis.__sotto();
    const m = await sotto.CommitteeMember.load("Ada");
    const secret = Array.from(m.unlock(pass));
    // The stored keys are the member's: X25519 with a fresh peer key and an
    // Ed25519 signature, checked against the secret from the key file.
    const peer = await crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
    const stored = new Uint8Array(
      await crypto.subtle.deriveBits({ name: "X25519", public: peer.publicKey }, r.x25519, 256),
    );
    const prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];
    const fromFile = await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array([...prefix, ...secret.slice(0, 32)]),
      { name: "X25519" },
      false,
      ["deriveBits"],
    );
    const expected = new Uint8Array(
      await crypto.subtle.deriveBits({ name: "X25519", public: peer.publicKey }, fromFile, 256),
    );
    const message = new TextEncoder().encode("sotto");
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, r.ed25519, message);
    const edPublic = await crypto.subtle.importKey("raw", r.public.slice(32), { name: "Ed25519" }, true, ["verify"]);
    const verifies = await crypto.subtle.verify({ name: "Ed25519" }, edPublic, signature, message);
    const fields = [r.public, r.keyfile].map((f) => Array.from(f ?? []));
    return {
      format: r.format,
      algorithms: [r.x25519?.algorithm?.name, r.ed25519?.algorithm?.name],
      extractable: [r.x25519?.extractable, r.ed25519?.extractable],
      usages: [r.x25519?.usages, r.ed25519?.usages].map((u) => (u ?? []).join(",")),
      exported,
      storage: m.storage,
      hasKeyFile: m.hasKeyFile,
      fields,
      secret,
      sameDh: stored.every((b, i) => b === expected[i]),
      verifies,
      keys: Object.keys(r).sort(),
    };
  }, MEMBER_PASSPHRASE);
  log(
    `stored record: ${record.format}, ${record.algorithms}, extractable ${record.extractable}, export: ${record.exported}, fields ${record.keys}`,
  );
  assert(record.format === "sotto-webcrypto-v1", `stored as WebCrypto keys: ${record.format}`);
  assert(record.algorithms.join() === "X25519,Ed25519", `the algorithms: ${record.algorithms}`);
  assert(
    record.extractable.every((e) => e === false),
    "both keys are non-extractable",
  );
  assert(record.usages.join("|") === "deriveBits|sign", `usages: ${record.usages}`);
  assert(
    record.exported.every((e) => e === "InvalidAccessError"),
    `they cannot be exported: ${record.exported}`,
  );
  assert(record.keys.join() === "ed25519,format,keyfile,public,x25519", `no other field: ${record.keys}`);
  assert(!record.fields.some((f) => holdsRun(f, record.secret)), "no stored field holds the secret's bytes");
  assert(record.sameDh && record.verifies, "the stored keys compute the member's X25519 and Ed25519");
  assert(record.storage === "unreadable" && record.hasKeyFile, `kept unreadable, with a key file: ${record.storage}`);

  // The console lists it after a reload, says so, and exports the key
  // file it kept, which imports the same key.
  await page.reload();
  await page.getByText(json.fingerprint).first().waitFor();
  const storage = await page.locator("#key-storage").getAttribute("data-storage");
  assert(storage === "unreadable", `the console says how the key is kept: ${storage}`);
  await helpers(page);
  const exported = await page.evaluate(async (pass) => {
    const sotto = await globalThis.__sotto();
    const m = await sotto.CommitteeMember.load("Ada");
    const again = sotto.CommitteeMember.fromKeyFile(m.exportKeyFile(), pass);
    let copied;
    try {
      await m.save("Copy");
      copied = "stored again";
    } catch (e) {
      copied = e.code;
    }
    return { fingerprint: again.publicKeys().fingerprint, copied };
  }, MEMBER_PASSPHRASE);
  assert(exported.fingerprint === json.fingerprint, "the exported key file imports the same key");
  assert(exported.copied === "bad_key", `a stored key cannot be stored again: ${exported.copied}`);
  log(`exported and imported again: ${json.fingerprint}`);

  // Another key never replaces a stored one (two tabs choosing one name,
  // or an embedder's second save): the call fails, the stored key stays.
  const replaced = await page.evaluate(async (pass) => {
    const sotto = await globalThis.__sotto();
    const out = [];
    for (const how of ["save", "saveProtected"]) {
      const other = sotto.CommitteeMember.generate();
      try {
        await (how === "save" ? other.save("Ada") : other.saveProtected("Ada", pass));
        out.push(`${how}: stored`);
      } catch (e) {
        out.push(`${how}: ${e.code}: ${e.message}`);
      }
    }
    const still = await sotto.CommitteeMember.load("Ada");
    return { out, fingerprint: still.publicKeys().fingerprint };
  }, MEMBER_PASSPHRASE);
  log(`another key under "Ada": ${replaced.out.join("; ")}`);
  for (const line of replaced.out) {
    assert(/^\w+: storage: .*a key named "Ada" is already stored/.test(line), `refused: ${line}`);
  }
  assert(replaced.fingerprint === json.fingerprint, "the stored key is unchanged");

  // A record of an earlier version: the raw bytes are sealed when first
  // read, reported as such, and stored again as WebCrypto keys once
  // protected with a passphrase.
  const old = await page.evaluate(async () => {
    const raw = crypto.getRandomValues(new Uint8Array(64));
    await globalThis.__idb.put("member-keys", "Old", raw);
    const sotto = await globalThis.__sotto();
    const first = await sotto.CommitteeMember.load("Old");
    const sealed = await globalThis.__idb.get("member-keys", "Old");
    const fingerprint = first.publicKeys().fingerprint;
    const storage = first.storage;
    const kept = await first.saveProtected("Old", "a passphrase of length");
    const r = await globalThis.__idb.get("member-keys", "Old");
    const again = await sotto.CommitteeMember.load("Old");
    return {
      sealed: sealed?.format,
      storage,
      kept,
      format: r?.format,
      same: again.publicKeys().fingerprint === fingerprint,
      file:
        sotto.CommitteeMember.fromKeyFile(again.exportKeyFile(), "a passphrase of length").publicKeys().fingerprint ===
        fingerprint,
      raw: holds(r, raw),
    };
    function holds(record, bytes) {
      const all = [record.public, record.keyfile].map((f) => Array.from(f ?? []).join(","));
      return all.some((f) => f.includes(Array.from(bytes.slice(0, 32)).join(",")));
    }
  });
  log(`an earlier record: ${JSON.stringify(old)}`);
  assert(old.sealed === "sotto-sealed-v1" && old.storage === "sealed", "an old raw record is sealed and reported");
  assert(old.kept === "unreadable" && old.format === "sotto-webcrypto-v1", "protected, it is stored unreadable");
  assert(old.same && old.file && !old.raw, "the same key, its file opening to it, no raw bytes");

  // A sealed record moved under another name does not open.
  const moved = await page.evaluate(async () => {
    const sealed = await globalThis.__idb.get("wrapping-keys", "member-keys-v1");
    const sotto = await globalThis.__sotto();
    const raw = crypto.getRandomValues(new Uint8Array(64));
    await globalThis.__idb.put("member-keys", "Eve", raw);
    await sotto.CommitteeMember.load("Eve");
    await globalThis.__idb.put("member-keys", "Mallory", await globalThis.__idb.get("member-keys", "Eve"));
    try {
      await sotto.CommitteeMember.load("Mallory");
      return "opened";
    } catch (e) {
      return `${e.code}: ${e.message} (${sealed instanceof CryptoKey})`;
    }
  });
  log(`a record moved under "Mallory": ${moved}`);
  assert(/^storage: .*cannot be opened/.test(moved), `a moved record does not open: ${moved}`);
  // The console says so, and still lists the keys that open.
  await page.reload();
  await page.getByText(json.fingerprint).first().waitFor();
  await page.getByText('the stored key "Mallory" cannot be opened').first().waitFor();
  await helpers(page);

  // A record whose CryptoKeys a script could read (extractable, here the
  // member's own keys) is damaged, never "unreadable"; so is one whose
  // X25519 key is another key's.
  const damaged = await page.evaluate(async (secret) => {
    const ada = await globalThis.__idb.get("member-keys", "Ada");
    const der = (oid, key) =>
      new Uint8Array([
        0x30,
        0x2e,
        0x02,
        0x01,
        0x00,
        0x30,
        0x05,
        0x06,
        0x03,
        0x2b,
        0x65,
        oid,
        0x04,
        0x22,
        0x04,
        0x20,
        ...key,
      ]);
    const readable = {
      ...ada,
      x25519: await crypto.subtle.importKey("pkcs8", der(0x6e, secret.slice(0, 32)), { name: "X25519" }, true, [
        "deriveBits",
      ]),
      ed25519: await crypto.subtle.importKey("pkcs8", der(0x70, secret.slice(32)), { name: "Ed25519" }, true, ["sign"]),
    };
    const other = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
    const swapped = { ...ada, x25519: other.privateKey };
    const sotto = await globalThis.__sotto();
    const out = {};
    for (const [name, value] of [
      ["Readable", readable],
      ["Swapped", swapped],
    ]) {
      await globalThis.__idb.put("member-keys", name, value);
      try {
        await sotto.CommitteeMember.load(name);
        out[name] = "loaded";
      } catch (err) {
        out[name] = `${err.code}: ${err.message}`;
      } finally {
        await sotto.CommitteeMember.forget(name);
      }
    }
    return out;
  }, record.secret);
  log(`damaged records: ${JSON.stringify(damaged)}`);
  assert(damaged.Readable === "bad_key: the stored key is damaged", `extractable keys refused: ${damaged.Readable}`);
  assert(
    /^storage: .*"Swapped" is damaged: its keys are not those/.test(damaged.Swapped),
    `swapped keys refused: ${damaged.Swapped}`,
  );

  // The console's forms: a name taken or kept for circle keys is marked at
  // its field and nothing is stored; circle keys are not listed.
  await page.evaluate(async () => {
    const ada = await globalThis.__idb.get("member-keys", "Ada");
    await globalThis.__idb.put("member-keys", "circle-test-1", ada);
  });
  await page.reload();
  await page.getByText(json.fingerprint).first().waitFor();
  await helpers(page);
  assert((await page.getByText("circle-test-1").count()) === 0, "circle keys are not listed");
  for (const [name, message] of [
    ["Ada", 'a key named "Ada" already exists'],
    ["circle-mine", 'Names beginning with "circle-" are kept for the keys'],
  ]) {
    await page.getByLabel("Your name, as participants will see it").first().fill(name);
    await page.locator("#generate-passphrase").fill(MEMBER_PASSPHRASE);
    await page.getByRole("button", { name: "Generate key" }).click();
    const note = page.locator("#member-name[aria-invalid=true]");
    await note.waitFor();
    const text = await page.locator(".field.invalid .field-error").first().textContent();
    assert(text.includes(message), `${name}: ${text}`);
  }
  const names = await page.evaluate(async () => (await globalThis.__sotto()).CommitteeMember.stored());
  assert(names.sort().join() === "Ada,Eve,Mallory,Old,circle-test-1", `nothing stored: ${names}`);

  // Where WebCrypto has no X25519: only the passphrase key file is kept.
  const bare = await (await context()).newPage();
  await bare.addInitScript(refuseX25519);
  const plain = await memberKey(bare, relay.origin, "Bob");
  await helpers(bare);
  const fallback = await bare.evaluate(async (pass) => {
    const r = await globalThis.__idb.get("member-keys", "Bob");
    const sotto = await globalThis.__sotto();
    const m = await sotto.CommitteeMember.load("Bob");
    const secret = m.unlock(pass);
    return {
      format: r.format,
      keys: Object.keys(r).sort(),
      storage: m.storage,
      secret: secret.length,
      fingerprint: sotto.CommitteeMember.fromKeyFile(m.exportKeyFile(), pass).publicKeys().fingerprint,
    };
  }, MEMBER_PASSPHRASE);
  log(`without X25519 in WebCrypto: ${JSON.stringify(fallback)}`);
  assert(
    fallback.format === "sotto-keyfile-v1" && fallback.keys.join() === "format,keyfile,public",
    "the key file only",
  );
  assert(fallback.storage === "passphrase" && fallback.secret === 64, "it unlocks with its passphrase");
  assert(fallback.fingerprint === plain.fingerprint, "to the same key");
  const unlock = await bare.locator("#key-storage").getAttribute("data-storage");
  assert(unlock === "passphrase", `the console says so: ${unlock}`);
  // There, a key without a key file is refused, but an organizer's circle
  // keys (one session on this device) are sealed as before.
  const circle = await bare.evaluate(async () => {
    const m = await import(new URL("pkg/organizer/sotto.js", document.baseURI).href);
    await m.default();
    const key = m.CommitteeMember.generate();
    let plainSave;
    try {
      await key.save("Plain");
      plainSave = "stored";
    } catch (err) {
      plainSave = err.code;
    }
    const kept = await key.saveForSession("circle-fallback-1");
    const r = await globalThis.__idb.get("member-keys", "circle-fallback-1");
    const names = await (await globalThis.__sotto()).CommitteeMember.stored();
    return { plainSave, kept, format: r?.format, plain: names.includes("Plain") };
  });
  log(`circle keys without X25519: ${JSON.stringify(circle)}`);
  assert(circle.plainSave === "storage" && !circle.plain, `a key without a key file is refused: ${circle.plainSave}`);
  assert(circle.kept === "sealed" && circle.format === "sotto-sealed-v1", "a circle key is sealed");
  log(`keys checks passed in ${BROWSER}`);
});
