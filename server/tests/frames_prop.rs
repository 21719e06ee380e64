//! Property tests of the relay's frame parsing with arbitrary bytes.
//!
//! The relay decodes every incoming WebSocket binary message with
//! `sotto_wire::decode_ref`, then the payload its kind calls for
//! (`server/src/ws/request.rs`, and the store for submission bundles).
//! Two layers are tested:
//!
//! - the decoders themselves, many cases per run: arbitrary bytes and
//!   mutations of valid frames decode or give a typed `WireError`, never
//!   panic, and valid frames round-trip;
//! - the running relay, fewer cases: a connection (anonymous, member or
//!   participant) sends arbitrary and mutated frames, and the relay must
//!   answer only with well-formed frames, end a connection only with a
//!   WebSocket close frame, never panic (a panic hook records panics on
//!   the relay's threads; it runs in this process), and keep serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sotto_wire::{
    self, Bundle, CreateParams, Created, ErrorBody, Frame, Header, Kind, MintRequest, SessionId,
    SessionState, TokenList, TokenMode, WireError,
};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Every frame kind, in byte order.
fn kinds() -> Vec<Kind> {
    (0..=u8::MAX)
        .filter_map(|b| Kind::try_from(b).ok())
        .collect()
}

fn header_strategy() -> impl Strategy<Value = Header> {
    (
        prop::sample::select(kinds()),
        any::<u8>(),
        any::<[u8; 16]>(),
        any::<u16>(),
        any::<u16>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(kind, tag, session, from, to, id, seq)| Header {
            kind,
            tag,
            session: SessionId(session),
            from,
            to,
            id,
            seq,
        })
}

/// What the relay makes of one message before it touches the store: the
/// header, then the payload as its kind requires. Mirrors the dispatch in
/// `server/src/ws/request.rs` (and `Bundle::decode` in the store).
fn relay_decode(bytes: &[u8]) -> Result<Header, WireError> {
    let (h, payload) = sotto_wire::decode_ref(bytes)?;
    match h.kind {
        Kind::Create => drop(CreateParams::decode(payload)),
        Kind::MintTokens => drop(MintRequest::decode(payload)),
        Kind::SetState => drop(payload.first().map(|b| SessionState::try_from(*b))),
        Kind::Hello | Kind::GetResults => drop(<[u8; 32]>::try_from(payload)),
        Kind::Submit => drop(Bundle::decode(payload)),
        _ => {}
    }
    Ok(h)
}

/// A byte-level edit of a valid frame.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        xor: u8,
    },
    /// A flip past the header, where the payload decoders look.
    FlipPayload {
        at: usize,
        xor: u8,
    },
    Truncate(usize),
    Append(Vec<u8>),
    Insert {
        at: usize,
        byte: u8,
    },
    Remove(usize),
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<usize>(), 1..=u8::MAX).prop_map(|(at, xor)| Mutation::Flip { at, xor }),
        3 => (any::<usize>(), 1..=u8::MAX).prop_map(|(at, xor)| Mutation::FlipPayload { at, xor }),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => prop::collection::vec(any::<u8>(), 1..8).prop_map(Mutation::Append),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        1 => any::<usize>().prop_map(Mutation::Remove),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Flip { at, xor } if len > 0 => bytes[at % len] ^= xor,
            Mutation::FlipPayload { at, xor } if len > sotto_wire::HEADER_LEN => {
                bytes[sotto_wire::HEADER_LEN + at % (len - sotto_wire::HEADER_LEN)] ^= xor
            }
            Mutation::Truncate(n) => bytes.truncate(n % (len + 1)),
            Mutation::Append(more) => bytes.extend_from_slice(more),
            Mutation::Insert { at, byte } => bytes.insert(at % (len + 1), *byte),
            Mutation::Remove(at) if len > 0 => drop(bytes.remove(at % len)),
            _ => {}
        }
    }
    bytes
}

/// Payloads shaped like the ones the relay decodes, so that mutations
/// reach the payload decoders and not only the header checks.
fn payload_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        (any::<u16>(), any::<bool>()).prop_map(|(members, allow_resubmit)| CreateParams {
            members,
            allow_resubmit,
            ..CreateParams::default()
        }
        .encode()),
        (any::<u32>(), any::<u32>()).prop_map(|(count, rate_per_min)| MintRequest {
            mode: TokenMode::SingleUse,
            count,
            rate_per_min
        }
        .encode()),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..16), 0..4).prop_map(|parts| {
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            Bundle::encode(&refs)
        }),
        any::<[u8; 32]>().prop_map(|t| t.to_vec()),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 2048, failure_persistence: None, ..Config::default() })]

    #[test]
    fn arbitrary_bytes_decode_or_give_a_typed_error(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        match relay_decode(&bytes) {
            Ok(h) => {
                prop_assert!(bytes.len() >= sotto_wire::HEADER_LEN);
                prop_assert_eq!(Frame::decode(&bytes).unwrap().header, h);
            }
            Err(e) => {
                prop_assert!(Frame::decode(&bytes).is_err());
                // Every error renders (the relay sends it in an Error frame).
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn valid_frames_round_trip(h in header_strategy(), payload in payload_strategy()) {
        let bytes = sotto_wire::encode(&h, &payload);
        prop_assert_eq!(bytes.len(), sotto_wire::HEADER_LEN + payload.len());
        let (decoded, p) = sotto_wire::decode_ref(&bytes).unwrap();
        prop_assert_eq!(&decoded, &h);
        prop_assert_eq!(p, &payload[..]);
        prop_assert_eq!(relay_decode(&bytes), Ok(h.clone()));
        let frame = Frame::new(h, payload);
        prop_assert_eq!(Frame::decode(&frame.encode()), Ok(frame));
    }

    #[test]
    fn mutated_valid_frames_decode_or_give_a_typed_error(
        h in header_strategy(),
        payload in payload_strategy(),
        mutations in prop::collection::vec(mutation_strategy(), 1..4),
    ) {
        let good = sotto_wire::encode(&h, &payload);
        let bad = mutate(good.clone(), &mutations);
        match relay_decode(&bad) {
            Ok(decoded) => {
                // Whatever still decodes re-encodes to the same bytes, up to
                // the reserved byte, which is ignored on receipt.
                let again = Frame::decode(&bad).unwrap().encode();
                prop_assert_eq!(again.len(), bad.len());
                prop_assert_eq!(&again[..3], &bad[..3]);
                prop_assert_eq!(&again[4..], &bad[4..]);
                if bad.len() == good.len() && bad[..3] == good[..3] && bad[4..] == good[4..] {
                    prop_assert_eq!(decoded, h);
                }
            }
            Err(e) => {
                // A length change is reported as such, never as something else.
                if bad.len() != good.len() && bad.len() >= sotto_wire::HEADER_LEN && bad[..sotto_wire::HEADER_LEN] == good[..sotto_wire::HEADER_LEN] {
                    prop_assert!(matches!(e, WireError::Truncated { .. } | WireError::Trailing(_)), "{:?}", e);
                }
            }
        }
    }
}

// --- the running relay -------------------------------------------------------

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(20);

/// How a connection ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// The sentinel request was answered: the connection is still serving.
    Answered,
    /// The relay closed with a close frame carrying this code.
    Closed(u16),
}

async fn connect(addr: SocketAddr) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws
}

/// Reads until a frame answers request `id`, or the relay closes. Every
/// binary message must be a well-formed frame, Error payloads included.
async fn read_until(ws: &mut Ws, id: u64) -> Result<(End, Vec<Frame>), String> {
    let mut seen = Vec::new();
    loop {
        let msg = match timeout(WAIT, ws.next()).await {
            Err(_) => return Err(format!("no answer to request {id} within {WAIT:?}")),
            Ok(None) => return Err("connection ended without a close frame".into()),
            Ok(Some(Err(e))) => return Err(format!("connection broke: {e}")),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Binary(b) => {
                let f = Frame::decode(&b).map_err(|e| format!("relay sent a bad frame: {e}"))?;
                if f.header.kind == Kind::Error {
                    ErrorBody::decode(&f.payload)
                        .map_err(|e| format!("relay sent a bad error body: {e}"))?;
                }
                let done = f.header.id == id && f.header.kind != Kind::Deliver;
                seen.push(f);
                if done {
                    return Ok((End::Answered, seen));
                }
            }
            Message::Close(frame) => {
                let code = frame.map(|f| u16::from(f.code)).unwrap_or(1005);
                return Ok((End::Closed(code), seen));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            Message::Text(_) => return Err("relay sent a text message".into()),
        }
    }
}

/// Sends one frame and waits for its answer.
async fn request(ws: &mut Ws, h: &Header, payload: &[u8]) -> Frame {
    ws.send(Message::binary(sotto_wire::encode(h, payload)))
        .await
        .unwrap();
    let (end, mut frames) = read_until(ws, h.id).await.unwrap();
    assert_eq!(end, End::Answered);
    frames.pop().unwrap()
}

/// A session with two members, open, with single-use participant tokens.
struct Fixture {
    session: SessionId,
    created: Created,
    participants: Vec<[u8; 32]>,
}

async fn fixture(addr: SocketAddr) -> Fixture {
    let mut org = connect(addr).await;
    let mut h = Header::new(Kind::Create, SessionId::NONE);
    h.id = 1;
    let params = CreateParams {
        members: 2,
        allow_resubmit: false,
        ..CreateParams::default()
    };
    let f = request(&mut org, &h, &params.encode()).await;
    assert_eq!(f.header.kind, Kind::Created, "{f:?}");
    let session = f.header.session;
    let created = Created::decode(&f.payload).unwrap();
    let steps: [(Kind, Vec<u8>); 4] = [
        (Kind::Hello, created.organizer.0.to_vec()),
        (Kind::RegisterManifest, b"signed manifest bytes".to_vec()),
        (Kind::SetState, vec![SessionState::Open as u8]),
        (
            Kind::MintTokens,
            MintRequest {
                mode: TokenMode::SingleUse,
                count: 16,
                rate_per_min: 0,
            }
            .encode(),
        ),
    ];
    let mut participants = Vec::new();
    for (i, (kind, payload)) in steps.into_iter().enumerate() {
        let mut h = Header::new(kind, session);
        h.id = 2 + i as u64;
        ws_step(&mut org, &h, &payload, &mut participants).await;
    }
    Fixture {
        session,
        created,
        participants,
    }
}

async fn ws_step(ws: &mut Ws, h: &Header, payload: &[u8], tokens: &mut Vec<[u8; 32]>) {
    let f = request(ws, h, payload).await;
    assert_ne!(
        f.header.kind,
        Kind::Error,
        "{h:?}: {:?}",
        ErrorBody::decode(&f.payload)
    );
    if f.header.kind == Kind::Tokens {
        tokens.extend(TokenList::decode(&f.payload).unwrap().0.iter().map(|t| t.0));
    }
}

/// Who the fuzzed connection is.
#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Member,
    Participant,
}

/// One fuzzed message: raw bytes, or a valid frame of the fixture session
/// (kind, payload) with byte-level mutations.
#[derive(Debug, Clone)]
enum Input {
    Raw(Vec<u8>),
    Mutated {
        kind: Kind,
        payload: Vec<u8>,
        mutations: Vec<Mutation>,
    },
}

fn input_strategy() -> impl Strategy<Value = Input> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..128).prop_map(Input::Raw),
        3 => (
            prop::sample::select(kinds()),
            payload_strategy(),
            prop::collection::vec(mutation_strategy(), 0..3),
        )
            .prop_map(|(kind, payload, mutations)| Input::Mutated {
                kind,
                payload,
                mutations,
            }),
    ]
}

/// Runs one case; returns whether the relay closed the connection.
async fn run_case(
    addr: SocketAddr,
    fx: &Fixture,
    case: u64,
    who: Who,
    inputs: &[Input],
) -> Result<bool, TestCaseError> {
    let mut ws = connect(addr).await;
    let token = match who {
        Who::Anonymous => None,
        Who::Member => Some(fx.created.members[1].0),
        Who::Participant => Some(fx.participants[case as usize % fx.participants.len()]),
    };
    if let Some(token) = token {
        let mut h = Header::new(Kind::Hello, fx.session);
        h.id = 1;
        ws.send(Message::binary(sotto_wire::encode(&h, &token)))
            .await
            .unwrap();
        // A used participant token is refused: the case then runs anonymous.
        let (end, _) = read_until(&mut ws, 1).await.map_err(TestCaseError::fail)?;
        prop_assert_eq!(end, End::Answered);
    }
    for (i, input) in inputs.iter().enumerate() {
        let bytes = match input {
            Input::Raw(b) => b.clone(),
            Input::Mutated {
                kind,
                payload,
                mutations,
            } => {
                let mut h = Header::new(*kind, fx.session);
                h.id = 100 + i as u64;
                h.to = 1;
                mutate(sotto_wire::encode(&h, payload), mutations)
            }
        };
        if ws.send(Message::binary(bytes)).await.is_err() {
            break; // closed by an earlier frame: the reader below sees why
        }
    }
    // The sentinel: the connection answers it, or has closed cleanly.
    let sentinel = 0xFEED_0000 + case;
    let mut h = Header::new(Kind::GetManifest, fx.session);
    h.id = sentinel;
    let _ = ws.send(Message::binary(sotto_wire::encode(&h, &[]))).await;
    let closed = match read_until(&mut ws, sentinel).await {
        Ok((End::Answered, _)) => false,
        Ok((End::Closed(code), frames)) => {
            // The relay says why before it closes.
            prop_assert!(
                frames.iter().any(|f| f.header.kind == Kind::Error),
                "closed with {} and no error frame",
                code
            );
            true
        }
        Err(e) => return Err(TestCaseError::fail(e)),
    };
    let _ = ws.close(None).await;
    Ok(closed)
}

#[test]
fn relay_answers_arbitrary_and_mutated_frames_and_keeps_serving() {
    let relay = common::Relay::start(&["--max-frame-bytes", "65536"]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fx = rt.block_on(fixture(relay.addr));
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop_oneof![
            Just(Who::Anonymous),
            Just(Who::Member),
            Just(Who::Participant)
        ],
        prop::collection::vec(input_strategy(), 1..5),
    );
    let case = std::cell::Cell::new(0u64);
    let closed = std::cell::Cell::new(0u64);
    let result = runner.run(&strategy, |(who, inputs)| {
        case.set(case.get() + 1);
        let c = rt.block_on(run_case(relay.addr, &fx, case.get(), who, &inputs))?;
        closed.set(closed.get() + u64::from(c));
        Ok(())
    });
    eprintln!(
        "{} connections (shrinking included): {} closed by the relay, the rest still serving",
        case.get(),
        closed.get()
    );
    let panics = common::relay_panics();
    assert!(panics.is_empty(), "the relay panicked:\n{panics:#?}");
    result.unwrap();
    // Still serving: a fresh connection reads the manifest.
    rt.block_on(async {
        let mut ws = connect(relay.addr).await;
        let mut h = Header::new(Kind::GetManifest, fx.session);
        h.id = 7;
        let f = request(&mut ws, &h, &[]).await;
        assert_eq!(f.header.kind, Kind::Manifest);
        assert_eq!(f.payload, b"signed manifest bytes");
    });
    assert!(relay.data.exists());
}
