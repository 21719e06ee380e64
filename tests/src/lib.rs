//! Helpers shared by Sotto's end-to-end tests (`tests/tests/*.rs`): the
//! real relay and `sotto` binaries started as child processes, a member
//! runtime with short timeouts, and a misbehaving network ([`proxy`]).

// Test support: a panic here is how a test reports a broken setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sotto_client::driver::{MemberConfig, Progress, Runtime, Timeouts};
use sotto_client::member::{EngineTamper, MemberError};
use sotto_client::native::relay_client::TokioSocket;
use sotto_client::relay::ClientError;
use sotto_core::apps::Outcome;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::CommitteeMember;

pub mod pg;
pub mod proxy;

pub use sotto_native::relay_process::{RelayOptions, RelayProcess as Relay, Stderr};

/// `n` freshly generated member keys (from the OS CSPRNG).
pub fn member_keys(n: usize) -> Vec<Arc<MemberKeys>> {
    (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect()
}

/// Writes `n` new member key files `m1.key`, `m2.key`, ... into `dir`,
/// encrypted under `passphrase` with the fast test KDF; their names and
/// paths, as a draft's committee lists them.
pub fn member_key_files(dir: &Path, passphrase: &str, n: usize) -> Vec<(String, PathBuf)> {
    let mut rng = sotto_client::os_rng();
    (1..=n)
        .map(|i| {
            let file = MemberKeys::generate(&mut rng)
                .to_keyfile(
                    passphrase,
                    sotto_core::keyfile::KdfParams::INSECURE_FOR_TESTS,
                    &mut rng,
                )
                .unwrap();
            let path = dir.join(format!("m{i}.key"));
            std::fs::write(&path, file).unwrap();
            (format!("m{i}"), path)
        })
        .collect()
}

/// The manifest entries of `keys`, named m1, m2, ... in index order.
pub fn committee_of(keys: &[Arc<MemberKeys>]) -> Vec<CommitteeMember> {
    keys.iter()
        .zip(1..)
        .map(|(k, i)| CommitteeMember {
            name: format!("m{i}"),
            x25519: k.public().x25519,
            ed25519: k.public().ed25519,
        })
        .collect()
}

/// Path of the `sotto-relay` binary in this target directory, built (with
/// the profile the tests use) so it matches the current sources.
pub fn relay_bin() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    built_bin(&BUILT, "sotto-relay", "sotto-relay")
}

/// Path of the `sotto` CLI in this target directory, built (with the
/// profile the tests use) so it matches the current sources.
pub fn sotto_bin() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    built_bin(&BUILT, "sotto-cli", "sotto")
}

/// Builds binary `bin` of `package` once per test process (cargo does
/// nothing when it is up to date) and returns its path.
fn built_bin(once: &std::sync::Once, package: &str, bin: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    once.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // `cargo test` puts its profile's output in `debug`, `--release` in
        // `release`: build the binary there too.
        let profile = if dir.ends_with("release") {
            "release"
        } else {
            "test"
        };
        let ok = Command::new(cargo)
            .args(["build", "--profile", profile, "-p", package, "--bin", bin])
            .status()
            .unwrap()
            .success();
        assert!(ok, "building {bin} failed");
    });
    dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs `sotto result --link <read link> --receipt <receipt>` and returns
/// its exit code and standard error.
pub fn sotto_result_with_receipt(link: &str, receipt: &str) -> (Option<i32>, String) {
    let out = Command::new(sotto_bin())
        .args(["result", "--link", link, "--receipt", receipt])
        .output()
        .expect("run sotto result");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The `sotto` CLI run in `dir`, with the key-file passphrase in
/// `SOTTO_PASSPHRASE` and no standard input.
pub fn sotto_command(dir: &Path, passphrase: &str) -> Command {
    let mut cmd = Command::new(sotto_bin());
    cmd.current_dir(dir)
        .env("SOTTO_PASSPHRASE", passphrase)
        .stdin(Stdio::null());
    cmd
}

/// Waits up to `within` for `child` to exit; whether it exited
/// successfully (it is killed when the time runs out).
pub fn exited_ok(child: &mut Child, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    false
}

/// The rest of the line of `text` that starts with `label`, trimmed (how
/// the tests read `sotto session create`'s output).
pub fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {text}"))
        .trim()
}

/// The relay built from the current sources ([`relay_bin`]) with its
/// store in `dir`, on `127.0.0.1:0`: `relay_at(dir).start().unwrap()`
/// starts it (the shared launcher, `sotto_native::relay_process`; more
/// options there: listen address, arguments, environment, stderr).
pub fn relay_at(dir: &Path) -> RelayOptions {
    RelayOptions::new(relay_bin()).data(dir)
}

/// A member runtime over tokio for tests: configurable [`Timeouts`] and,
/// for a deviating member, an engine tamper hook.
#[derive(Clone, Default)]
pub struct TestRuntime {
    /// The member's deadlines.
    pub timeouts: Timeouts,
    /// Makes a fresh tamper hook for each run of the member.
    pub tamper: Option<Arc<dyn Fn() -> EngineTamper + Send + Sync>>,
    /// A deviation on purpose (`Ctx::set_deviation`) and its first round.
    pub deviation: Option<(sotto_core::engine::Deviation, u32)>,
    /// How often the member reports presence ([`Runtime::presence_every`]).
    pub presence_every: Option<Duration>,
    /// Where the member's progress reports go, in order.
    pub progress: Option<Arc<std::sync::Mutex<Vec<Progress>>>>,
}

impl TestRuntime {
    /// Short deadlines, so hostile cases end in seconds: a request gets 2 s,
    /// a quiet mailbox triggers a resync after 1.5 s, members that do not
    /// answer for 4 s are left out when 2t + 1 others remain, and a
    /// computation with no progress gives up after 6 s.
    pub fn quick() -> TestRuntime {
        TestRuntime {
            timeouts: Timeouts {
                request: Duration::from_secs(2),
                quiet: Duration::from_millis(1500),
                stall: Duration::from_secs(6),
                dropout: Duration::from_secs(4),
            },
            tamper: None,
            deviation: None,
            presence_every: None,
            progress: None,
        }
    }

    /// Runs one member with this runtime.
    pub async fn run(self, cfg: MemberConfig) -> Result<Outcome, MemberError> {
        sotto_client::driver::run_member(&self, cfg).await
    }
}

impl Runtime for TestRuntime {
    type Socket = TokioSocket;

    async fn connect(&self, url: &str) -> Result<TokioSocket, ClientError> {
        TokioSocket::connect(url).await
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    fn unix_ms(&self) -> u64 {
        sotto_client::native::member::unix_ms()
    }

    fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    fn engine_tamper(&self) -> Option<EngineTamper> {
        self.tamper.as_ref().map(|make| make())
    }

    fn deviation(&self) -> Option<(sotto_core::engine::Deviation, u32)> {
        self.deviation
    }

    fn presence_every(&self) -> Option<Duration> {
        self.presence_every
    }

    fn progress(&self, p: &Progress) {
        if let Some(log) = &self.progress {
            log.lock().unwrap().push(p.clone());
        }
    }
}

/// Each member's shares (index `m - 1` for member m) of one-hot ballots of
/// the plurality encoding `enc` (ballot `b` votes for choice `b`, with the
/// bit proof an honest client adds), dealt among `c` with the fixed seed
/// `seed`.
pub fn one_hot_shares(
    c: sotto_core::engine::Committee,
    ballots: &[usize],
    enc: &sotto_core::apps::validity::Encoding,
    seed: u64,
) -> Vec<Vec<sotto_core::share::ShareVec>> {
    use rand_core::SeedableRng;
    use sotto_core::field::Fp;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut out = vec![Vec::new(); c.n];
    for &b in ballots {
        let v = proved(enc, &[(b, Fp::ONE)]);
        let shares = sotto_core::share::deal(&v, c.n, c.t, &mut rng).expect("a valid committee");
        for (m, s) in shares.into_iter().enumerate() {
            out[m].push(s);
        }
    }
    out
}

/// A vector of the encoding `enc` with the given `(entry, value)` pairs
/// set, zeros elsewhere, and the bit proof an honest client computes for
/// it (`Encoding::prove`): a valid answer when the entries make one.
pub fn proved(
    enc: &sotto_core::apps::validity::Encoding,
    entries: &[(usize, sotto_core::field::Fp)],
) -> Vec<sotto_core::field::Fp> {
    let mut v = vec![sotto_core::field::Fp::ZERO; enc.len];
    for (i, x) in entries {
        v[*i] = *x;
    }
    enc.prove(&mut v);
    v
}

/// The first engine round after the validity check of `enc` over
/// `inputs` (each member's shares), in a program that runs `before`
/// rounds first (a member daemon compares part tags in one round): where
/// lies in openings become attributable in the deviation tests.
pub fn round_after_validity(
    c: sotto_core::engine::Committee,
    enc: &sotto_core::apps::validity::Encoding,
    inputs: &[Vec<sotto_core::share::ShareVec>],
    before: u32,
) -> u32 {
    let out = sotto_core::engine::network::Network::new(c, 7)
        .run(|ctx| {
            let (enc, mine) = (enc.clone(), inputs[ctx.me() - 1].clone());
            async move {
                sotto_core::apps::validity::check(&ctx, &enc, &mine).await?;
                Ok(ctx.current_round())
            }
        })
        .expect("the honest validity check runs");
    out.values[0] + before
}

/// A bundle's parts as the relay takes them: `sealed` (member 1 first)
/// behind a submission id made from `tag` and a commitment listing each
/// part's hash ([`sotto_wire::committed_parts`]; the commitment's values
/// are zero, which the relay does not check). For tests that drive the
/// relay directly, without the participant's cryptography.
pub fn committed(tag: &[u8], sealed: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut id = [0u8; 16];
    id.copy_from_slice(&sotto_wire::part_hash(tag)[..16]);
    sotto_wire::committed_parts(id, 0, &[[0; 16]], sealed)
}

/// How much longer than its sealed bytes a part of [`committed`] is, for
/// a committee of `members`.
pub fn part_overhead(members: u16) -> u32 {
    (16 + sotto_wire::commitment_len(usize::from(members), 0)) as u32
}

/// `parts` as the slices [`sotto_client::relay`]'s `submit` takes.
pub fn slices(parts: &[Vec<u8>]) -> Vec<&[u8]> {
    parts.iter().map(Vec::as_slice).collect()
}
