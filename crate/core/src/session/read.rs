//! A hand-written reader of manifest JSON, for
//! [`Manifest::from_canonical_bytes`], and of the manifest's parts for the
//! session drafts the organizer writes (`sotto_client::draft`, whose
//! wasm reader is built from [`parse`], [`fields`], [`kind_of`],
//! [`read_policy`], [`read_deadlines`] and [`read_income`]: no wasm module
//! then carries a derived serde reader, docs/wasm.md).
//!
//! serde_json with the derived readers of every schema type was the
//! largest part of the committee member's wasm module that it could do
//! without (about 50 KB of code, and with it `f64`'s `Display`, reached
//! only from serde's error messages, and `f64` parsing with its tables:
//! docs/wasm.md). This reader is one small JSON parser
//! ([RFC 8259](https://www.rfc-editor.org/rfc/rfc8259)) into a tree, and
//! one typed function per manifest type with the rules the derived readers
//! had: unknown fields refused where the type says `deny_unknown_fields`,
//! duplicate fields refused, absent optional fields and `null` read as
//! `None`, integers range-checked (`-0`, a fraction or an exponent is not
//! an integer), an answer type's keys in any order, a session kind's
//! `kind` before its `schema`, a unit variant as `"tag"` or `{"tag":
//! null}`. Whatever it accepts is encoded again and compared with the
//! input ([`super::SessionError::NonCanonical`] otherwise), so the
//! manifests it accepts are exactly those serde's reader accepted. Where
//! both refuse, they refuse for the same reason (malformed, or not
//! canonical; `read_tests.rs` compares them), except for two forms that
//! serde read and the canonical check then refused, which are malformed
//! here: a struct written as an array of its fields, and a skipped value
//! nested deeper than 128 levels (serde skipped any depth without
//! recursion; this reader recurses, so it stops there). ε is read in
//! decimal with the tolerance serde's path had through `f64`
//! ([`Epsilon::from_f64`]; `read_tests.rs` compares the two on edge
//! cases): a fraction of a thousandth under a millionth is rounded away,
//! one over it refused. Exactly at a millionth the float's rounding
//! decides serde's path either way; this reader refuses from a millionth
//! up (`0.001000001`) and accepts just under it (`0.000999999`), so
//! there the two can differ, malformed here and not canonical there.
//!
//! Read as a whole document (a draft, where serde_json parses a schema
//! into a `serde_json::Value` first), the tree differs from serde_json's
//! where serde_json's `Value` is lenient or strict in its own way: a key
//! repeated inside an object is refused here (a `Value` keeps the last),
//! a number beyond `f64`'s range in a skipped field is accepted here (a
//! `Value` refuses it), and the depth limit is one level deeper (128
//! levels; serde_json stops at 127). `JSON.stringify` writes none of
//! these.

use serde::de::Error as _;

use super::{
    Committee, CommitteeMember, Deadlines, DpPolicy, Ed25519PublicKey, Epsilon, JsonError,
    Manifest, OutputPolicy, SessionId, X25519PublicKey,
};
use crate::apps::SessionKind;
use crate::apps::budget::{BudgetSchema, IncomeSpec};
use crate::apps::check::CheckSpec;
use crate::apps::survey::{AnswerKind, Question, SurveySchema};
use crate::apps::vote::{Reveal, VoteMethod, VoteSchema};

/// Deepest nesting of arrays and objects read (serde_json stops one level
/// short of it).
const MAX_DEPTH: usize = 128;

/// Why the bytes are not a manifest: a message safe to show.
type Res<T> = Result<T, ReadError>;

/// Why a JSON text is not what was asked for: a reason safe to show (it
/// names a field or a rule, never quotes a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// A plain reason.
    Plain(&'static str),
    /// A reason naming a field or variant: ``{0} `{1}` ``.
    Field(&'static str, String),
    /// A reason from elsewhere (a key's hex).
    Text(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Plain(s) => f.write_str(s),
            ReadError::Field(s, name) => write!(f, "{s} `{name}`"),
            ReadError::Text(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for JsonError {
    fn from(m: ReadError) -> JsonError {
        JsonError::from(serde_json::Error::custom(m))
    }
}

fn plain<T>(s: &'static str) -> Res<T> {
    Err(ReadError::Plain(s))
}

/// Reads a manifest from JSON (any JSON spelling; the caller compares the
/// canonical encoding). Never inlined: a page's module reads manifests in
/// several flows, and one copy is enough.
#[inline(never)]
pub(crate) fn manifest(bytes: &[u8]) -> Result<Manifest, JsonError> {
    Ok(read_manifest(&parse(bytes)?)?)
}

/// Parses JSON text ([RFC 8259](https://www.rfc-editor.org/rfc/rfc8259),
/// at most 128 levels deep) into a tree for the typed readers.
pub fn parse(bytes: &[u8]) -> Result<Json, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::Plain("not UTF-8"))?;
    Parser::parse(text)
}

/// A parsed JSON value. Objects keep their keys in order, duplicates
/// included (the typed readers refuse duplicates).
#[derive(Debug, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer within `i64::MIN..=u64::MAX`, written without fraction
    /// or exponent (serde_json's integers).
    Int(i128),
    /// Any other number, as written (only `epsilon` is not an integer,
    /// and it is read in decimal, without floating point).
    Number(String),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: its keys and values in the order written.
    Object(Vec<(String, Json)>),
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn parse(text: &'a str) -> Res<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
            depth: 0,
        };
        let v = p.value()?;
        p.skip_ws();
        if p.at != p.s.len() {
            return plain("trailing characters");
        }
        Ok(v)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        let hit = self.peek() == Some(b);
        self.at += usize::from(hit);
        hit
    }

    fn literal(&mut self, word: &'static [u8], v: Json) -> Res<Json> {
        if self.s[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(v)
        } else {
            plain("expected a JSON value")
        }
    }

    fn value(&mut self) -> Res<Json> {
        self.skip_ws();
        match self.peek() {
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                let mut items = Vec::new();
                self.container(b']', |p| {
                    items.push(p.value()?);
                    Ok(())
                })?;
                Ok(Json::Array(items))
            }
            Some(b'{') => {
                let mut fields = Vec::new();
                self.container(b'}', |p| {
                    p.skip_ws();
                    if p.peek() != Some(b'"') {
                        return plain("expected a key");
                    }
                    let key = p.string()?;
                    if !p.eat(b':') {
                        return plain("expected `:`");
                    }
                    fields.push((key, p.value()?));
                    Ok(())
                })?;
                Ok(Json::Object(fields))
            }
            _ => plain("expected a JSON value"),
        }
    }

    /// An array or object, at its opening bracket: `item` for each
    /// comma-separated entry until `close`.
    fn container(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Res<()>) -> Res<()> {
        self.at += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return plain("nested too deeply");
        }
        if !self.eat(close) {
            loop {
                item(self)?;
                if self.eat(close) {
                    break;
                }
                if !self.eat(b',') {
                    return plain("expected `,` or a closing bracket");
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Res<Json> {
        let start = self.at;
        self.at += usize::from(self.peek() == Some(b'-'));
        let int_start = self.at;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return plain("invalid number");
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integer = false;
            if self.digits() == 0 {
                return plain("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return plain("invalid number");
            }
        }
        // ASCII digits, signs, `.` and `e`: always UTF-8.
        let text = String::from_utf8_lossy(&self.s[start..self.at]).into_owned();
        // serde_json reads `-0` as a float, which no integer field takes.
        if integer
            && text != "-0"
            && let Ok(v) = text.parse::<i128>()
            && (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v)
        {
            return Ok(Json::Int(v));
        }
        Ok(Json::Number(text))
    }

    fn hex4(&mut self) -> Res<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return plain("invalid escape"),
            };
            self.at += 1;
            v = v * 16 + u32::from(d);
        }
        Ok(v)
    }

    /// A string, at its opening quote. The input is UTF-8, so the bytes
    /// between escapes are copied as they are.
    fn string(&mut self) -> Res<String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let start = self.at;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.extend_from_slice(&self.s[start..self.at]);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = self.peek().ok_or(ReadError::Plain("unterminated string"))?;
                    self.at += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return plain("invalid escape"),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                Some(_) => return plain("control character in a string"),
                None => return plain("unterminated string"),
            }
        }
        // Valid UTF-8 copied between escapes, and whole characters.
        String::from_utf8(out).map_err(|_| ReadError::Plain("not UTF-8"))
    }

    /// After `\u`: one code point, a surrogate pair being two escapes
    /// (a lone surrogate is refused, as serde_json does).
    fn unicode_escape(&mut self) -> Res<char> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if !self.s[self.at..].starts_with(b"\\u") {
                    return plain("lone surrogate in a string");
                }
                self.at += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return plain("lone surrogate in a string");
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return plain("lone surrogate in a string"),
            _ => hi,
        };
        char::from_u32(code).ok_or(ReadError::Plain("invalid escape"))
    }
}

/// The fields of an object, by name, each at most once. `deny` refuses
/// keys not in `names`; otherwise they are skipped.
pub fn fields<'j, const N: usize>(
    json: &'j Json,
    names: [&'static str; N],
    deny: bool,
) -> Res<[Option<&'j Json>; N]> {
    let Json::Object(entries) = json else {
        return plain("invalid type: expected an object");
    };
    let mut out = [None; N];
    for (key, value) in entries {
        match names.iter().position(|n| n == key) {
            Some(i) if out[i].is_some() => {
                return Err(ReadError::Field("duplicate field", key.clone()));
            }
            Some(i) => out[i] = Some(value),
            None if deny => return Err(ReadError::Field("unknown field", key.clone())),
            None => {}
        }
    }
    Ok(out)
}

/// A required field.
pub fn need<'j>(v: Option<&'j Json>, name: &'static str) -> Result<&'j Json, ReadError> {
    v.ok_or(ReadError::Field("missing field", name.into()))
}

/// An optional field: absent or `null` is `None`.
pub fn opt<'j, T>(
    v: Option<&'j Json>,
    read: impl FnOnce(&'j Json) -> Result<T, ReadError>,
) -> Result<Option<T>, ReadError> {
    match v {
        None | Some(Json::Null) => Ok(None),
        Some(j) => read(j).map(Some),
    }
}

/// An integer in `min..=max`.
pub fn int(json: &Json, min: i128, max: i128) -> Result<i128, ReadError> {
    match json {
        Json::Int(v) if (min..=max).contains(v) => Ok(*v),
        Json::Int(_) => plain("invalid value: integer out of range"),
        _ => plain("invalid type: expected an integer"),
    }
}

fn u64_of(json: &Json) -> Res<u64> {
    int(json, 0, u64::MAX.into()).map(|v| v as u64)
}

fn u32_of(json: &Json) -> Res<u32> {
    int(json, 0, u32::MAX.into()).map(|v| v as u32)
}

fn i64_of(json: &Json) -> Res<i64> {
    int(json, i64::MIN.into(), i64::MAX.into()).map(|v| v as i64)
}

/// A string.
pub fn string(json: &Json) -> Result<String, ReadError> {
    match json {
        Json::Str(s) => Ok(s.clone()),
        _ => plain("invalid type: expected a string"),
    }
}

fn array(json: &Json) -> Res<&[Json]> {
    match json {
        Json::Array(items) => Ok(items),
        _ => plain("invalid type: expected an array"),
    }
}

/// An array, each item read by `read`.
pub fn list<T>(
    json: &Json,
    read: impl Fn(&Json) -> Result<T, ReadError>,
) -> Result<Vec<T>, ReadError> {
    let items = array(json)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(item)?);
    }
    Ok(out)
}

fn strings(json: &Json) -> Res<Vec<String>> {
    list(json, string)
}

fn hex<T>(json: &Json, parse: fn(&str) -> Result<T, sotto_wire::BadHex>) -> Res<T> {
    let Json::Str(s) = json else {
        return plain("invalid type: expected a hex string");
    };
    parse(s).map_err(|e| ReadError::Text(e.to_string()))
}

/// The tag of a unit enum variant: a string, or as serde_json also reads
/// one, an object `{"tag": null}`.
fn unit_variant(json: &Json) -> Res<&str> {
    match json {
        Json::Str(s) => Ok(s),
        Json::Object(e) if e.len() == 1 && e[0].1 == Json::Null => Ok(&e[0].0),
        _ => plain("invalid type: expected a variant name"),
    }
}

fn read_manifest(json: &Json) -> Res<Manifest> {
    let [
        version,
        session_id,
        title,
        description,
        kind,
        organizer,
        committee,
        deadlines,
        policy,
        relay_url,
    ] = fields(
        json,
        [
            "version",
            "session_id",
            "title",
            "description",
            "kind",
            "organizer",
            "committee",
            "deadlines",
            "policy",
            "relay_url",
        ],
        true,
    )?;
    Ok(Manifest {
        version: u32_of(need(version, "version")?)?,
        session_id: hex(need(session_id, "session_id")?, SessionId::from_hex)?,
        title: string(need(title, "title")?)?,
        description: opt(description, string)?,
        kind: session_kind(need(kind, "kind")?)?,
        organizer: hex(need(organizer, "organizer")?, Ed25519PublicKey::from_hex)?,
        committee: read_committee(need(committee, "committee")?)?,
        deadlines: read_deadlines(need(deadlines, "deadlines")?)?,
        policy: read_policy(need(policy, "policy")?)?,
        relay_url: string(need(relay_url, "relay_url")?)?,
    })
}

fn read_committee(json: &Json) -> Res<Committee> {
    let [threshold, members] = fields(json, ["threshold", "members"], true)?;
    Ok(Committee {
        threshold: int(need(threshold, "threshold")?, 0, u16::MAX.into())? as u16,
        members: list(need(members, "members")?, |m| {
            let [name, x25519, ed25519] = fields(m, ["name", "x25519", "ed25519"], true)?;
            Ok(CommitteeMember {
                name: string(need(name, "name")?)?,
                x25519: hex(need(x25519, "x25519")?, X25519PublicKey::from_hex)?,
                ed25519: hex(need(ed25519, "ed25519")?, Ed25519PublicKey::from_hex)?,
            })
        })?,
    })
}

/// A manifest's (or a draft's) `deadlines`, as [`Deadlines`]' serde
/// reader reads them.
pub fn read_deadlines(json: &Json) -> Result<Deadlines, ReadError> {
    let [opens_at, closes_at] = fields(json, ["opens_at", "closes_at"], true)?;
    Ok(Deadlines {
        opens_at: opt(opens_at, u64_of)?,
        closes_at: opt(closes_at, u64_of)?,
    })
}

/// A manifest's (or a draft's) `policy`, as [`OutputPolicy`]'s serde
/// reader reads it.
pub fn read_policy(json: &Json) -> Result<OutputPolicy, ReadError> {
    let [min_submissions, min_cell, dp] =
        fields(json, ["min_submissions", "min_cell", "dp"], true)?;
    Ok(OutputPolicy {
        min_submissions: u32_of(need(min_submissions, "min_submissions")?)?,
        min_cell: opt(min_cell, u32_of)?,
        dp: opt(dp, |dp| {
            let [e] = fields(dp, ["epsilon"], true)?;
            Ok(DpPolicy {
                epsilon: epsilon(need(e, "epsilon")?)?,
            })
        })?,
    })
}

/// `{"kind": tag, "schema": {..}}`: the tag first, other keys skipped
/// (as `SessionKind`'s serde reader does).
pub fn session_kind(json: &Json) -> Result<SessionKind, ReadError> {
    let Json::Object(entries) = json else {
        return plain("invalid type: expected a session kind");
    };
    let mut tag = None;
    let mut kind = None;
    for (key, value) in entries {
        match key.as_str() {
            "kind" if tag.is_some() => {
                return Err(ReadError::Field("duplicate field", key.clone()));
            }
            "kind" => match unit_variant(value)? {
                t @ ("vote" | "survey" | "budget" | "check") => tag = Some(t),
                other => return Err(ReadError::Field("unknown variant", other.into())),
            },
            "schema" if kind.is_some() => {
                return Err(ReadError::Field("duplicate field", key.clone()));
            }
            "schema" => match tag {
                Some(t) => kind = Some(kind_of(t, value)?),
                None => return plain("`kind` must come before `schema`"),
            },
            _ => {}
        }
    }
    match (tag, kind) {
        (_, Some(kind)) => Ok(kind),
        (None, None) => plain("missing field `kind`"),
        (Some(_), None) => plain("missing field `schema`"),
    }
}

/// The session kind named `tag` with its `schema` (a draft writes them as
/// two fields).
pub fn kind_of(tag: &str, schema: &Json) -> Result<SessionKind, ReadError> {
    Ok(match tag {
        "vote" => SessionKind::Vote(read_vote(schema)?),
        "survey" => SessionKind::Survey(read_survey(schema)?),
        "budget" => SessionKind::Budget(read_budget(schema)?),
        "check" => SessionKind::Check(read_check(schema)?),
        other => return Err(ReadError::Field("unknown variant", other.into())),
    })
}

/// An `income` draft's schema, as [`IncomeSpec`]'s serde reader reads it.
pub fn read_income(json: &Json) -> Result<IncomeSpec, ReadError> {
    let [min, max, brackets] = fields(json, ["min", "max", "brackets"], true)?;
    Ok(IncomeSpec {
        min: i64_of(need(min, "min")?)?,
        max: i64_of(need(max, "max")?)?,
        brackets: match brackets {
            None => Vec::new(),
            Some(b) => list(b, i64_of)?,
        },
    })
}

fn read_vote(json: &Json) -> Res<VoteSchema> {
    let [method, options, reveal, max_approvals, max_score] = fields(
        json,
        ["method", "options", "reveal", "max_approvals", "max_score"],
        true,
    )?;
    let method = match unit_variant(need(method, "method")?)? {
        "plurality" => VoteMethod::Plurality,
        "approval" => VoteMethod::Approval,
        "score" => VoteMethod::Score,
        "borda" => VoteMethod::Borda,
        "irv" => VoteMethod::Irv,
        other => return Err(ReadError::Field("unknown variant", other.into())),
    };
    let options = strings(need(options, "options")?)?;
    let reveal = match unit_variant(need(reveal, "reveal")?)? {
        "tally" => Reveal::Tally,
        "winner" => Reveal::Winner,
        other => return Err(ReadError::Field("unknown variant", other.into())),
    };
    Ok(VoteSchema {
        method,
        options,
        reveal,
        max_approvals: opt(max_approvals, u32_of)?,
        max_score: opt(max_score, u32_of)?,
    })
}

fn read_survey(json: &Json) -> Res<SurveySchema> {
    let [questions, crosstabs] = fields(json, ["questions", "crosstabs"], true)?;
    Ok(SurveySchema {
        questions: list(need(questions, "questions")?, read_question)?,
        crosstabs: match crosstabs {
            None => Vec::new(),
            Some(c) => list(c, |pair| match array(pair)? {
                [a, b] => Ok((string(a)?, string(b)?)),
                _ => plain("invalid length: expected a pair of question ids"),
            })?,
        },
    })
}

fn read_question(json: &Json) -> Res<Question> {
    let [id, text, description, answer, optional] = fields(
        json,
        ["id", "text", "description", "answer", "optional"],
        true,
    )?;
    Ok(Question {
        id: string(need(id, "id")?)?,
        text: string(need(text, "text")?)?,
        description: opt(description, string)?,
        answer: read_answer(need(answer, "answer")?)?,
        optional: match optional {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return plain("invalid type: expected a boolean"),
        },
    })
}

/// An answer type: one flat set of keys in any order, each read in its
/// own form whether or not the type uses it; other keys skipped (as
/// `AnswerKind`'s serde reader does).
fn read_answer(json: &Json) -> Res<AnswerKind> {
    let [
        kind,
        min,
        max,
        decimals,
        buckets,
        options,
        max_selections,
        scale,
    ] = fields(
        json,
        [
            "type",
            "min",
            "max",
            "decimals",
            "buckets",
            "options",
            "max_selections",
            "scale",
        ],
        false,
    )?;
    let min = min.map(i64_of).transpose()?;
    let max = max.map(i64_of).transpose()?;
    let decimals = decimals
        .map(|d| int(d, 0, u8::MAX.into()).map(|v| v as u8))
        .transpose()?;
    let buckets = buckets.map(|b| list(b, i64_of)).transpose()?;
    let options = options.map(strings).transpose()?;
    let max_selections = opt(max_selections, u32_of)?;
    let scale = scale.map(u32_of).transpose()?;
    let tag = match kind {
        None | Some(Json::Null) => return plain("missing field `type`"),
        Some(k) => unit_variant(k)?,
    };
    Ok(match tag {
        "number" => AnswerKind::Number {
            min: min.ok_or(ReadError::Field("missing field", "min".into()))?,
            max: max.ok_or(ReadError::Field("missing field", "max".into()))?,
            decimals: decimals.unwrap_or_default(),
            buckets: buckets.unwrap_or_default(),
        },
        "choice" => AnswerKind::Choice {
            options: options.ok_or(ReadError::Field("missing field", "options".into()))?,
        },
        "multi" => AnswerKind::Multi {
            options: options.ok_or(ReadError::Field("missing field", "options".into()))?,
            max_selections,
        },
        "rating" => AnswerKind::Rating {
            scale: scale.ok_or(ReadError::Field("missing field", "scale".into()))?,
        },
        "yesno" => AnswerKind::Yesno,
        other => return Err(ReadError::Field("unknown variant", other.into())),
    })
}

fn read_budget(json: &Json) -> Res<BudgetSchema> {
    let [total, projects] = fields(json, ["total", "projects"], true)?;
    Ok(BudgetSchema {
        total: u64_of(need(total, "total")?)?,
        projects: strings(need(projects, "projects")?)?,
    })
}

fn read_check(json: &Json) -> Res<CheckSpec> {
    let [comparisons, bits] = fields(json, ["comparisons", "bits"], true)?;
    Ok(CheckSpec {
        comparisons: u32_of(need(comparisons, "comparisons")?)?,
        bits: u32_of(need(bits, "bits")?)?,
    })
}

/// ε from its JSON number, read in decimal: the thousandths it names,
/// rounded to a whole one when within a millionth of it (the tolerance
/// [`Epsilon::from_f64`] allows for a decimal that went through a float,
/// e.g. `0.30000000000000004` from JavaScript's `0.1 + 0.2`), refused with
/// a larger fraction (more than three decimals) and outside 0.001 to 100,
/// as [`Epsilon::from_f64`] refuses them. (serde's reader went through
/// `f64`; parsing one needs `core`'s tables, 10 KB of each wasm module.)
fn epsilon(json: &Json) -> Res<Epsilon> {
    const RANGE: &str = "epsilon must be a number from 0.001 to 100";
    let text = match json {
        Json::Int(v) => {
            return u32::try_from(*v)
                .ok()
                .and_then(|v| v.checked_mul(1000))
                .and_then(Epsilon::from_milli)
                .ok_or(ReadError::Plain(RANGE));
        }
        Json::Number(t) => t,
        _ => return plain("invalid type: expected a number"),
    };
    if text.starts_with('-') {
        // Negative or zero: out of range either way.
        return plain(RANGE);
    }
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().map_err(|_| ReadError::Plain(RANGE))?),
        None => (text.as_str(), 0),
    };
    // Clamped so that no sum below overflows: any exponent beyond the
    // text's length puts every nonzero digit above 100 or below a
    // millionth of a thousandth, whatever its exact value.
    let bound = text.len() as i64 + 10;
    let exp = exp.clamp(-bound, bound);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Digit i of `int` then `frac` weighs 10^(top - i) thousandths: the
    // whole thousandths, the first six digits of the fraction of one, and
    // whether any digit lies further down.
    let top = int.len() as i64 - 1 + exp + 3;
    let (mut whole, mut first6, mut rest) = (0u64, 0u64, false);
    for (i, d) in int.bytes().chain(frac.bytes()).enumerate() {
        let d = u64::from(d.wrapping_sub(b'0'));
        let e = top - i as i64;
        match (d, e) {
            (0, _) => {}
            // 10^6 thousandths or more: above 100.
            (_, 6..) => return plain(RANGE),
            (_, 0..) => whole += d * 10u64.pow(e as u32),
            (_, -6..) => first6 += d * 10u64.pow((6 + e) as u32),
            _ => rest = true,
        }
    }
    // Above 100, by however little: out of range (before the decimals, as
    // `Epsilon::from_f64` checks).
    let max = u64::from(Epsilon::MAX_MILLI);
    if whole > max || (whole == max && (first6 != 0 || rest)) {
        return plain(RANGE);
    }
    let milli = match first6 {
        0 => whole,
        999_999 => whole + 1,
        _ => return plain("epsilon has at most three decimals"),
    };
    u32::try_from(milli)
        .ok()
        .and_then(Epsilon::from_milli)
        .ok_or(ReadError::Plain(RANGE))
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
