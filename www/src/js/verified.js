// Lazy imports with Subresource Integrity. The built index.html lists, in a
// `sotto-modules` meta tag, every lazily loaded module (keyed by its source
// path) with the hashed files of its static graph and their SHA-384
// (www/build.mjs). Before a page's import, this preloads those files with
// `<link rel="modulepreload" integrity>`: the browser checks each hash and
// puts the module in its module map, so the import that follows runs only
// code whose hash the HTML fixed. A file that does not match is refused,
// and the import fails with code "app_tampered".
//
// From the unbuilt sources (no meta tag) the import runs as it is.

/** @type {Record<string, [string, string][]> | null | undefined} */
let table;

function modules() {
  if (table === undefined) {
    const meta = /** @type {HTMLMetaElement | null} */ (document.querySelector('meta[name="sotto-modules"]'));
    table = meta ? JSON.parse(meta.content) : null;
  }
  return table;
}

/** The module map's entries this page preloaded (or is preloading), by URL. */
const preloaded = new Map();

function preload(file, integrity) {
  const href = new URL(`assets/${file}`, document.baseURI).href;
  let done = preloaded.get(href);
  if (!done) {
    done = new Promise((resolve, reject) => {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.href = href;
      link.integrity = integrity;
      link.onload = () => resolve(undefined);
      link.onerror = () =>
        reject(
          Object.assign(new Error(`the app file ${file} does not match the hash the page fixed`), {
            code: "app_tampered",
          }),
        );
      document.head.append(link);
    });
    preloaded.set(href, done);
  }
  return done;
}

/**
 * Imports a lazily loaded module after checking its files' integrity.
 *
 * @template T
 * @param {string} key the module's source path (e.g. "js/views/participate.js")
 * @param {() => Promise<T>} load the `import()` itself
 * @returns {Promise<T>}
 */
export async function verifiedImport(key, load) {
  const table = modules();
  if (table) {
    const files = table[key];
    if (!files) throw Object.assign(new Error(`no integrity listed for ${key}`), { code: "app_tampered" });
    // All links at once, dependencies first, so that no module's fetch
    // starts before the preload that carries its hash.
    await Promise.all(files.map(([file, integrity]) => preload(file, integrity)));
  }
  return load();
}

/**
 * Starts the download of the wasm module `name` ("participant",
 * "organizer" or "console":
 * js/modules.js) with its integrity, as soon as the app knows its page,
 * so it overlaps the page's own modules (the table lists it under
 * `wasm:NAME`). The package's loader then fetches the same URL with the
 * same integrity and gets this response. Without the table (the unbuilt
 * sources), nothing.
 * @param {"participant" | "organizer" | "console" | null} name
 */
export function preloadWasm(name) {
  const files = name && modules()?.[`wasm:${name}`];
  if (!files) return;
  const [[file, integrity]] = files;
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "fetch";
  link.crossOrigin = "anonymous";
  link.href = new URL(`assets/${file}`, document.baseURI).href;
  link.integrity = integrity;
  document.head.append(link);
}
