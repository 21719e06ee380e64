// Key fingerprints, computed here from pasted public keys so a pasted
// "fingerprint" field cannot claim someone else's identity. Same as the
// core: SHA-256("sotto/fingerprint/v1\0" || x25519 || ed25519), first 20
// bytes as ten groups of four hex digits.

const LABEL = new TextEncoder().encode("sotto/fingerprint/v1\0");

function bytesOfHex(hex) {
  if (!/^[0-9a-fA-F]{64}$/.test(hex ?? "")) return null;
  return Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
}

/** The fingerprint, or null when a key is malformed or WebCrypto is unavailable (plain http on a LAN address). */
export async function fingerprintOf(x25519, ed25519) {
  const x = bytesOfHex(x25519);
  const e = bytesOfHex(ed25519);
  if (!x || !e || !globalThis.crypto?.subtle) return null;
  const input = new Uint8Array(LABEL.length + 64);
  input.set(LABEL, 0);
  input.set(x, LABEL.length);
  input.set(e, LABEL.length + 32);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  const hex = Array.from(digest.slice(0, 20), (b) => b.toString(16).padStart(2, "0")).join("");
  return hex.match(/.{4}/g).join(" ");
}

/** Whether `hex` is a 32-byte hex key. */
export function isKeyHex(hex) {
  return bytesOfHex(hex) !== null;
}
