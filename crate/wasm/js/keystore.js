// IndexedDB storage of committee member keys for the sotto wasm package.
// Keys live in the origin's database "sotto", object store "member-keys",
// under a name the app chooses. Works in pages and in Web Workers.

const DB = "sotto";
const STORE = "member-keys";

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("IndexedDB is not available here"));
      return;
    }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function run(mode, f) {
  return open().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = f(tx.objectStore(STORE));
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

export function keystorePut(name, bytes) {
  // `bytes` is a view into wasm memory that is zeroized as soon as this
  // call returns: copy it now, before the asynchronous open.
  const copy = new Uint8Array(bytes);
  return run("readwrite", (s) => s.put(copy, name)).then(() => undefined);
}

export function keystoreGet(name) {
  return run("readonly", (s) => s.get(name)).then((v) => (v === undefined ? undefined : new Uint8Array(v)));
}

export function keystoreDelete(name) {
  return run("readwrite", (s) => s.delete(name)).then(() => undefined);
}

export function keystoreList() {
  return run("readonly", (s) => s.getAllKeys()).then((keys) => keys.map(String));
}
