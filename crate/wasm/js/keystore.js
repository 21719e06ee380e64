// IndexedDB storage of committee member keys for the sotto wasm package.
// Keys live in the origin's database "sotto", object store "member-keys",
// under a name the app chooses. Works in pages and in Web Workers.
//
// A stored key is never the raw secret: it is sealed with AES-256-GCM
// under a non-extractable WebCrypto key (object store "wrapping-keys",
// made on first use; no script can read its bytes, only use it on this
// origin), with the key's name as associated data:
//
//   {format: "sotto-sealed-v1", iv: Uint8Array(12), sealed: Uint8Array(80)}
//
// So a copy of the database (a profile backup, a disk image, an
// extension or tool that dumps storage) holds no member key. A script
// running on this origin can still ask the wrapping key to open a record:
// keys that scripts cannot read at all need the member's operations done
// by WebCrypto itself (docs/threat-model.md, "Secrets at rest and in
// processes"). Without WebCrypto (a page that is not a secure context)
// nothing is stored: the passphrase key file is then the only copy at rest.
// A record of an older version (the raw 64 bytes) is read once and sealed
// in its place.

const DB = "sotto";
const STORE = "member-keys";
const WRAPPING = "wrapping-keys";
const WRAPPING_ID = "member-keys-v1";
const FORMAT = "sotto-sealed-v1";

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

export async function keystorePut(name, bytes) {
  // `bytes` is a view into wasm memory that is zeroized as soon as this
  // call returns: copy it now, before anything asynchronous.
  const copy = new Uint8Array(bytes);
  try {
    const record = await seal(name, copy);
    await run(STORE, "readwrite", (s) => s.put(record, name));
  } finally {
    copy.fill(0);
  }
}

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

export function keystoreDelete(name) {
  return run(STORE, "readwrite", (s) => s.delete(name)).then(() => undefined);
}

export function keystoreList() {
  return run(STORE, "readonly", (s) => s.getAllKeys()).then((keys) => keys.map(String));
}
