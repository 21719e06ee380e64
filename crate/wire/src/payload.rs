//! Structured payloads of the control and delivery frames.
//!
//! Each type has `encode` and a total `decode` (malformed input is a
//! [`WireError`], trailing bytes included). Ciphertexts inside them stay
//! opaque byte strings.

use super::reader::{Reader, put_len16, put_len32};
use super::{ErrorCode, Role, SessionState, Token, TokenMode, WireError};

/// Parameters of [`super::Kind::Create`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateParams {
    /// Committee size n (member indices 1..=n).
    pub members: u16,
    /// Whether a single-use token may resubmit (replacing) before close.
    pub allow_resubmit: bool,
    /// The session's fixed part size: the relay refuses a submission with
    /// a part (one member's ciphertext) longer than this, with
    /// [`ErrorCode::TooLarge`]. 0: no limit but the frame's.
    pub max_part_bytes: u32,
    /// The operator's creation token, for a relay started with
    /// `--create-token` (it refuses creation without it). Secret: redacted
    /// `Debug`.
    pub create_token: Option<Token>,
}

/// Flag bits of [`CreateParams`]'s encoding.
const CREATE_RESUBMIT: u8 = 1;
const CREATE_PART_SIZE: u8 = 2;
const CREATE_TOKEN: u8 = 4;

impl CreateParams {
    /// `[members u16][flags u8]`, then `[max part bytes u32]` when flag bit
    /// 1 is set and `[create token 32]` when bit 2 is; bit 0 =
    /// allow_resubmit. (A 3-byte encoding, as older clients send, has
    /// neither.)
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.members.to_be_bytes().to_vec();
        let mut flags = u8::from(self.allow_resubmit);
        if self.max_part_bytes != 0 {
            flags |= CREATE_PART_SIZE;
        }
        if self.create_token.is_some() {
            flags |= CREATE_TOKEN;
        }
        out.push(flags);
        if self.max_part_bytes != 0 {
            out.extend_from_slice(&self.max_part_bytes.to_be_bytes());
        }
        if let Some(t) = &self.create_token {
            out.extend_from_slice(&t.0);
        }
        out
    }

    /// Inverse of [`CreateParams::encode`]; unknown flag bits, and a part
    /// size of 0 spelled out, are refused.
    pub fn decode(b: &[u8]) -> Result<CreateParams, WireError> {
        let mut r = Reader::new(b);
        let members = r.u16()?;
        let flags = r.u8()?;
        if flags & !(CREATE_RESUBMIT | CREATE_PART_SIZE | CREATE_TOKEN) != 0 {
            return Err(WireError::InvalidValue {
                field: "create flags",
                value: flags.into(),
            });
        }
        let max_part_bytes = if flags & CREATE_PART_SIZE != 0 {
            match r.u32()? {
                0 => {
                    return Err(WireError::InvalidValue {
                        field: "max_part_bytes",
                        value: 0,
                    });
                }
                v => v,
            }
        } else {
            0
        };
        let create_token = if flags & CREATE_TOKEN != 0 {
            Some(Token(r.array()?))
        } else {
            None
        };
        r.finish()?;
        if members == 0 || members == super::BROADCAST {
            return Err(WireError::InvalidValue {
                field: "members",
                value: members.into(),
            });
        }
        Ok(CreateParams {
            members,
            allow_resubmit: flags & CREATE_RESUBMIT != 0,
            max_part_bytes,
            create_token,
        })
    }
}

/// Reply to Create: the tokens, returned once (the relay keeps only hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The organizer's capability.
    pub organizer: Token,
    /// The read token for published results (the "read link").
    pub reader: Token,
    /// One token per member, index i at position i-1.
    pub members: Vec<Token>,
}

impl Created {
    /// `[n u16][organizer 32][reader 32][n x member 32]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(66 + 32 * self.members.len());
        put_len16(&mut out, self.members.len());
        out.extend_from_slice(&self.organizer.0);
        out.extend_from_slice(&self.reader.0);
        for t in &self.members {
            out.extend_from_slice(&t.0);
        }
        out
    }

    /// Inverse of [`Created::encode`].
    pub fn decode(b: &[u8]) -> Result<Created, WireError> {
        let mut r = Reader::new(b);
        let n = r.u16()?;
        let organizer = Token(r.array()?);
        let reader = Token(r.array()?);
        let members = (0..n)
            .map(|_| r.array().map(Token))
            .collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(Created {
            organizer,
            reader,
            members,
        })
    }
}

/// Reply to Hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// What the token allows.
    pub role: Role,
    /// The session's current state.
    pub state: SessionState,
    /// Committee size n.
    pub members: u16,
    /// Whether single-use tokens may resubmit.
    pub allow_resubmit: bool,
    /// A participant's single-use token: whether an answer is already
    /// stored with it (the participant page says so before the form is
    /// filled). Always false for other roles.
    pub used: bool,
    /// Members: the highest sequence number in the mailbox now. The
    /// organizer: the number of submission positions assigned so far.
    pub head: u64,
    /// Members: deliveries resume after this sequence number.
    pub resume: u64,
}

impl Welcome {
    /// `[role u8][state u8][members u16][flags u8][head u64][resume u64]`;
    /// flags: bit 0 `allow_resubmit`, bit 1 `used` (a relay without bit 1
    /// reads as "not used").
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.role as u8, self.state as u8];
        out.extend_from_slice(&self.members.to_be_bytes());
        out.push(u8::from(self.allow_resubmit) | (u8::from(self.used) << 1));
        out.extend_from_slice(&self.head.to_be_bytes());
        out.extend_from_slice(&self.resume.to_be_bytes());
        out
    }

    /// Inverse of [`Welcome::encode`].
    pub fn decode(b: &[u8]) -> Result<Welcome, WireError> {
        let mut r = Reader::new(b);
        let role = Role::try_from(r.u8()?)?;
        let state = SessionState::try_from(r.u8()?)?;
        let members = r.u16()?;
        let flags = r.u8()?;
        let (allow_resubmit, used) = (flags & 1 == 1, flags & 2 == 2);
        let head = r.u64()?;
        let resume = r.u64()?;
        r.finish()?;
        Ok(Welcome {
            role,
            state,
            members,
            allow_resubmit,
            used,
            head,
            resume,
        })
    }
}

/// Payload of MintTokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintRequest {
    /// Single-use list or one open link.
    pub mode: TokenMode,
    /// How many tokens (open links: ignored, one is minted).
    pub count: u32,
    /// Open links: submissions per minute per network address (0 = relay default).
    pub rate_per_min: u32,
}

impl MintRequest {
    /// `[mode u8][count u32][rate_per_min u32]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.mode as u8];
        out.extend_from_slice(&self.count.to_be_bytes());
        out.extend_from_slice(&self.rate_per_min.to_be_bytes());
        out
    }

    /// Inverse of [`MintRequest::encode`].
    pub fn decode(b: &[u8]) -> Result<MintRequest, WireError> {
        let mut r = Reader::new(b);
        let mode = TokenMode::try_from(r.u8()?)?;
        let count = r.u32()?;
        let rate_per_min = r.u32()?;
        r.finish()?;
        Ok(MintRequest {
            mode,
            count,
            rate_per_min,
        })
    }
}

/// Reply to MintTokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenList(pub Vec<Token>);

impl TokenList {
    /// `[count u32][count x 32]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 32 * self.0.len());
        put_len32(&mut out, self.0.len());
        for t in &self.0 {
            out.extend_from_slice(&t.0);
        }
        out
    }

    /// Inverse of [`TokenList::encode`].
    pub fn decode(b: &[u8]) -> Result<TokenList, WireError> {
        let mut r = Reader::new(b);
        let n = r.u32()? as usize;
        if n > b.len() / 32 {
            return Err(WireError::Truncated {
                needed: n.saturating_mul(32),
                got: b.len(),
            });
        }
        let tokens = (0..n)
            .map(|_| r.array().map(Token))
            .collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(TokenList(tokens))
    }
}

/// Most digests in one [`UsedTokens`] page: 8,192 x 32 bytes = 256 KiB,
/// well inside the smallest frame every relay accepts.
pub const USED_TOKENS_PAGE: usize = 8192;

/// Reply to GetUsedTokens: the SHA-256 digests (as the relay stores them,
/// [`Token::digest`]) of the session's single-use tokens that an answer
/// is stored with, ascending, after the request's cursor. Digests only:
/// the relay never hands back a token, nor which submission a token gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedTokens {
    /// At most [`USED_TOKENS_PAGE`] digests, ascending.
    pub digests: Vec<[u8; 32]>,
    /// Whether more follow: ask again with the last digest as the cursor.
    pub more: bool,
}

impl UsedTokens {
    /// `[more u8][count u32][count x 32]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + 32 * self.digests.len());
        out.push(u8::from(self.more));
        put_len32(&mut out, self.digests.len());
        for d in &self.digests {
            out.extend_from_slice(d);
        }
        out
    }

    /// Inverse of [`UsedTokens::encode`]; refuses a flag other than 0 or
    /// 1 and a page larger than [`USED_TOKENS_PAGE`].
    pub fn decode(b: &[u8]) -> Result<UsedTokens, WireError> {
        let mut r = Reader::new(b);
        let more = match r.u8()? {
            0 => false,
            1 => true,
            v => {
                return Err(WireError::InvalidValue {
                    field: "used tokens flag",
                    value: u64::from(v),
                });
            }
        };
        let n = r.u32()? as usize;
        if n > USED_TOKENS_PAGE {
            return Err(WireError::InvalidValue {
                field: "used tokens count",
                value: n as u64,
            });
        }
        if n > b.len() / 32 {
            return Err(WireError::Truncated {
                needed: n.saturating_mul(32),
                got: b.len(),
            });
        }
        let digests = (0..n).map(|_| r.array()).collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(UsedTokens { digests, more })
    }
}

/// A submission: one ciphertext per member, in member order 1..=n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle<'a> {
    /// `parts[i]` is for member i+1.
    pub parts: Vec<&'a [u8]>,
}

impl<'a> Bundle<'a> {
    /// `[n u16][n x (len u32, bytes)]`.
    pub fn encode(parts: &[&[u8]]) -> Vec<u8> {
        let total: usize = parts.iter().map(|p| p.len() + 4).sum();
        let mut out = Vec::with_capacity(2 + total);
        put_len16(&mut out, parts.len());
        for p in parts {
            put_len32(&mut out, p.len());
            out.extend_from_slice(p);
        }
        out
    }

    /// Inverse of [`Bundle::encode`], borrowing the ciphertexts.
    pub fn decode(b: &'a [u8]) -> Result<Bundle<'a>, WireError> {
        let mut r = Reader::new(b);
        let n = r.u16()?;
        let mut parts = Vec::with_capacity(usize::from(n).min(b.len() / 4));
        for _ in 0..n {
            let len = r.u32()? as usize;
            parts.push(r.take(len)?);
        }
        r.finish()?;
        Ok(Bundle { parts })
    }
}

/// Payload of a [`super::DeliveryKind::Submission`] delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionDelivery<'a> {
    /// The bundle's receipt ([`super::receipt`]).
    pub receipt: [u8; 32],
    /// Log position of the submission this one replaces (0 = none).
    pub replaces: u64,
    /// This member's ciphertext.
    pub ciphertext: &'a [u8],
}

impl<'a> SubmissionDelivery<'a> {
    /// `[receipt 32][replaces u64][ciphertext]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.ciphertext.len());
        out.extend_from_slice(&self.receipt);
        out.extend_from_slice(&self.replaces.to_be_bytes());
        out.extend_from_slice(self.ciphertext);
        out
    }

    /// Inverse of [`SubmissionDelivery::encode`].
    pub fn decode(b: &'a [u8]) -> Result<SubmissionDelivery<'a>, WireError> {
        let mut r = Reader::new(b);
        let receipt = r.array()?;
        let replaces = r.u64()?;
        Ok(SubmissionDelivery {
            receipt,
            replaces,
            ciphertext: r.rest(),
        })
    }
}

/// Payload of a [`super::DeliveryKind::Closed`] delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseMarker {
    /// Submissions in the log at close: positions 1..=submissions.
    pub submissions: u64,
}

impl CloseMarker {
    /// `[submissions u64]`.
    pub fn encode(&self) -> Vec<u8> {
        self.submissions.to_be_bytes().to_vec()
    }

    /// Inverse of [`CloseMarker::encode`].
    pub fn decode(b: &[u8]) -> Result<CloseMarker, WireError> {
        let mut r = Reader::new(b);
        let submissions = r.u64()?;
        r.finish()?;
        Ok(CloseMarker { submissions })
    }
}

/// Payload of an Error frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// Machine-readable reason.
    pub code: ErrorCode,
    /// Human-readable detail (never contains secrets).
    pub message: String,
}

impl ErrorBody {
    /// `[code u16][utf-8 message]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = (self.code as u16).to_be_bytes().to_vec();
        out.extend_from_slice(self.message.as_bytes());
        out
    }

    /// Inverse of [`ErrorBody::encode`]; invalid UTF-8 is replaced.
    pub fn decode(b: &[u8]) -> Result<ErrorBody, WireError> {
        let mut r = Reader::new(b);
        let raw = r.u16()?;
        let code = u8::try_from(raw)
            .map_err(|_| WireError::InvalidValue {
                field: "error code",
                value: raw.into(),
            })
            .and_then(ErrorCode::try_from)?;
        let message = String::from_utf8_lossy(r.rest()).into_owned();
        Ok(ErrorBody { code, message })
    }
}

/// Reply to GetResults: each member's published blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results(pub Vec<(u16, Vec<u8>)>);

impl Results {
    /// `[count u16][count x (member u16, len u32, blob)]`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_len16(&mut out, self.0.len());
        for (m, blob) in &self.0 {
            out.extend_from_slice(&m.to_be_bytes());
            put_len32(&mut out, blob.len());
            out.extend_from_slice(blob);
        }
        out
    }

    /// Inverse of [`Results::encode`].
    pub fn decode(b: &[u8]) -> Result<Results, WireError> {
        let mut r = Reader::new(b);
        let n = r.u16()?;
        let mut out = Vec::new();
        for _ in 0..n {
            let m = r.u16()?;
            let len = r.u32()? as usize;
            out.push((m, r.take(len)?.to_vec()));
        }
        r.finish()?;
        Ok(Results(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_tokens_round_trip_and_refuse_bad_pages() {
        let u = UsedTokens {
            digests: vec![[1; 32], [7; 32]],
            more: true,
        };
        let b = u.encode();
        assert_eq!(b.len(), 5 + 64);
        assert_eq!(UsedTokens::decode(&b).unwrap(), u);
        let empty = UsedTokens {
            digests: vec![],
            more: false,
        };
        assert_eq!(UsedTokens::decode(&empty.encode()).unwrap(), empty);
        let mut bad = b.clone();
        bad[0] = 2;
        assert!(UsedTokens::decode(&bad).is_err(), "unknown flag");
        assert!(UsedTokens::decode(&b[..b.len() - 1]).is_err(), "short");
        let mut long = b.clone();
        long.push(0);
        assert!(UsedTokens::decode(&long).is_err(), "trailing byte");
        let mut huge = vec![0];
        huge.extend_from_slice(&(USED_TOKENS_PAGE as u32 + 1).to_be_bytes());
        huge.resize(5 + 32 * (USED_TOKENS_PAGE + 1), 0);
        assert!(UsedTokens::decode(&huge).is_err(), "over one page");
    }

    #[test]
    fn payloads_round_trip() {
        let p = CreateParams {
            members: 3,
            allow_resubmit: true,
            ..CreateParams::default()
        };
        assert_eq!(p.encode(), [0, 3, 1], "the short form older clients send");
        assert_eq!(CreateParams::decode(&p.encode()).unwrap(), p);
        let full = CreateParams {
            members: 3,
            allow_resubmit: false,
            max_part_bytes: 700,
            create_token: Some(Token([9; 32])),
        };
        assert_eq!(full.encode().len(), 3 + 4 + 32);
        assert_eq!(CreateParams::decode(&full.encode()).unwrap(), full);
        assert!(
            !format!("{full:?}").contains("9, 9"),
            "the token is redacted"
        );
        assert!(CreateParams::decode(&[0, 0, 0]).is_err());
        assert!(CreateParams::decode(&[0, 3, 8]).is_err(), "unknown flag");
        assert!(
            CreateParams::decode(&[0, 3, 2, 0, 0, 0, 0]).is_err(),
            "size 0"
        );
        assert!(CreateParams::decode(&[0, 3, 4, 1]).is_err(), "short token");
        let c = Created {
            organizer: Token([1; 32]),
            reader: Token([2; 32]),
            members: vec![Token([3; 32])],
        };
        assert_eq!(Created::decode(&c.encode()).unwrap(), c);
        let w = Welcome {
            role: Role::Member,
            state: SessionState::Open,
            members: 5,
            allow_resubmit: false,
            used: false,
            head: 10,
            resume: 4,
        };
        assert_eq!(Welcome::decode(&w.encode()).unwrap(), w);
        let used = Welcome {
            role: Role::Participant,
            allow_resubmit: true,
            used: true,
            ..w
        };
        assert_eq!(used.encode()[4], 0b11, "flags: resubmit and used");
        assert_eq!(Welcome::decode(&used.encode()).unwrap(), used);
        let m = MintRequest {
            mode: TokenMode::OpenLink,
            count: 1,
            rate_per_min: 60,
        };
        assert_eq!(MintRequest::decode(&m.encode()).unwrap(), m);
        let l = TokenList(vec![Token([9; 32]), Token([8; 32])]);
        assert_eq!(TokenList::decode(&l.encode()).unwrap(), l);
        let e = ErrorBody {
            code: ErrorCode::TokenUsed,
            message: "used".into(),
        };
        assert_eq!(ErrorBody::decode(&e.encode()).unwrap(), e);
        let res = Results(vec![(1, b"sig".to_vec()), (2, vec![])]);
        assert_eq!(Results::decode(&res.encode()).unwrap(), res);
        let s = SubmissionDelivery {
            receipt: [5; 32],
            replaces: 7,
            ciphertext: b"ct",
        };
        assert_eq!(SubmissionDelivery::decode(&s.encode()).unwrap(), s);
        let cm = CloseMarker { submissions: 42 };
        assert_eq!(CloseMarker::decode(&cm.encode()).unwrap(), cm);
    }

    #[test]
    fn bundle_pinned_and_strict() {
        let b = Bundle::encode(&[b"ab", b""]);
        assert_eq!(hex::encode(&b), "0002000000026162".to_string() + "00000000");
        assert_eq!(
            Bundle::decode(&b).unwrap().parts,
            vec![&b"ab"[..], &b""[..]]
        );
        assert!(Bundle::decode(&b[..b.len() - 1]).is_err());
        let mut long = b.clone();
        long.push(1);
        assert_eq!(Bundle::decode(&long), Err(WireError::Trailing(1)));
        assert!(Bundle::decode(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn close_codes() {
        assert_eq!(ErrorCode::TooLarge.close_code(), Some(1009));
        assert_eq!(ErrorCode::TokenUsed.close_code(), None);
        assert!(ErrorBody::decode(&[0x01, 0x00]).is_err());
    }
}
