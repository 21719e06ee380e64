//! A hostile relay or network between one committee member and the real
//! relay process: frames dropped, duplicated, reordered, delayed, replayed,
//! truncated, altered, or whole objects (the manifest, the member's index)
//! substituted, through [`sotto_e2e::proxy`].
//!
//! Every case ends in the correct, verified result, or in typed errors
//! with no accepted result, or (a corrupted copy of one submission) in that
//! submission counting as invalid; never in a wrong result, and never in a
//! hang: the members run with short deadlines ([`TestRuntime::quick`]:
//! 2 s per request, a resync after 1.5 s of silence, `Stalled` after 6 s
//! without progress), the production defaults being 30 s, 30 s and 120 s
//! (docs/session.md, docs/threat-model.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sotto_client::draft::{DraftCommittee, SessionSpec};
use sotto_client::driver::{MemberConfig, Progress};
use sotto_client::flows;
use sotto_client::flows::CreatedSession;
use sotto_client::member::MemberError;
use sotto_client::native::relay_client::RelayClient;
use sotto_client::native::session_ops::{
    close_session, create_session, submit_answer_within, submit_values,
};
use sotto_core::apps::Outcome;
use sotto_core::field::Fp;
use sotto_core::keyfile::MemberKeys;
use sotto_core::session::{OutputPolicy, Reveal, SessionKind, VoteMethod, VoteSchema};
use sotto_e2e::proxy::{Dir, Hook, Out, Proxy, WsFrame, pass};
use sotto_e2e::{TestRuntime, committee_of, relay_at};

/// Far beyond what any case needs with the quick deadlines.
const BOUND: Duration = Duration::from_secs(60);
const OPTIONS: [&str; 3] = ["A", "B", "C"];

fn keys(n: usize) -> Vec<Arc<MemberKeys>> {
    (0..n)
        .map(|_| Arc::new(MemberKeys::generate(&mut sotto_client::os_rng())))
        .collect()
}

async fn create(
    url: &str,
    keys: &[Arc<MemberKeys>],
    threshold: u16,
    tokens: u32,
) -> CreatedSession {
    let spec = SessionSpec {
        title: "hostile".into(),
        description: None,
        kind: SessionKind::Vote(VoteSchema {
            method: VoteMethod::Plurality,
            options: OPTIONS.iter().map(|s| s.to_string()).collect(),
            reveal: Reveal::Tally,
            max_approvals: None,
            max_score: None,
        }),
        committee: DraftCommittee {
            threshold: Some(threshold),
            members: committee_of(keys),
        },
        policy: OutputPolicy {
            min_submissions: 1,
            ..OutputPolicy::default()
        },
        deadlines: Default::default(),
        single_use: tokens,
    };
    let organizer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    create_session(url, &spec, &organizer).await.unwrap()
}

fn cfg(url: &str, c: &CreatedSession, keys: &[Arc<MemberKeys>], i: usize) -> MemberConfig {
    MemberConfig {
        relay: url.to_string(),
        session: c.session,
        token: c.members[i].clone(),
        keys: keys[i].clone(),
        manifest_hash: Some(c.manifest.hash),
        latency: Duration::ZERO,
        mismatch_retries: 1,
        max_reconnects: 20,
    }
}

fn tally(picks: &[usize]) -> serde_json::Value {
    let mut t = BTreeMap::new();
    for (i, name) in OPTIONS.iter().enumerate() {
        t.insert(*name, picks.iter().filter(|p| **p == i).count());
    }
    json!({ "tally": t })
}

/// How one session ended.
struct Ending {
    /// Each member's outcome, index 0 = member 1 (the one behind the proxy).
    outs: Vec<Result<Outcome, MemberError>>,
    /// The verified result (t + 1 matching signatures), if any.
    result: Option<serde_json::Value>,
    /// What the participants chose.
    picks: Vec<usize>,
}

impl Ending {
    /// Every member finished with the correct result, and it verifies.
    fn correct(&self) {
        for (i, o) in self.outs.iter().enumerate() {
            assert!(o.is_ok(), "member {}: {o:?}", i + 1);
        }
        let result = self.result.as_ref().expect("a verified result");
        assert_eq!(result["result"], tally(&self.picks));
        assert_eq!(result["valid"], self.picks.len());
    }

    /// No result was accepted and every member stopped with an error.
    fn aborted(&self) {
        assert!(
            self.result.is_none(),
            "no result may verify: {:?}",
            self.result
        );
        for (i, o) in self.outs.iter().enumerate() {
            assert!(o.is_err(), "member {} finished: {o:?}", i + 1);
        }
    }

    fn member(&self, i: usize) -> &MemberError {
        self.outs[i - 1].as_ref().expect_err("an error")
    }
}

/// Runs a session of `n` members (threshold `t`) and `voters` participants,
/// member 1 talking to the relay through a proxy running `hook`, everyone
/// with the quick deadlines (member `i` with `runtimes[i - 1]` if given).
async fn session(
    n: usize,
    t: u16,
    voters: usize,
    hook: Hook,
    runtimes: Vec<TestRuntime>,
) -> Ending {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let proxy = Proxy::start(relay.addr(), hook).await;
    let keys = keys(n);
    let c = create(&url, &keys, t, voters as u32).await;
    let picks: Vec<usize> = (0..voters).map(|i| (i * 7 + i / 3) % 3).collect();
    for (i, &pick) in picks.iter().enumerate() {
        let values = sotto_e2e::proved(
            &c.manifest.manifest.computation().kind.encoding(),
            &[(pick, Fp::ONE)],
        );
        let mut p = RelayClient::connect(&url).await.unwrap();
        p.hello(c.session, &c.participants[i], 0).await.unwrap();
        submit_values(&mut p, &c.manifest, &values, Duration::ZERO)
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..n {
        let mut member = cfg(&url, &c, &keys, i);
        if i == 0 {
            member.relay = proxy.url();
        }
        let rt = runtimes.get(i).cloned().unwrap_or_else(TestRuntime::quick);
        tasks.push(tokio::spawn(rt.run(member)));
    }
    close_session(&url, c.session, &c.organizer).await.unwrap();
    let mut outs = Vec::new();
    for t in tasks {
        let out = tokio::time::timeout(BOUND, t)
            .await
            .expect("a member hung past every deadline")
            .unwrap();
        outs.push(out);
    }
    let mut client = RelayClient::connect(&url).await.unwrap();
    let result = flows::fetch_result(&mut client, &c.manifest, &c.reader)
        .await
        .unwrap()
        .map(|r| r.json);
    Ending {
        outs,
        result,
        picks,
    }
}

/// The proxy hook: `f(conn, dir, frame, state)` with per-test state.
fn hook<S: Send + 'static>(
    mut state: S,
    mut f: impl FnMut(&mut S, usize, Dir, WsFrame) -> Vec<Out> + Send + 'static,
) -> Hook {
    Box::new(move |conn, dir, frame| f(&mut state, conn, dir, frame))
}

/// Counts engine deliveries to member 1 on its first connection and
/// applies `f` to the `nth` (1-based); everything else passes.
fn on_nth_engine_delivery(
    nth: usize,
    mut f: impl FnMut(WsFrame) -> Vec<Out> + Send + 'static,
) -> Hook {
    hook(0usize, move |seen, conn, dir, frame| {
        if conn == 0 && dir == Dir::ToClient && frame.is_engine_delivery() {
            *seen += 1;
            if *seen == nth {
                return f(frame);
            }
        }
        pass(frame)
    })
}

fn stalled(e: &MemberError) -> bool {
    matches!(e, MemberError::Stalled { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_delivery_is_noticed_by_its_sequence_number_and_fetched_again() {
    let end = session(3, 1, 6, on_nth_engine_delivery(1, |_| vec![]), vec![]).await;
    end.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_gone_silent_is_resumed_after_the_quiet_period() {
    // After the second engine delivery, the first connection delivers
    // nothing more (it stays open): a black hole.
    let h = hook(0usize, |seen, conn, dir, frame| {
        if conn == 0 && dir == Dir::ToClient && frame.kind() == Some(0x84) {
            if *seen >= 2 {
                return vec![];
            }
            if frame.is_engine_delivery() {
                *seen += 1;
            }
        }
        pass(frame)
    });
    let end = session(3, 1, 6, h, vec![]).await;
    end.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_delayed_frames_change_nothing() {
    // Every delivery twice, every frame either way 10 ms late.
    let h = hook((), |_, _, dir, frame| {
        let mut out = vec![Out::Sleep(Duration::from_millis(10))];
        if dir == Dir::ToClient && frame.kind() == Some(0x84) {
            out.push(Out::Frame(frame.clone()));
        }
        out.push(Out::Frame(frame));
        out
    });
    session(3, 1, 6, h, vec![]).await.correct();
}

/// Holds back the first engine delivery of each connection numbered below
/// `conns` and sends it after the next delivery.
fn reorder(conns: usize) -> Hook {
    hook(
        BTreeMap::<usize, Option<WsFrame>>::new(),
        move |held, conn, dir, frame| {
            if dir != Dir::ToClient || frame.kind() != Some(0x84) || conn >= conns {
                return pass(frame);
            }
            match held.get_mut(&conn) {
                None if frame.is_engine_delivery() => {
                    held.insert(conn, Some(frame));
                    vec![]
                }
                Some(h @ Some(_)) => {
                    let first = h.take().unwrap();
                    vec![Out::Frame(frame), Out::Frame(first)]
                }
                _ => pass(frame),
            }
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_deliveries_are_fetched_again_in_order() {
    session(3, 1, 6, reorder(1), vec![]).await.correct();
    // A relay that reorders on every connection makes no progress: after
    // ten fruitless resyncs the member gives up, and so do the others.
    let end = session(3, 1, 6, reorder(usize::MAX), vec![]).await;
    end.aborted();
    assert!(end.outs.iter().all(|o| stalled(o.as_ref().unwrap_err())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_frame_replayed_later_is_ignored() {
    // A copy of the first engine delivery comes again after the fourth.
    let h = hook(
        (0usize, None::<WsFrame>),
        |(seen, first), conn, dir, frame| {
            if conn == 0 && dir == Dir::ToClient && frame.is_engine_delivery() {
                *seen += 1;
                if *seen == 1 {
                    *first = Some(frame.clone());
                }
                if *seen == 4 {
                    return vec![Out::Frame(frame), Out::Frame(first.clone().unwrap())];
                }
            }
            pass(frame)
        },
    );
    session(3, 1, 6, h, vec![]).await.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_message_replayed_under_a_new_sequence_number_stops_the_computation() {
    // The relay swaps a fresh engine message for an old one from the same
    // sender, keeping the new sequence number: the channel rejects the
    // replay, the real message is lost, and nobody computes a result.
    let h = hook(
        BTreeMap::<[u8; 2], WsFrame>::new(),
        |old, conn, dir, mut frame| {
            if conn == 0 && dir == Dir::ToClient && frame.is_engine_delivery() {
                let from = [frame.payload[20], frame.payload[21]];
                match old.get(&from) {
                    None => {
                        old.insert(from, frame.clone());
                    }
                    Some(first) if first.seq() != u64::MAX => {
                        let seq = frame.seq();
                        frame = first.clone();
                        frame.set_seq(seq);
                        old.get_mut(&from).unwrap().set_seq(u64::MAX);
                    }
                    _ => {}
                }
            }
            pass(frame)
        },
    );
    let end = session(3, 1, 6, h, vec![]).await;
    end.aborted();
    assert!(
        end.outs.iter().all(|o| stalled(o.as_ref().unwrap_err())),
        "{:?}",
        end.outs
            .iter()
            .map(|o| o.as_ref().err().map(|e| e.to_string()))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_frame_or_stream_costs_a_reconnect() {
    // A delivery whose relay frame is cut short (it no longer decodes).
    let cut_frame = on_nth_engine_delivery(2, |mut f| {
        f.truncate(7);
        vec![Out::Frame(f)]
    });
    session(3, 1, 6, cut_frame, vec![]).await.correct();
    // The TCP stream itself cut in the middle of a frame.
    let cut_stream = on_nth_engine_delivery(2, |f| {
        let half = f.payload.len() / 2;
        vec![Out::Partial(f, half)]
    });
    session(3, 1, 6, cut_stream, vec![]).await.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_again_and_again_still_finishes() {
    let h = hook(
        BTreeMap::<usize, usize>::new(),
        |frames, conn, dir, frame| {
            if dir == Dir::ToClient && frame.kind() == Some(0x84) {
                let n = frames.entry(conn).or_default();
                *n += 1;
                if *n == 6 && conn < 8 {
                    return vec![Out::Cut];
                }
            }
            pass(frame)
        },
    );
    session(3, 1, 6, h, vec![]).await.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flipped_bits_in_member_messages_stop_everyone_with_typed_errors() {
    // In the ciphertext of a delivered engine message.
    let flip_body = on_nth_engine_delivery(3, |mut f| {
        let last = f.payload.len() - 1;
        f.payload[last] ^= 0x01;
        vec![Out::Frame(f)]
    });
    let end = session(3, 1, 6, flip_body, vec![]).await;
    end.aborted();
    assert!(
        matches!(end.member(1), MemberError::Tampered { .. }),
        "{}",
        end.member(1)
    );
    assert!(stalled(end.member(2)) && stalled(end.member(3)));
    // In the routing header: the relay claims another sender.
    let flip_from = on_nth_engine_delivery(1, |mut f| {
        let from = u16::from_be_bytes([f.payload[20], f.payload[21]]);
        f.set_from(if from == 2 { 3 } else { 2 });
        vec![Out::Frame(f)]
    });
    let end = session(3, 1, 6, flip_from, vec![]).await;
    end.aborted();
    assert!(
        matches!(end.member(1), MemberError::Tampered { .. }),
        "{}",
        end.member(1)
    );
    // In a message member 1 sends (client to relay).
    let flip_sent = hook(false, |done, conn, dir, mut frame| {
        if conn == 0 && dir == Dir::ToRelay && frame.is_engine_send() && !*done {
            *done = true;
            let last = frame.payload.len() - 1;
            frame.payload[last] ^= 0x80;
        }
        pass(frame)
    });
    let end = session(3, 1, 6, flip_sent, vec![]).await;
    end.aborted();
    assert!(
        end.outs[1..]
            .iter()
            .any(|o| matches!(o, Err(MemberError::Tampered { from: 1, .. }))),
        "a recipient names member 1's channel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_bit_in_a_submission_never_gives_a_wrong_result() {
    // The relay flips a bit of member 1's part of the third submission. The
    // part no longer matches the hash its bundle's commitment lists (which
    // the relay checked when it stored the bundle), so only a tampering
    // relay can deliver it: member 1 stops, naming the relay, and no result
    // verifies. (Before participant commitments, member 1 used zeros and
    // the submission was excluded; now an exclusion needs a complaint that
    // anyone can check, and a tampered delivery cannot back one.)
    let h = hook(0usize, |seen, conn, dir, mut frame| {
        if conn == 0 && dir == Dir::ToClient && frame.is_delivery(1) {
            *seen += 1;
            if *seen == 3 {
                let last = frame.payload.len() - 1;
                frame.payload[last] ^= 0x01;
            }
        }
        pass(frame)
    });
    let end = session(3, 1, 6, h, vec![]).await;
    end.aborted();
    assert!(
        matches!(end.member(1), MemberError::BadDelivery { position: 3 }),
        "{}",
        end.member(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_or_duplicated_requests_are_sent_again_and_stored_once() {
    // Member 1's first engine message never reaches the relay: no Ack, a
    // resend after the request deadline (same id).
    let dropped = hook(false, |done, conn, dir, frame| {
        if conn == 0 && dir == Dir::ToRelay && frame.is_engine_send() && !*done {
            *done = true;
            return vec![];
        }
        pass(frame)
    });
    session(3, 1, 6, dropped, vec![]).await.correct();
    // Every message, acknowledgement and publication of member 1 reaches
    // the relay twice.
    let doubled = hook((), |_, _, dir, frame| {
        if dir == Dir::ToRelay && matches!(frame.kind(), Some(0x07..=0x09)) {
            return vec![Out::Frame(frame.clone()), Out::Frame(frame)];
        }
        pass(frame)
    });
    session(3, 1, 6, doubled, vec![]).await.correct();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_substituted_manifest_or_member_index_is_refused() {
    // The manifest served to member 1 lists another encryption key for
    // member 2 (a key the relay would hold).
    let evil = MemberKeys::generate(&mut sotto_client::os_rng())
        .public()
        .x25519
        .to_string();
    let h = hook(None::<Vec<u8>>, move |_, _, dir, mut frame| {
        if dir == Dir::ToClient && frame.kind() == Some(0x85) {
            // The manifest's committee: member 2's key is the second x25519
            // key in it; replace every key but member 1's own.
            let text =
                String::from_utf8_lossy(&frame.payload[sotto_e2e::proxy::HEADER..]).to_string();
            let keys: Vec<String> = text
                .match_indices("\"x25519\":\"")
                .map(|(i, m)| text[i + m.len()..i + m.len() + 64].to_string())
                .collect();
            if keys.len() >= 2 {
                frame.swap(keys[1].as_bytes(), evil.as_bytes());
            }
        }
        pass(frame)
    });
    let end = session(3, 1, 6, h, vec![]).await;
    end.aborted();
    let e = end.member(1);
    assert!(matches!(e, MemberError::Manifest(_)), "{e}");
    assert!(stalled(end.member(2)) && stalled(end.member(3)));
    // The relay tells member 1 it is member 2.
    let h = hook((), |_, _, dir, mut frame| {
        if dir == Dir::ToClient && frame.kind() == Some(0x81) {
            frame.set_from(2);
        }
        pass(frame)
    });
    let end = session(3, 1, 6, h, vec![]).await;
    end.aborted();
    let e = end.member(1);
    assert!(matches!(e, MemberError::Manifest(_)), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_refuses_a_swapped_manifest_and_never_waits_forever() {
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys = keys(3);
    let c = create(&url, &keys, 1, 2).await;
    let answer = json!({"choice": "B"});
    // The manifest the proxy serves names another key for member 2.
    let honest = c.manifest.manifest.committee.members[1].x25519.to_string();
    let evil = MemberKeys::generate(&mut sotto_client::os_rng())
        .public()
        .x25519
        .to_string();
    let swap = hook((), move |_, _, dir, mut frame| {
        if dir == Dir::ToClient && frame.kind() == Some(0x85) {
            assert!(frame.swap(honest.as_bytes(), evil.as_bytes()));
        }
        pass(frame)
    });
    let proxy = Proxy::start(relay.addr(), swap).await;
    let link = c
        .link(
            &proxy.url(),
            sotto_core::session::Role::Participant,
            &c.participants[0],
        )
        .unwrap();
    let err = submit_answer_within(&link, &answer, Duration::from_secs(5))
        .await
        .expect_err("a swapped manifest is refused before encrypting");
    assert!(format!("{err:#}").contains("does not match"), "{err:#}");
    // The acknowledgement of the submission is lost: the participant gives
    // up at its deadline with a clear error, and the relay kept the answer
    // exactly once (the same link then reports that it was used).
    let drop_ack = hook((), |_, _, dir, frame| {
        if dir == Dir::ToClient && frame.kind() == Some(0x83) && frame.seq() > 0 {
            return vec![];
        }
        pass(frame)
    });
    let proxy = Proxy::start(relay.addr(), drop_ack).await;
    let link = c
        .link(
            &proxy.url(),
            sotto_core::session::Role::Participant,
            &c.participants[1],
        )
        .unwrap();
    let started = std::time::Instant::now();
    let err = submit_answer_within(&link, &answer, Duration::from_secs(2))
        .await
        .expect_err("no acknowledgement");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        format!("{err:#}").contains("did not answer within 2 s"),
        "{err:#}"
    );
    let direct = c
        .link(
            &url,
            sotto_core::session::Role::Participant,
            &c.participants[1],
        )
        .unwrap();
    let again = submit_answer_within(&direct, &answer, Duration::from_secs(5))
        .await
        .expect_err("stored once");
    assert!(format!("{again:#}").contains("TokenUsed"), "{again:#}");
}

/// A member that never comes: the others report, from their own relay
/// connection, who is connected (the browser console's list) and, once
/// the computation has waited a while, that it waits for member 3; then
/// they stop as stalled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_report_presence_and_whom_they_wait_for() {
    let logs: Vec<_> = (0..2)
        .map(|_| Arc::new(std::sync::Mutex::new(Vec::new())))
        .collect();
    let runtimes: Vec<TestRuntime> = logs
        .iter()
        .map(|log| TestRuntime {
            presence_every: Some(Duration::from_millis(300)),
            progress: Some(log.clone()),
            ..TestRuntime::quick()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let relay = relay_at(dir.path()).start().unwrap();
    let url = relay.url();
    let keys = keys(3);
    let c = create(&url, &keys, 1, 1).await;
    // Members 1 and 2 run; member 3 never connects.
    let tasks: Vec<_> = (0..2)
        .map(|i| tokio::spawn(runtimes[i].clone().run(cfg(&url, &c, &keys, i))))
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    close_session(&url, c.session, &c.organizer).await.unwrap();
    for t in tasks {
        let out = tokio::time::timeout(BOUND, t).await.unwrap().unwrap();
        assert!(matches!(out, Err(MemberError::Stalled { .. })), "{out:?}");
    }
    for (i, log) in logs.iter().enumerate() {
        let reports: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|p| match p {
                Progress::Presence { members, waiting } => Some((members.clone(), waiting.clone())),
                _ => None,
            })
            .collect();
        assert!(reports.len() >= 3, "member {}: {reports:?}", i + 1);
        // (At the very end the other member may already have stopped.)
        let both = reports
            .iter()
            .find(|(m, _)| m.iter().map(|m| m.online).eq([true, true, false]))
            .unwrap_or_else(|| panic!("member {}: {reports:?}", i + 1));
        assert!(both.0[0].since > 0 && both.0[1].since > 0);
        assert!(
            reports.iter().all(|(m, _)| m[2].since == 0),
            "member 3 was never seen"
        );
        assert!(
            reports.iter().any(|(_, w)| w == &vec![3]),
            "member {} never said it waits for member 3: {reports:?}",
            i + 1
        );
    }
}
