// IndexedDB storage of committee member keys for the sotto wasm package.
// Keys live in the origin's database "sotto", object store "member-keys",
// under a name the app chooses. Works in pages and in Web Workers.
//
// A stored key is kept where no script can read it: as two
// non-extractable WebCrypto keys (X25519 and Ed25519), which the member
// uses only through crypto.subtle (x25519 and ed25519Sign below), beside
// its public keys and, when the member chose a passphrase, its passphrase
// key file (the only way to export it):
//
//   {format: "sotto-webcrypto-v1", x25519: CryptoKey, ed25519: CryptoKey,
//    public: Uint8Array(64), keyfile?: Uint8Array}
//
// Where WebCrypto has no X25519 or Ed25519, a key is kept only as its
// passphrase key file, unlocked with the passphrase when it is used:
//
//   {format: "sotto-keyfile-v1", public: Uint8Array(64), keyfile: Uint8Array}
//
// and an organizer's circle keys, stored without a key file there, are
// sealed as earlier versions sealed every key (below).
//
// Records of earlier versions still open: the secret sealed with AES-GCM
// under a non-extractable wrapping key ("sotto-sealed-v1", which a script
// on the origin can ask the wrapping key to open), and before that the raw
// 64 bytes (sealed when first read). The console offers to store those
// again in the current format (docs/threat-model.md, "Member keys in the
// browser").

const DB = "sotto";
const STORE = "member-keys";
const WRAPPING = "wrapping-keys";
const WRAPPING_ID = "member-keys-v1";
const FORMAT = "sotto-sealed-v1";
const WEBCRYPTO = "sotto-webcrypto-v1";
const KEYFILE = "sotto-keyfile-v1";

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("IndexedDB is not available here"));
      return;
    }
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      if (!db.objectStoreNames.contains(WRAPPING)) db.createObjectStore(WRAPPING);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function run(store, mode, f) {
  return open().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(store, mode);
        const req = f(tx.objectStore(store));
        tx.oncomplete = () => {
          db.close();
          resolve(req.result);
        };
        tx.onerror = () => {
          db.close();
          reject(tx.error);
        };
        tx.onabort = () => {
          db.close();
          reject(tx.error);
        };
      }),
  );
}

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new Error(
      "this page cannot protect a stored key (no WebCrypto: open the app over https); keep the key as a passphrase key file instead",
    );
  }
  return s;
}

/** The non-extractable AES-GCM key that seals member keys (made once per origin). */
async function wrappingKey() {
  const found = await run(WRAPPING, "readonly", (s) => s.get(WRAPPING_ID));
  if (found) return found;
  const key = await subtle().generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  // `add`, not `put`: if another tab or the worker made one meanwhile, keep theirs.
  await run(WRAPPING, "readwrite", (s) => s.add(key, WRAPPING_ID)).catch(() => undefined);
  return run(WRAPPING, "readonly", (s) => s.get(WRAPPING_ID));
}

const aad = (name) => new TextEncoder().encode(`sotto/member-key/v1\0${name}`);

async function seal(name, bytes) {
  const key = await wrappingKey();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad(name) }, key, bytes));
  return { format: FORMAT, iv, sealed };
}

/**
 * Stores the keys `secret` (X25519 secret || Ed25519 seed) under `name`
 * as non-extractable WebCrypto keys, with their `publicKeys` and the
 * passphrase key file `keyfile` (empty: none). Without X25519 or Ed25519
 * in WebCrypto, stores the key file alone; without one, seals the secret
 * as earlier versions did when `sealable` (an organizer's circle keys,
 * made for one session on this device) and rejects otherwise. Never
 * replaces another key: a record already under `name` is replaced only
 * when `upgrade` is set and it is this key's (same public keys) or of an
 * earlier version (sealed, without public keys: the key being protected);
 * otherwise the call rejects and the stored record stays. Resolves to the
 * record's format.
 */
export async function keystorePut(name, secret, publicKeys, keyfile, sealable, upgrade) {
  // The arguments are views into wasm memory that is zeroized as soon as
  // this call returns: copy them now, before anything asynchronous.
  const copy = new Uint8Array(secret);
  /** @type {Record<string, unknown>} */
  const record = { public: new Uint8Array(publicKeys) };
  if (keyfile.length > 0) record.keyfile = new Uint8Array(keyfile);
  try {
    /** @type {Record<string, unknown>} */
    let stored = record;
    try {
      Object.assign(record, { format: WEBCRYPTO }, await importMemberKeys(copy));
    } catch (err) {
      // No X25519 or Ed25519 in WebCrypto: the key file alone, or, for a
      // circle key, sealed under the wrapping key as before.
      if (record.keyfile) record.format = KEYFILE;
      else if (sealable) stored = await seal(name, copy);
      else {
        throw new Error(
          `this browser cannot keep a key that scripts cannot read (${err?.message ?? err}): choose a passphrase, and the key is kept only as its passphrase key file`,
          { cause: err },
        );
      }
    }
    await putUnlessTaken(name, stored, (old) => upgrade && (!old?.public || same(old.public, record.public)));
    return stored.format;
  } finally {
    copy.fill(0);
  }
}

/**
 * Stores `record` under `name` in one transaction, unless a record is
 * there already and `replaceable(old)` is false: then rejects, naming
 * the key, and changes nothing (two tabs storing one name at once cannot
 * overwrite each other's key).
 */
async function putUnlessTaken(name, record, replaceable) {
  let taken = false;
  await run(STORE, "readwrite", (s) => {
    const req = s.get(name);
    req.onsuccess = () => {
      if (req.result === undefined || replaceable(req.result)) s.put(record, name);
      else taken = true;
    };
    return req;
  });
  if (taken) throw new Error(`a key named "${name}" is already stored in this browser`);
}

/** Whether two byte arrays are equal. */
function same(a, b) {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The record stored under `name`: a current record as it is, or, for a
 * record of an earlier version, the 64 secret bytes; `undefined` if none.
 */
export async function keystoreGet(name) {
  const record = await run(STORE, "readonly", (s) => s.get(name));
  if (record === undefined) return undefined;
  if (record instanceof Uint8Array || record instanceof ArrayBuffer) {
    // An unsealed record of an older version: seal it in place.
    const raw = new Uint8Array(record);
    if (globalThis.crypto?.subtle) {
      const sealed = await seal(name, raw);
      await run(STORE, "readwrite", (s) => s.put(sealed, name));
    }
    return raw;
  }
  if (record?.format === WEBCRYPTO) {
    await checkPublic(name, record);
    return record;
  }
  if (record?.format === KEYFILE) return record;
  if (record?.format !== FORMAT) throw new Error(`the stored key "${name}" has an unknown format`);
  const key = await wrappingKey();
  try {
    return new Uint8Array(
      await subtle().decrypt({ name: "AES-GCM", iv: record.iv, additionalData: aad(name) }, key, record.sealed),
    );
  } catch {
    throw new Error(`the stored key "${name}" cannot be opened with this origin's wrapping key`);
  }
}

/**
 * Rejects unless the record's CryptoKeys are the keys of its public keys:
 * X25519 of the base point is the public X25519 key, and a signature
 * verifies under the public Ed25519 key. A record whose keys were swapped
 * would otherwise open no part, claim wrong outputs and be named for them.
 * (Here rather than in the package: the member module's size.)
 */
async function checkPublic(name, record) {
  let matches = false;
  try {
    const base = new Uint8Array(32);
    base[0] = 9;
    const dh = await x25519(record.x25519, base);
    const probe = new TextEncoder().encode("sotto: the stored keys match their public keys");
    const signature = await subtle().sign({ name: "Ed25519" }, record.ed25519, probe);
    const verifying = await subtle().importKey("raw", record.public.slice(32, 64), { name: "Ed25519" }, false, [
      "verify",
    ]);
    matches =
      same(dh, record.public.slice(0, 32)) && (await subtle().verify({ name: "Ed25519" }, verifying, signature, probe));
  } catch {
    // Not CryptoKeys of these algorithms, or public keys of another shape.
  }
  if (!matches) throw new Error(`the stored key "${name}" is damaged: its keys are not those of its public keys`);
}

export function keystoreDelete(name) {
  return run(STORE, "readwrite", (s) => s.delete(name)).then(() => undefined);
}

export function keystoreList() {
  return run(STORE, "readonly", (s) => s.getAllKeys()).then((keys) => keys.map(String));
}

// The member's keys in WebCrypto. X25519 is RFC 7748 and Ed25519 RFC 8032
// on both sides, so WebCrypto gives byte for byte what the package
// computes with keys in memory (the wasm tests compare them in Node,
// Chromium and Firefox).

// PKCS#8 (RFC 8410) of a 32-byte private key: a fixed prefix, then the key.
const PKCS8 = {
  X25519: [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20],
  Ed25519: [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20],
};

function pkcs8(name, key) {
  const der = new Uint8Array(48);
  der.set(PKCS8[name]);
  der.set(key, 16);
  return der;
}

/**
 * Imports `secret` (X25519 secret || Ed25519 seed, 64 bytes) as two
 * non-extractable WebCrypto keys. Rejects where the browser has no X25519
 * or Ed25519 in WebCrypto (the caller then keeps the passphrase key file
 * only). The DER copies of the secrets are wiped.
 */
export async function importMemberKeys(secret) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("WebCrypto is not available (open the app over https)");
  const x = pkcs8("X25519", secret.subarray(0, 32));
  const e = pkcs8("Ed25519", secret.subarray(32, 64));
  try {
    const x25519 = await subtle.importKey("pkcs8", x, { name: "X25519" }, false, ["deriveBits"]);
    const ed25519 = await subtle.importKey("pkcs8", e, { name: "Ed25519" }, false, ["sign"]);
    return { x25519, ed25519 };
  } finally {
    x.fill(0);
    e.fill(0);
  }
}

/**
 * X25519 of the private key with the u-coordinate `u`. Rejects when
 * WebCrypto does: the package asks only about points that have an output
 * (sotto_core::keyfile::gives_no_output), so a rejection is a failure,
 * never an answer.
 */
export async function x25519(privateKey, u) {
  const subtle = globalThis.crypto.subtle;
  const peer = await subtle.importKey("raw", new Uint8Array(u), { name: "X25519" }, true, []);
  return new Uint8Array(await subtle.deriveBits({ name: "X25519", public: peer }, privateKey, 256));
}

/** The Ed25519 signature of `message` (64 bytes). */
export async function ed25519Sign(privateKey, message) {
  return new Uint8Array(await globalThis.crypto.subtle.sign({ name: "Ed25519" }, privateKey, new Uint8Array(message)));
}
