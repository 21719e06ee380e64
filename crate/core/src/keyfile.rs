//! Committee member keys and the passphrase-protected file that stores them.
//!
//! A member holds an X25519 static secret (RFC 7748: HPKE recipient key and
//! channel Diffie-Hellman) and an Ed25519 signing key (RFC 8032: result
//! signatures). Both are drawn from a CSPRNG passed in by the caller
//! ([`MemberKeys::generate`]) (the drivers pass the OS CSPRNG, `sotto_client::os_rng`).
//!
//! File format, version 1 (all integers big endian):
//!
//! ```text
//! offset  size  field
//!   0       8   magic "SOTTOKEY"
//!   8       1   version = 1
//!   9       1   KDF id = 1 (Argon2id, RFC 9106, version 0x13)
//!  10       4   Argon2 memory cost m in KiB
//!  14       4   Argon2 passes t
//!  18       4   Argon2 lanes p
//!  22      16   salt (random)
//!  38      12   nonce (random)
//!  50      32   X25519 public key   (cleartext, so `fingerprint` needs no passphrase)
//!  82      32   Ed25519 public key
//! 114      80   ChaCha20-Poly1305 (RFC 8439) of x25519 secret || ed25519 seed,
//!               key = Argon2id(passphrase, salt, m, t, p) (32 bytes),
//!               AAD = bytes 0..114
//! 194           end
//! ```
//!
//! The AAD covers the parameters and public keys, so editing any header byte
//! makes decryption fail; after decryption the public keys are recomputed
//! from the secrets and compared. A wrong passphrase and a modified file are
//! indistinguishable by design: both give [`KeyfileError::WrongPassphrase`].

use core::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::session::{Ed25519PublicKey, X25519PublicKey};

const MAGIC: &[u8; 8] = b"SOTTOKEY";
const VERSION: u8 = 1;
const KDF_ARGON2ID: u8 = 1;
const HEADER_LEN: usize = 114;
/// Length in bytes of a version-1 key file.
pub const KEYFILE_LEN: usize = HEADER_LEN + 64 + 16;
const FINGERPRINT_LABEL: &[u8] = b"sotto/fingerprint/v1\0";
/// Largest Argon2 memory cost a file may ask for (4 GiB), so a crafted file
/// cannot make a reader allocate without bound.
const MAX_M_COST_KIB: u32 = 4 * 1024 * 1024;
const MAX_T_COST: u32 = 64;
const MAX_P_COST: u32 = 16;

/// Domain separation of [`derivation_point`].
const DERIVE_POINT_LABEL: &[u8] = b"sotto/derive-point/v1";

/// The u-coordinate at which [`MemberKeys::derive_secret`] evaluates the
/// member's X25519 key for `label` and `info`: SHA-256 of both, each part
/// length-prefixed, with the top bit cleared (RFC 7748 ignores it).
///
/// This is the 2HashDH construction (Jarecki, Kiayias and Krawczyk,
/// ASIACRYPT 2014): `H2(x, k H1(x))` is a pseudorandom function of `x`
/// under the one-more Diffie-Hellman assumption in the random-oracle
/// model, so whoever can only ask X25519 of the key (a non-extractable
/// WebCrypto key) derives the same secrets as whoever holds it, and
/// nobody without the key predicts them. The point may lie on the twist:
/// Curve25519 is twist-secure, and X25519 is defined for every `u`.
pub fn derivation_point(label: &[u8], info: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DERIVE_POINT_LABEL);
    for part in core::iter::once(label).chain(info.iter().copied()) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let mut u: [u8; 32] = h.finalize().into();
    u[31] &= 0x7f;
    u
}

/// Whether X25519 of every key with the u-coordinate `u` is all zero: a
/// point of order dividing 8, on the curve or its twist (X25519's clamped
/// scalars are multiples of 8). Such a point is the only input for which
/// an X25519 oracle may rightly give no output; a key held elsewhere
/// (WebCrypto) that refuses any other input failed.
pub fn gives_no_output(u: &[u8; 32]) -> bool {
    // X25519 ignores the top bit and reads u modulo p = 2^255 - 19; the
    // points of order dividing 8 on the curve, and 4 on its twist, are
    // these five (libsodium's list, reduced). The tests derive them from
    // the curve's torsion and compare with X25519 itself.
    const SMALL_ORDER: [[u8; 32]; 5] = [
        [0; 32],
        {
            let mut one = [0; 32];
            one[0] = 1;
            one
        },
        // p - 1, of order 4 on the twist.
        {
            let mut m = [0xff; 32];
            m[0] = 0xec;
            m[31] = 0x7f;
            m
        },
        // The two of order 8 on the curve.
        [
            0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
            0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
            0x5f, 0x49, 0xb8, 0x00,
        ],
        [
            0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83,
            0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd,
            0xd0, 0x9f, 0x11, 0x57,
        ],
    ];
    let mut v = *u;
    v[31] &= 0x7f;
    // The values p to 2^255 - 1 are 0 to 18 again.
    if v[31] == 0x7f && v[1..31].iter().all(|&b| b == 0xff) && v[0] >= 0xed {
        v = [0; 32];
        v[0] = u[0] - 0xed;
    }
    SMALL_ORDER.contains(&v)
}

/// Whether `u` can be a member's public X25519 key: the canonical
/// encoding of a u-coordinate (below p = 2^255 - 19, so the top bit is
/// clear) that has an output ([`gives_no_output`] false). Browsers'
/// WebCrypto refuses some other inputs (Firefox's NSS a list that holds
/// non-canonical encodings of large-order points), so a manifest with
/// such a key would stop the members whose keys live there.
pub fn usable_public_key(u: &[u8; 32]) -> bool {
    // p in little-endian bytes: ed ff .. ff 7f.
    let at_least_p = u[31] == 0x7f && u[1..31].iter().all(|&b| b == 0xff) && u[0] >= 0xed;
    u[31] < 0x80 && !at_least_p && !gives_no_output(u)
}

/// The secret [`MemberKeys::derive_secret`] derives from `dh`, the X25519
/// output at `point` ([`derivation_point`] of `label` and `info`):
/// HKDF-SHA256 (RFC 5869) with `label` as the salt, `dh` as the input
/// key material and `point` followed by `info` as the info.
pub fn derived_secret(
    dh: &[u8; 32],
    point: &[u8; 32],
    label: &[u8],
    info: &[&[u8]],
) -> Zeroizing<[u8; 32]> {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(label), dh);
    let mut parts: Vec<&[u8]> = Vec::with_capacity(info.len() + 1);
    parts.push(point);
    parts.extend_from_slice(info);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32.
    if hk.expand_multi_info(&parts, out.as_mut()).is_err() {
        unreachable!("HKDF output length is valid");
    }
    out
}

/// Errors from key files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyfileError {
    /// The file does not start with the key-file magic or has the wrong length.
    #[error("not a Sotto key file")]
    NotAKeyfile,
    /// The file's version or KDF id is not supported by this build.
    #[error("unsupported key file version {0}")]
    UnsupportedVersion(u8),
    /// The Argon2 parameters are out of the accepted range.
    #[error("key file asks for unacceptable Argon2 parameters")]
    BadKdfParams,
    /// Decryption failed: the passphrase is wrong or the file was modified.
    #[error("wrong passphrase (or the key file was modified)")]
    WrongPassphrase,
    /// The decrypted secrets do not match the public keys in the file.
    #[error("key file is corrupt: secrets do not match the public keys")]
    Corrupt,
    /// Refused to protect keys with an empty passphrase.
    #[error("passphrase must not be empty")]
    EmptyPassphrase,
}

/// Argon2id cost parameters (RFC 9106 section 3.1), stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism (lanes).
    pub p_cost: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (RFC 9106 section 4, second
    /// recommended option, with one lane as browsers compute sequentially).
    pub const MODERATE: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Minimal cost, for tests only: offers no resistance to guessing.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    fn check(self) -> Result<argon2::Params, KeyfileError> {
        if self.m_cost_kib > MAX_M_COST_KIB || self.t_cost > MAX_T_COST || self.p_cost > MAX_P_COST
        {
            return Err(KeyfileError::BadKdfParams);
        }
        argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|_| KeyfileError::BadKdfParams)
    }

    fn derive(self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyfileError> {
        let params = self.check()?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
            .map_err(|_| KeyfileError::BadKdfParams)?;
        Ok(key)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::MODERATE
    }
}

/// A member's public keys, as listed in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberPublicKeys {
    /// HPKE recipient and channel key.
    pub x25519: X25519PublicKey,
    /// Result-signing key.
    pub ed25519: Ed25519PublicKey,
}

impl MemberPublicKeys {
    /// `SHA-256("sotto/fingerprint/v1\0" || x25519 || ed25519)`.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(FINGERPRINT_LABEL);
        h.update(self.x25519.as_bytes());
        h.update(self.ed25519.as_bytes());
        Fingerprint(h.finalize().into())
    }
}

/// A printable key fingerprint for people to compare out of band.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl fmt::Display for Fingerprint {
    /// The first 160 bits as ten groups of four hex digits, e.g.
    /// `1a2b 3c4d ... 9f0e`: short enough to read aloud, far beyond reach of
    /// a second-preimage search.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, pair) in self.0[..20].chunks(2).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", hex::encode(pair))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A committee member's secret keys. `Debug` prints only the public keys,
/// both secrets are zeroized on drop, and equality is constant time.
pub struct MemberKeys {
    x25519: StaticSecret,
    ed25519: SigningKey,
}

impl MemberKeys {
    /// Draws both keys from `rng` (which must be a CSPRNG).
    pub fn generate(rng: &mut impl rand_core::CryptoRng) -> MemberKeys {
        let mut x = Zeroizing::new([0u8; 32]);
        let mut e = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(x.as_mut());
        rng.fill_bytes(e.as_mut());
        MemberKeys::from_secret_bytes(&x, &e)
    }

    /// Rebuilds keys from their 32-byte secrets (X25519 scalar, Ed25519 seed).
    pub fn from_secret_bytes(x25519: &[u8; 32], ed25519_seed: &[u8; 32]) -> MemberKeys {
        MemberKeys {
            x25519: StaticSecret::from(*x25519),
            ed25519: SigningKey::from_bytes(ed25519_seed),
        }
    }

    /// The public keys.
    pub fn public(&self) -> MemberPublicKeys {
        MemberPublicKeys {
            x25519: X25519PublicKey::from(&x25519_dalek::PublicKey::from(&self.x25519)),
            ed25519: Ed25519PublicKey::from(&self.ed25519.verifying_key()),
        }
    }

    /// The fingerprint of the public keys.
    pub fn fingerprint(&self) -> Fingerprint {
        self.public().fingerprint()
    }

    /// The Ed25519 signing key (also usable as an organizer key).
    pub fn signing_key(&self) -> &SigningKey {
        &self.ed25519
    }

    /// Both secrets (X25519 scalar || Ed25519 seed), for storage in the
    /// browser's origin-scoped IndexedDB by the wasm package. Secret: the
    /// buffer is zeroized on drop; never log or display it.
    pub fn to_secret_bytes(&self) -> Zeroizing<[u8; 64]> {
        let mut out = Zeroizing::new([0u8; 64]);
        out[..32].copy_from_slice(self.x25519.as_bytes());
        out[32..].copy_from_slice(self.ed25519.as_bytes());
        out
    }

    /// A 32-byte secret derived from the X25519 key for one purpose, the
    /// same whether the key is at hand or held where it cannot be read
    /// (a non-extractable WebCrypto key): the 2HashDH pseudorandom
    /// function ([`derivation_point`], [`derived_secret`]). Distinct labels
    /// or infos give independent pseudorandom values, and none reveals the
    /// key. The committee member draws its per-session engine randomness
    /// from it, so that a restart repeats the same randomness instead of
    /// drawing fresh noise and masks for the same values.
    pub fn derive_secret(&self, label: &[u8], info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
        let point = derivation_point(label, info);
        // A hash output is one of the few small-order points with
        // probability below 2^-250: X25519 then gives all zeros (as every
        // key agent must, WebCrypto's refusal included), a public value.
        let dh = self.dh(&point).unwrap_or_default();
        derived_secret(&dh, &point, label, info)
    }

    /// X25519 (RFC 7748) of this member's secret with the u-coordinate
    /// `u`; `None` for the all-zero output of a small-order point, which
    /// WebCrypto refuses too. Secret: zeroized on drop.
    pub fn dh(&self, u: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
        let out = self
            .x25519
            .diffie_hellman(&x25519_dalek::PublicKey::from(*u));
        out.was_contributory()
            .then(|| Zeroizing::new(out.to_bytes()))
    }

    /// The Ed25519 signature (RFC 8032, deterministic) of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.ed25519.sign(message).to_bytes()
    }

    /// The X25519 static secret.
    pub(crate) fn x25519_secret(&self) -> &StaticSecret {
        &self.x25519
    }

    /// Encrypts the keys under `passphrase` into the version-1 file format.
    /// `rng` draws the salt and nonce.
    pub fn to_keyfile(
        &self,
        passphrase: &str,
        params: KdfParams,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Vec<u8>, KeyfileError> {
        if passphrase.is_empty() {
            return Err(KeyfileError::EmptyPassphrase);
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut nonce);
        let key = params.derive(passphrase, &salt)?;
        let public = self.public();
        let mut out = Vec::with_capacity(KEYFILE_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[VERSION, KDF_ARGON2ID]);
        for v in [params.m_cost_kib, params.t_cost, params.p_cost] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&salt);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(public.x25519.as_bytes());
        out.extend_from_slice(public.ed25519.as_bytes());
        let mut secrets = Zeroizing::new([0u8; 64]);
        secrets[..32].copy_from_slice(self.x25519.as_bytes());
        secrets[32..].copy_from_slice(self.ed25519.as_bytes());
        let cipher = ChaCha20Poly1305::new(&Key::from(*key));
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secrets.as_ref(),
                    aad: &out,
                },
            )
            .map_err(|_| KeyfileError::Corrupt)?;
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts a key file. A wrong passphrase or any modified byte gives
    /// [`KeyfileError::WrongPassphrase`].
    pub fn from_keyfile(bytes: &[u8], passphrase: &str) -> Result<MemberKeys, KeyfileError> {
        let (params, public) = parse_header(bytes)?;
        let key = params.derive(passphrase, &bytes[22..38])?;
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&bytes[38..50]);
        let cipher = ChaCha20Poly1305::new(&Key::from(*key));
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &bytes[HEADER_LEN..],
                    aad: &bytes[..HEADER_LEN],
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| KeyfileError::WrongPassphrase)?;
        let mut x = Zeroizing::new([0u8; 32]);
        let mut e = Zeroizing::new([0u8; 32]);
        x.copy_from_slice(&plain[..32]);
        e.copy_from_slice(&plain[32..64]);
        let keys = MemberKeys::from_secret_bytes(&x, &e);
        if keys.public() != public {
            return Err(KeyfileError::Corrupt);
        }
        Ok(keys)
    }
}

/// Reads the public keys and KDF parameters of a key file without the
/// passphrase. These are not authenticated until the file is decrypted.
pub fn read_public(bytes: &[u8]) -> Result<(KdfParams, MemberPublicKeys), KeyfileError> {
    parse_header(bytes)
}

fn parse_header(bytes: &[u8]) -> Result<(KdfParams, MemberPublicKeys), KeyfileError> {
    if bytes.len() < 10 || &bytes[..8] != MAGIC {
        return Err(KeyfileError::NotAKeyfile);
    }
    if bytes[8] != VERSION || bytes[9] != KDF_ARGON2ID {
        return Err(KeyfileError::UnsupportedVersion(bytes[8]));
    }
    if bytes.len() != KEYFILE_LEN {
        return Err(KeyfileError::NotAKeyfile);
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let params = KdfParams {
        m_cost_kib: word(10),
        t_cost: word(14),
        p_cost: word(18),
    };
    params.check()?;
    let mut x = [0u8; 32];
    let mut e = [0u8; 32];
    x.copy_from_slice(&bytes[50..82]);
    e.copy_from_slice(&bytes[82..114]);
    Ok((
        params,
        MemberPublicKeys {
            x25519: X25519PublicKey(x),
            ed25519: Ed25519PublicKey(e),
        },
    ))
}

impl fmt::Debug for MemberKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let public = self.public();
        f.debug_struct("MemberKeys")
            .field("x25519_public", &public.x25519)
            .field("ed25519_public", &public.ed25519)
            .field("secrets", &"<redacted>")
            .finish()
    }
}

impl ConstantTimeEq for MemberKeys {
    fn ct_eq(&self, other: &MemberKeys) -> Choice {
        self.x25519.as_bytes().ct_eq(other.x25519.as_bytes())
            & self.ed25519.as_bytes().ct_eq(other.ed25519.as_bytes())
    }
}

impl PartialEq for MemberKeys {
    fn eq(&self, other: &MemberKeys) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for MemberKeys {}

// Both fields zeroize themselves on drop (x25519-dalek and ed25519-dalek
// with their `zeroize` features); this marker documents it for callers.
impl zeroize::ZeroizeOnDrop for MemberKeys {}

#[cfg(test)]
mod tests;
