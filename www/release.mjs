// The release key and the signature of a build (docs/web.md, "Pinning"):
//
//   node www/release.mjs key FILE        writes a new Ed25519 release key
//                                        (PKCS#8 PEM, mode 0600; never
//                                        overwrites) and prints its public key
//   node www/release.mjs public FILE     prints the public key of FILE
//   node www/release.mjs sign DIST FILE [--next-key PUBLIC]
//                                        signs DIST/build.json with FILE;
//                                        --next-key (a public key, base64)
//                                        hands the pin over to another key
//
// Signing sets build.json's `releaseKey` (the raw public key, base64) and
// `signedAt` (now, ISO 8601; the service worker accepts an update only
// when it is later than the pinned build's), rewrites build.json (and its
// compressed copies) and writes build.json.sig: the base64 Ed25519
// signature of build.json's exact bytes. The service worker (www/src/sw.js)
// pins the first build it sees with its release key and later accepts a
// changed build only with a signature by that key. A build with
// `nextKey` (signed by the current key) moves the pin to that key: how an
// operator rotates the release key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

/** The raw Ed25519 public key (base64) of a private key object. */
export function publicKeyOf(privateKey) {
  const der = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return der.subarray(der.length - 32).toString("base64");
}

/** Writes a new release key to `file` (refusing to replace one); returns its public key. */
export function newKey(file) {
  if (existsSync(file)) throw new Error(`${file} exists: a release key is never overwritten`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ed25519");
  writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  return publicKeyOf(privateKey);
}

/** Reads a release key file. */
export function readKey(file) {
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${file} is not an Ed25519 key`);
  return key;
}

function writeCompressed(path, bytes) {
  writeFileSync(path, bytes);
  writeFileSync(`${path}.br`, brotliCompressSync(bytes));
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
}

/**
 * Signs DIST/build.json with `key` (a KeyObject): sets `releaseKey`,
 * `signedAt` (now unless given) and `nextKey` (when given: the public key,
 * base64, the pin moves to), writes build.json and build.json.sig.
 */
export function signBuild(dist, key, { signedAt = new Date().toISOString(), nextKey } = {}) {
  const file = join(dist, "build.json");
  const build = JSON.parse(readFileSync(file, "utf8"));
  build.releaseKey = publicKeyOf(key);
  build.signedAt = signedAt;
  if (nextKey) build.nextKey = nextKey;
  else delete build.nextKey;
  const bytes = Buffer.from(`${JSON.stringify(build, null, 2)}\n`);
  writeCompressed(file, bytes);
  writeFileSync(join(dist, "build.json.sig"), `${sign(null, bytes, key).toString("base64")}\n`);
  return build;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, ...args] = process.argv.slice(2);
  try {
    if (cmd === "key" && args.length === 1) {
      console.log(`release key ${args[0]}: public ${newKey(args[0])}`);
    } else if (cmd === "public" && args.length === 1) {
      console.log(publicKeyOf(readKey(args[0])));
    } else if (cmd === "sign" && (args.length === 2 || (args.length === 4 && args[2] === "--next-key"))) {
      const nextKey = args[3];
      if (nextKey !== undefined && Buffer.from(nextKey, "base64").length !== 32) {
        throw new Error("--next-key: a raw Ed25519 public key in base64 (node www/release.mjs public FILE)");
      }
      const build = signBuild(args[0], readKey(args[1]), { nextKey });
      console.log(`[release] signed ${join(args[0], "build.json")}: version ${build.version}, key ${build.releaseKey}`);
    } else {
      console.error("usage: node www/release.mjs key FILE | public FILE | sign DIST FILE [--next-key PUBLIC]");
      process.exit(2);
    }
  } catch (err) {
    console.error(`release: ${err.message}`);
    process.exit(1);
  }
}
