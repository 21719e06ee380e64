//! `sotto simulate`: one whole session in one process, through a real relay.
//!
//! Members run as tokio tasks, each with its own connection and freshly
//! generated in-memory keys; every participant submits over its own
//! connection (at most [`PARTICIPANT_CONCURRENCY`] at a time). `latency`
//! is a sleep before every frame the simulated members and participants
//! send: each relay hop then costs at least that much, like a real network
//! with that one-way delay. The report counts the bytes each member sent
//! to the relay (every frame, header included).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use sotto_client::draft::SessionDraft;
use sotto_client::driver::MemberConfig;
use sotto_client::driver::{Runtime, Timeouts};
use sotto_client::flows;
use sotto_client::flows::FlowError;
use sotto_client::keys::{KeyAgent, KeyAnswer, KeyError, KeyRequest, answer_now};
use sotto_client::member::MemberError;
use sotto_client::native::relay_client::{RelayClient, TokioSocket};
use sotto_client::native::session_ops::{close_session, create_session, pause, submit_values};
use sotto_client::relay::{ClientError, Socket};
use sotto_client::session::seal_shares;
use sotto_core::engine::Deviation;
use sotto_core::envelope::evidence::{Evidence, verify_evidence};
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::CommitteeMember;
use sotto_core::share::ShareVec;
use sotto_native::relay_process::{RelayOptions, RelayProcess};

/// How a simulation runs its committee members.
#[derive(Debug, Clone, Default)]
pub enum Members {
    /// As tasks of this process (the default of `sotto simulate`).
    #[default]
    Tasks,
    /// Each in a process of its own, started from this `sotto` binary
    /// (`sotto bench session-member`, see [`member_process`]): what
    /// `sotto bench session` measures, since a process's peak memory is
    /// its own.
    Processes(std::path::PathBuf),
    /// Member 1 outside the simulation (the wasm member in a browser, for
    /// `scripts/bench-browser-member.sh`), members 2 to n processes of
    /// this binary as with [`Members::Processes`].
    External(std::path::PathBuf, ExternalMember),
}

/// A committee seat whose member runs elsewhere: the simulation puts its
/// public keys in the manifest, hands its member link to `announce` once
/// the session exists, and does not wait for it (the members it does run
/// cannot finish without it: with 3 members and t = 1 none may be left
/// out).
#[derive(Debug, Clone)]
pub struct ExternalMember {
    /// Its encryption key.
    pub x25519: sotto_core::session::X25519PublicKey,
    /// Its signing key.
    pub ed25519: sotto_core::session::Ed25519PublicKey,
    /// Told the member link before any participant submits.
    pub announce: fn(&str),
}

/// Participants submitting at the same time.
pub const PARTICIPANT_CONCURRENCY: usize = 64;

/// A scenario file: the session's draft, and what the simulation does
/// with it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The session to run: a draft whose committee names how many members
    /// to simulate (their keys are generated). Its `single_use` is ignored:
    /// one single-use link is minted per submission.
    pub draft: SessionDraft<u16>,
    /// Answers submitted through the normal participant path.
    #[serde(default)]
    pub answers: Vec<serde_json::Value>,
    /// Raw encoded vectors submitted bypassing the client's checks
    /// (negative entries are field negatives, p - |x|). A vector no longer
    /// than the answer's entries gets the bit proof a cheating client
    /// computes for it (`forged_values`); a longer one is sent as given.
    #[serde(default)]
    pub forged: Vec<Vec<i64>>,
    /// Submissions given as shares, sealed to their members exactly as a
    /// participant seals its own, with no check on the client side: each
    /// is a list of n share vectors (member 1 first), each a list of field
    /// elements as decimal strings (mod p = 2^127 - 1) of the encoding's
    /// length. They drill the committee against shares that do not lie on
    /// one polynomial of degree t.
    #[serde(default)]
    pub forged_shares: Vec<Vec<Vec<String>>>,
    /// Members that deviate from the protocol on purpose, to show that
    /// each deviation ends in the exact result or an abort.
    #[serde(default)]
    pub deviate: Vec<Deviate>,
    /// Members (1-based) whose keys cannot prove a disclosure, as a
    /// browser's non-extractable WebCrypto keys cannot: their complaints
    /// claim the part's output and the others challenge the claim
    /// (`sotto_core::envelope::challenge`). Run as tasks.
    #[serde(default)]
    pub claiming: Vec<u16>,
}

/// A simulated member's keys ([`KeyAgent`]): the keys in memory, which
/// decline to prove disclosures for a member of [`Scenario::claiming`].
struct SimulatedKeys {
    keys: Arc<MemberKeys>,
    proves: bool,
    /// Disclosures declined, so claimed: counted for the report.
    claims: Arc<AtomicU64>,
}

impl KeyAgent for SimulatedKeys {
    fn public(&self) -> sotto_core::keyfile::MemberPublicKeys {
        self.keys.public()
    }

    async fn answer(&self, request: &KeyRequest) -> Result<KeyAnswer, KeyError> {
        match request {
            KeyRequest::Disclose(_) if !self.proves => {
                self.claims.fetch_add(1, Ordering::Relaxed);
                Ok(KeyAnswer::Disclosure(None))
            }
            _ => answer_now(&self.keys, &mut sotto_client::os_rng(), request),
        }
    }
}

/// One deviating member of a scenario: `{"member": i, "how": H,
/// "from_round": k}` with H one of `mul`, `open`, `equivocate`, `bits`,
/// `mask`, `noise`, `crash` ([`Deviation`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviate {
    /// The member (1-based).
    pub member: u16,
    /// How it deviates.
    #[serde(deserialize_with = "deviation_named")]
    pub how: Deviation,
    /// The first engine round it deviates in (default 0).
    #[serde(default)]
    pub from_round: u32,
}

fn deviation_named<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Deviation, D::Error> {
    let name = String::deserialize(d)?;
    name.parse().map_err(serde::de::Error::custom)
}

/// How a simulation ended: the verified result, or an abort because a
/// member deviated (or stopped), naming whom it can.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Finished {
    /// The result with t + 1 valid signatures.
    Result(Report),
    /// The computation stopped.
    Aborted {
        /// Why, and who.
        aborted: Abort,
    },
}

/// An aborted simulation.
#[derive(Debug, Clone, Serialize)]
pub struct Abort {
    /// What the first honest member that stopped reported.
    pub reason: String,
    /// The members it names (1-based; empty when nobody can be named).
    pub culprits: Vec<u16>,
    /// The members it was still waiting for when it gave up (a stall:
    /// `MemberError::Stalled`). Not named: a crash and a relay that
    /// withholds their messages look alike.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<u16>,
    /// The member its signed proof names, checked against the session's
    /// manifest as `sotto verify-evidence` checks it (when it holds one:
    /// a wrong share in an opening that names its sender).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven: Option<u16>,
    /// The proof's bytes (`sotto_core::envelope::evidence`).
    #[serde(skip)]
    pub evidence: Option<Vec<u8>>,
    /// The session's results link, for `sotto verify-evidence --link`.
    #[serde(skip)]
    pub results_link: Option<String>,
}

/// What one simulated participant submits.
enum Item {
    /// An encoded vector, dealt and sealed as a participant does.
    Values(Vec<Fp>),
    /// Shares as given, sealed as they are.
    Shares(Vec<ShareVec>),
}

/// Parses a field element in its canonical decimal form: digits only,
/// value below p = 2^127 - 1.
fn parse_element(s: &str) -> anyhow::Result<Fp> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        bail!("a field element is written as a decimal integer");
    }
    let v: u128 = s.parse().context("the number is too large")?;
    let x = Fp::new(v);
    if x.value() != v {
        bail!("a field element is below 2^127 - 1");
    }
    Ok(x)
}

/// A `forged` entry as submitted: the answer's entries as given. One no
/// longer than the answer part of the encoding is padded with zeros and
/// gets the bit proof that a cheating client computes for its entries
/// (`Encoding::prove`; no proof passes for a non-bit), so that it reaches
/// the committee's validity check; a longer one is sent as it is (proof
/// entries included, or a wrong length that members complain of).
fn forged_values(enc: &sotto_core::apps::validity::Encoding, forged: &[i64]) -> Vec<Fp> {
    let mut v: Vec<Fp> = forged
        .iter()
        .map(|x| Fp::from_i128(i128::from(*x)))
        .collect();
    if v.len() <= enc.proof_at.unwrap_or(enc.len) {
        v.resize(enc.len, Fp::ZERO);
        enc.prove(&mut v);
    }
    v
}

/// Parses a `forged_shares` entry: n vectors of `len` decimal elements.
fn parse_forged_shares(
    entry: &[Vec<String>],
    n: usize,
    len: usize,
) -> anyhow::Result<Vec<ShareVec>> {
    if entry.len() != n {
        bail!(
            "forged_shares: a submission has {} share vectors for {n} members",
            entry.len()
        );
    }
    entry
        .iter()
        .map(|v| {
            if v.len() != len {
                bail!(
                    "forged_shares: a share vector has {} elements, the encoding {len}",
                    v.len()
                );
            }
            v.iter()
                .map(|x| parse_element(x).with_context(|| format!("forged_shares: {x:?}")))
                .collect::<anyhow::Result<Vec<Fp>>>()
                .map(ShareVec::from_values)
        })
        .collect()
}

/// Timings of a simulated session, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timings {
    /// From the first submission to the last acknowledgement.
    pub submit: f64,
    /// From the close request to a verified result.
    pub compute: f64,
}

/// What `sotto simulate` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Valid submissions.
    pub valid: u64,
    /// Invalid (excluded) submissions.
    pub invalid: u64,
    /// The result object.
    pub result: serde_json::Value,
    /// Timings.
    pub ms: Timings,
    /// Bytes each member (in index order) sent to the relay: every frame,
    /// header included, across reconnects (0 for the member outside the
    /// simulation, [`Members::External`]).
    pub member_bytes: Vec<u64>,
    /// Complaints whose output a member of [`Scenario::claiming`] claimed
    /// (and the others challenged) rather than proved.
    #[serde(skip_serializing_if = "is_zero")]
    pub claims: u64,
    /// Peak resident memory of each member's process in KiB (VmHWM of
    /// `/proc/<pid>/status`), with [`Members::Processes`] or
    /// [`Members::External`] on Linux (0 for the external member); empty
    /// otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub member_peak_kib: Vec<u64>,
    /// The receipt of each acknowledged submission, in the order of the
    /// scenario (`None` where a retry found the first try stored and its
    /// acknowledgement lost); not printed.
    #[serde(skip)]
    pub receipts: Vec<Option<[u8; 32]>>,
    /// The session's read link, to check receipts with; not printed.
    #[serde(skip)]
    pub results_link: Option<String>,
}

/// The tokio member runtime, counting the bytes its sockets send.
#[derive(Debug, Clone, Default)]
struct CountingRuntime {
    /// Bytes sent.
    sent: Arc<AtomicU64>,
    /// A deviation on purpose.
    deviation: Option<(Deviation, u32)>,
    /// Short deadlines: a scenario with deviations expects members that
    /// stop, and should not wait two minutes to say so.
    quick: bool,
}

/// A [`TokioSocket`] adding the size of every message it sends to a counter.
struct CountingSocket(TokioSocket, Arc<AtomicU64>);

impl Runtime for CountingRuntime {
    type Socket = CountingSocket;

    async fn connect(&self, url: &str) -> Result<CountingSocket, ClientError> {
        Ok(CountingSocket(
            TokioSocket::connect(url).await?,
            self.sent.clone(),
        ))
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    fn unix_ms(&self) -> u64 {
        sotto_client::native::member::unix_ms()
    }

    fn timeouts(&self) -> Timeouts {
        if self.quick {
            Timeouts {
                stall: Duration::from_secs(15),
                dropout: Duration::from_secs(4),
                ..Timeouts::default()
            }
        } else {
            Timeouts::default()
        }
    }

    fn deviation(&self) -> Option<(Deviation, u32)> {
        self.deviation
    }
}

impl Socket for CountingSocket {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        self.1.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.0.send(bytes).await
    }

    async fn recv(&mut self) -> Result<Vec<u8>, ClientError> {
        self.0.recv().await
    }

    async fn close(&mut self) -> Result<(), ClientError> {
        self.0.close().await
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// Runs `scenario` against the relay at `relay`.
pub async fn run(scenario: &Scenario, relay: &str, latency: Duration) -> anyhow::Result<Report> {
    match run_to_end(scenario, relay, latency).await? {
        Finished::Result(report) => Ok(report),
        Finished::Aborted { aborted } => bail!(
            "the computation aborted: {} (named: {:?})",
            aborted.reason,
            aborted.culprits
        ),
    }
}

/// Runs the scenario to its end: the verified result, or the abort that a
/// deviating (or stopped) member caused.
pub async fn run_to_end(
    scenario: &Scenario,
    relay: &str,
    latency: Duration,
) -> anyhow::Result<Finished> {
    run_with(scenario, relay, latency, &Members::Tasks).await
}

/// How one member's run ended.
enum MemberEnd {
    /// With the published result.
    Done,
    /// The computation stopped: why, and whom it names.
    Abort(Abort),
    /// Anything else.
    Failed(anyhow::Error),
}

/// What a member process reports on its last line of output.
#[derive(Debug, Serialize, Deserialize)]
struct ProcessReport {
    /// Bytes it sent to the relay.
    bytes: u64,
    /// Its peak resident memory in KiB (0 where unknown).
    peak_kib: u64,
    /// Why its computation stopped, if it did.
    abort: Option<(String, Vec<u16>)>,
    /// The members it was still waiting for, if it stalled.
    #[serde(default)]
    waiting: Vec<u16>,
    /// The signed proof of a deviation it holds, in hex.
    #[serde(default)]
    evidence: Option<String>,
    /// Any other failure.
    error: Option<String>,
}

/// What a member process reads on its standard input: one JSON line.
#[derive(Serialize, Deserialize)]
struct ProcessSpec {
    relay: String,
    session: String,
    token: String,
    manifest_hash: String,
    /// The member's secret keys, 128 hex digits
    /// ([`MemberKeys::to_secret_bytes`]): over a pipe from the process
    /// that generated them, never on a command line.
    secret: String,
    latency_ms: u64,
}

impl Drop for ProcessSpec {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// Runs one member as a child process of `bin` and waits for its report.
async fn run_member_process(
    bin: &std::path::Path,
    cfg: &MemberConfig,
) -> (MemberEnd, Option<ProcessReport>) {
    let run = async {
        use tokio::io::AsyncWriteExt;
        let spec = ProcessSpec {
            relay: cfg.relay.clone(),
            session: cfg.session.to_hex(),
            token: cfg.token.to_hex(),
            manifest_hash: cfg
                .manifest_hash
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            secret: hex::encode(cfg.keys.to_secret_bytes().as_ref()),
            latency_ms: u64::try_from(cfg.latency.as_millis()).unwrap_or(u64::MAX),
        };
        let mut child = tokio::process::Command::new(bin)
            .args(["bench", "session-member"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut stdin = child.stdin.take().context("member process stdin")?;
        let line = zeroize::Zeroizing::new(serde_json::to_string(&spec)? + "\n");
        stdin.write_all(line.as_bytes()).await?;
        drop(stdin);
        let out = child.wait_with_output().await?;
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text.lines().last().unwrap_or_default();
        let report: ProcessReport = serde_json::from_str(last)
            .with_context(|| format!("member process ended ({}) without a report", out.status))?;
        anyhow::Ok(report)
    };
    match run.await {
        Ok(report) => {
            let end = match (&report.abort, &report.error) {
                (Some((reason, culprits)), _) => MemberEnd::Abort(Abort {
                    reason: reason.clone(),
                    culprits: culprits.clone(),
                    waiting: report.waiting.clone(),
                    proven: None,
                    results_link: None,
                    evidence: report.evidence.as_deref().and_then(|h| hex::decode(h).ok()),
                }),
                (None, Some(e)) => MemberEnd::Failed(anyhow::anyhow!("{e}")),
                (None, None) => MemberEnd::Done,
            };
            (end, Some(report))
        }
        Err(e) => (MemberEnd::Failed(e), None),
    }
}

/// The body of a member process (`sotto bench session-member`): reads a
/// JSON line on standard input (relay, session, token, manifest hash, the
/// member's secret keys, latency), runs the member to its end,
/// and prints one JSON line: bytes sent, peak memory, abort or error.
/// Returns an error only when the spec cannot be read.
pub fn member_process() -> anyhow::Result<()> {
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    let spec: ProcessSpec = serde_json::from_str(&line).context("reading the member spec")?;
    let mut secret = zeroize::Zeroizing::new([0u8; 64]);
    hex::decode_to_slice(&spec.secret, secret.as_mut())
        .context("the member secret is 128 hex digits")?;
    let (mut x, mut ed) = (
        zeroize::Zeroizing::new([0u8; 32]),
        zeroize::Zeroizing::new([0u8; 32]),
    );
    x.copy_from_slice(&secret[..32]);
    ed.copy_from_slice(&secret[32..]);
    let cfg = MemberConfig {
        relay: spec.relay.clone(),
        session: sotto_wire::SessionId::from_hex(&spec.session)?,
        token: sotto_wire::Token::from_hex(&spec.token)?,
        keys: Arc::new(MemberKeys::from_secret_bytes(&x, &ed)),
        manifest_hash: match spec.manifest_hash.as_str() {
            "" => None,
            h => Some(
                sotto_core::session::ManifestHash::from_hex(h)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ),
        },
        latency: Duration::from_millis(spec.latency_ms),
        mismatch_retries: 3,
        max_reconnects: 30,
    };
    let rt = CountingRuntime::default();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(sotto_client::driver::run_member(&rt, cfg));
    let evidence = outcome
        .as_ref()
        .err()
        .and_then(MemberError::evidence)
        .map(|e| hex::encode(e.to_bytes()));
    let waiting = outcome
        .as_ref()
        .err()
        .map(|e| e.waiting().to_vec())
        .unwrap_or_default();
    let (abort, error) = match outcome {
        // Left out while slow: the others compute without it.
        Ok(_) | Err(MemberError::Excluded { .. }) => (None, None),
        Err(e) => match e.abort() {
            Some(a) => (Some(a), None),
            None => (None, Some(e.to_string())),
        },
    };
    let report = ProcessReport {
        bytes: rt.sent.load(Ordering::Relaxed),
        peak_kib: peak_kib(),
        abort,
        waiting,
        evidence,
        error,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// This process's peak resident memory in KiB: VmHWM of
/// `/proc/self/status` (0 where there is no such file).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// [`run_to_end`] with the members run as `members` says.
pub async fn run_with(
    scenario: &Scenario,
    relay: &str,
    latency: Duration,
    how: &Members,
) -> anyhow::Result<Finished> {
    let n = scenario.draft.committee.members;
    for d in &scenario.deviate {
        if d.member == 0 || d.member > n {
            bail!("deviate: member {} is not in the committee", d.member);
        }
    }
    if let Some(m) = scenario.claiming.iter().find(|m| **m == 0 || **m > n) {
        bail!("claiming: member {m} is not in the committee");
    }
    let processes = !matches!(how, Members::Tasks);
    let external = match how {
        Members::External(_, e) => Some(e),
        _ => None,
    };
    if processes && !scenario.deviate.is_empty() {
        bail!("deviating members run as tasks of the simulation, not as processes");
    }
    if processes && !scenario.claiming.is_empty() {
        bail!("claiming members run as tasks of the simulation, not as processes");
    }
    let keys: Vec<Arc<MemberKeys>> = (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect();
    let members: Vec<CommitteeMember> = keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| {
            let p = k.public();
            let (x25519, ed25519) = match external {
                Some(e) if i == 1 => (e.x25519, e.ed25519),
                _ => (p.x25519, p.ed25519),
            };
            CommitteeMember {
                name: format!("member-{i}"),
                x25519,
                ed25519,
            }
        })
        .collect();
    let total = scenario.answers.len() + scenario.forged.len() + scenario.forged_shares.len();
    let mut spec = scenario
        .draft
        .clone()
        .try_map_members(|_| anyhow::Ok(members))?;
    spec.single_use = u32::try_from(total.max(1)).context("too many answers")?;
    let mut os = rand_core::UnwrapErr(getrandom::SysRng);
    let organizer = ed25519_dalek::SigningKey::generate(&mut os);
    let created = create_session(relay, &spec, &organizer).await?;
    let comp = created.manifest.manifest.computation();

    let mut tasks = tokio::task::JoinSet::new();
    let mut counters = Vec::new();
    let claimed = Arc::new(AtomicU64::new(0));
    for (k, token) in keys.iter().zip(&created.members) {
        let me = counters.len() as u16 + 1;
        let cfg = MemberConfig {
            relay: relay_for(relay, usize::from(me) - 1),
            session: created.session,
            token: token.clone(),
            keys: k.clone(),
            manifest_hash: Some(created.manifest.hash),
            latency,
            mismatch_retries: 3,
            max_reconnects: 30,
        };
        let rt = CountingRuntime {
            sent: Arc::default(),
            deviation: scenario
                .deviate
                .iter()
                .find(|d| d.member == me)
                .map(|d| (d.how, d.from_round)),
            quick: !scenario.deviate.is_empty(),
        };
        counters.push(rt.sent.clone());
        let claiming = scenario.claiming.contains(&me);
        let claims = claimed.clone();
        if let (Some(e), 1) = (external, me) {
            (e.announce)(&created.link(relay, sotto_core::session::Role::Member, token)?);
            continue;
        }
        match how {
            Members::Tasks => tasks.spawn(async move {
                let cfg = MemberConfig {
                    keys: Arc::new(SimulatedKeys {
                        keys: cfg.keys,
                        proves: !claiming,
                        claims,
                    }),
                    relay: cfg.relay,
                    session: cfg.session,
                    token: cfg.token,
                    manifest_hash: cfg.manifest_hash,
                    latency: cfg.latency,
                    mismatch_retries: cfg.mismatch_retries,
                    max_reconnects: cfg.max_reconnects,
                };
                let end = match sotto_client::driver::run_member(&rt, cfg).await {
                    // Left out while slow: the others compute without it.
                    Ok(_) | Err(MemberError::Excluded { .. }) => MemberEnd::Done,
                    Err(e) => match e.abort() {
                        Some((reason, culprits)) => MemberEnd::Abort(Abort {
                            reason,
                            culprits,
                            waiting: e.waiting().to_vec(),
                            proven: None,
                            results_link: None,
                            evidence: e.evidence().map(|ev| ev.to_bytes()),
                        }),
                        None => MemberEnd::Failed(anyhow::Error::new(e)),
                    },
                };
                (me, end, None)
            }),
            Members::Processes(bin) | Members::External(bin, _) => {
                let bin = bin.clone();
                tasks.spawn(async move {
                    let (end, report) = run_member_process(&bin, &cfg).await;
                    (me, end, report)
                })
            }
        };
    }

    let mut ballots: Vec<Item> = Vec::with_capacity(total);
    for a in &scenario.answers {
        ballots.push(Item::Values(
            comp.encode(a).with_context(|| format!("answer {a}"))?,
        ));
    }
    let enc = comp.kind.encoding();
    for f in &scenario.forged {
        ballots.push(Item::Values(forged_values(&enc, f)));
    }
    for f in &scenario.forged_shares {
        ballots.push(Item::Shares(parse_forged_shares(
            f,
            usize::from(n),
            comp.len(),
        )?));
    }
    let manifest = Arc::new(created.manifest.clone());
    let sem = Arc::new(tokio::sync::Semaphore::new(PARTICIPANT_CONCURRENCY));
    let start = Instant::now();
    let mut subs = Vec::new();
    for (j, (item, token)) in ballots
        .into_iter()
        .zip(created.participants.iter().cloned())
        .enumerate()
    {
        let (sem, manifest, relay) = (sem.clone(), manifest.clone(), relay_for(relay, j));
        let session = created.session;
        subs.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await?;
            let mut tries = 0;
            loop {
                let tried = async {
                    let mut c = RelayClient::connect(&relay).await?;
                    pause(latency).await;
                    c.hello(session, &token, 0).await?;
                    let ack = match &item {
                        Item::Values(values) => {
                            submit_values(&mut c, &manifest, values, latency).await?
                        }
                        Item::Shares(shares) => {
                            let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                            let prepared = seal_shares(&mut rng, &manifest, shares)?;
                            let refs: Vec<&[u8]> =
                                prepared.parts.iter().map(Vec::as_slice).collect();
                            pause(latency).await;
                            c.submit(prepared.idempotency, &refs).await?
                        }
                    };
                    let _ = c.close().await;
                    anyhow::Ok(ack)
                };
                match tried.await {
                    Ok(ack) => return anyhow::Ok(Some(ack.receipt)),
                    // An earlier try was stored, its acknowledgement lost.
                    Err(e) if tries > 0 && token_used(&e) => return Ok(None),
                    Err(_) if tries < PARTICIPANT_RETRIES => tries += 1,
                    Err(e) => return Err(e),
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }
    let mut receipts = Vec::with_capacity(subs.len());
    for s in subs {
        receipts.push(s.await.context("participant task")??);
    }
    let submit_ms = ms(start.elapsed());

    let start = Instant::now();
    pause(latency).await;
    close_retrying(relay, created.session, &created.organizer).await?;
    // Wait for every honest member; a deviating one may never finish.
    let deviating: Vec<u16> = scenario.deviate.iter().map(|d| d.member).collect();
    let mut honest_left = usize::from(n) - deviating.len() - usize::from(external.is_some());
    let mut abort = None;
    let mut reports: Vec<Option<ProcessReport>> = (0..n).map(|_| None).collect();
    while honest_left > 0 {
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (me, end, report) = joined.context("member task")?;
        reports[usize::from(me) - 1] = report;
        if deviating.contains(&me) {
            continue;
        }
        honest_left -= 1;
        match end {
            MemberEnd::Done => {}
            // The first honest member to stop says why; the others
            // would only wait for it.
            MemberEnd::Abort(mut a) => {
                a.proven = a
                    .evidence
                    .as_deref()
                    .and_then(|b| Evidence::from_bytes(b).ok())
                    .and_then(|ev| verify_evidence(&created.manifest, &ev).ok())
                    .map(|p| p.member);
                a.results_link = created
                    .link(relay, sotto_core::session::Role::Organizer, &created.reader)
                    .ok();
                abort = Some(a);
                break;
            }
            MemberEnd::Failed(e) => return Err(e.context(format!("member {me}"))),
        }
    }
    tasks.abort_all();
    if let Some(aborted) = abort {
        return Ok(Finished::Aborted { aborted });
    }
    let mut c = RelayClient::connect(relay).await?;
    let verified = flows::fetch_result(&mut c, &created.manifest, &created.reader)
        .await?
        .context("the members finished but no result has t + 1 valid signatures")?;
    let compute_ms = ms(start.elapsed());
    let j = verified.json;
    Ok(Finished::Result(Report {
        valid: j["valid"].as_u64().unwrap_or(0),
        invalid: j["invalid"].as_u64().unwrap_or(0),
        result: j["result"].clone(),
        ms: Timings {
            submit: submit_ms,
            compute: compute_ms,
        },
        member_bytes: match how {
            Members::Tasks => counters.iter().map(|c| c.load(Ordering::Relaxed)).collect(),
            Members::Processes(_) | Members::External(..) => reports
                .iter()
                .map(|r| r.as_ref().map_or(0, |r| r.bytes))
                .collect(),
        },
        claims: claimed.load(Ordering::Relaxed),
        member_peak_kib: reports
            .iter()
            .map(|r| r.as_ref().map_or(0, |r| r.peak_kib))
            .filter(|_| processes)
            .collect(),
        receipts,
        results_link: created
            .link(relay, sotto_core::session::Role::Organizer, &created.reader)
            .ok(),
    }))
}

/// Tries per participant when the relay fails (e.g. it was killed, or its
/// database restarted); the single-use token makes a retry count once.
const PARTICIPANT_RETRIES: u32 = 50;

/// `relay`, a comma-separated list of relays sharing one store, rotated so
/// that party `k` prefers relay `k mod len` and fails over to the next:
/// members and participants spread round-robin.
fn relay_for(relay: &str, k: usize) -> String {
    let all: Vec<&str> = relay.split(',').map(str::trim).collect();
    let first = k % all.len();
    all[first..]
        .iter()
        .chain(&all[..first])
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

fn token_used(e: &anyhow::Error) -> bool {
    refused_with(e, sotto_wire::ErrorCode::TokenUsed)
}

fn refused_with(e: &anyhow::Error, code: sotto_wire::ErrorCode) -> bool {
    let got = e
        .downcast_ref::<FlowError>()
        .and_then(FlowError::code)
        .or_else(|| e.downcast_ref::<ClientError>().and_then(ClientError::code));
    got == Some(code)
}

/// Closes the session like [`close_session`], trying again while the relay
/// or its store is briefly away (a relay killed, its database restarting):
/// closing is idempotent, and a close whose acknowledgement was lost shows
/// on the next try as a session already past Closed (`BadState`).
async fn close_retrying(
    relay: &str,
    session: sotto_wire::SessionId,
    token: &sotto_wire::Token,
) -> anyhow::Result<()> {
    let mut tries = 0;
    loop {
        match close_session(relay, session, token)
            .await
            .map_err(anyhow::Error::from)
        {
            Ok(()) => return Ok(()),
            Err(e) if tries > 0 && refused_with(&e, sotto_wire::ErrorCode::BadState) => {
                return Ok(());
            }
            Err(_) if tries < PARTICIPANT_RETRIES => tries += 1,
            Err(e) => return Err(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Starts the `sotto-relay` binary found next to the current executable
/// on a free loopback port with a temporary store (removed, and the
/// process killed, when the returned value drops).
pub async fn start_relay() -> anyhow::Result<RelayProcess> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("executable has no directory")?;
    let bin = dir.join(format!("sotto-relay{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        bail!(
            "{} not found: build it (cargo build -p sotto-relay) or pass --relay URL",
            bin.display()
        );
    }
    // Starting waits for the relay's listening line: off the runtime.
    let relay = tokio::task::spawn_blocking(move || RelayOptions::new(bin).start()).await??;
    Ok(relay)
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
