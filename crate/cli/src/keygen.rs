//! `sotto keygen`: create a committee member's key file.
//!
//! Draws an X25519 and an Ed25519 key from the OS CSPRNG, encrypts them
//! under the passphrase (Argon2id + ChaCha20-Poly1305, format in
//! [`sotto_core::keyfile`]), writes the file without overwriting an existing one
//! (mode 0600 on Unix), and prints the public keys and the fingerprint for
//! the organizer's manifest. The secrets are never printed.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use sotto_core::keyfile::{KdfParams, MemberKeys};

/// Generates a member key, writes it encrypted under `passphrase` to `out`,
/// and prints the public keys and fingerprint on stdout.
pub fn run(out: &Path, passphrase: &str) -> anyhow::Result<()> {
    let keys = MemberKeys::generate(&mut sotto_client::os_rng());
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let bytes = keys
        .to_keyfile(passphrase, KdfParams::MODERATE, &mut rng)
        .context("encrypting the key file")?;
    write_new(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let public = keys.public();
    println!("key file:    {}", out.display());
    println!("x25519:      {}", public.x25519);
    println!("ed25519:     {}", public.ed25519);
    println!("fingerprint: {}", public.fingerprint());
    Ok(())
}

/// Creates `path` (refusing to replace an existing file) with owner-only
/// permissions where the platform has them, and writes `bytes` durably.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_readable_file_and_refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("sotto-keygen-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("member.key");
        let _ = std::fs::remove_file(&path);
        run(&path, "a passphrase").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let keys = MemberKeys::from_keyfile(&bytes, "a passphrase").unwrap();
        assert_eq!(
            sotto_core::keyfile::read_public(&bytes).unwrap().1,
            keys.public()
        );
        assert!(run(&path, "a passphrase").is_err(), "must not overwrite");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
