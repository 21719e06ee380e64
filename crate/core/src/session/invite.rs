//! Invite links.
//!
//! ```text
//! https://relay.example/#s=<session id hex>&h=<manifest hash hex>&t=<token>&r=<role>
//! ```
//!
//! Everything after `#` is the URL fragment, which browsers never send to
//! the server: the relay serving the page does not learn which manifest
//! hash the client expects, and cannot adapt a forged manifest to it. The
//! client fetches the manifest by session id and refuses it unless its
//! SHA-256 equals `h` ([`super::verify_manifest_for`]). `t` (optional) is the
//! capability token the client presents to the relay; `r` is the role.
//! Unknown keys are ignored so later versions can add some.

use core::fmt;
use core::str::FromStr;

use super::{ManifestHash, SessionError, SessionId};

const MAX_TOKEN_LEN: usize = 256;
const MAX_LINK_LEN: usize = 4096;

/// What the holder of a link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Answer once (single-use token) or under rate limits (open link).
    Participant,
    /// Committee member: receives shares, computes, signs the result.
    Member,
    /// Organizer: closes the session, sees the result.
    Organizer,
}

impl Role {
    /// The word used in links.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Member => "member",
            Role::Organizer => "organizer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = SessionError;
    fn from_str(s: &str) -> Result<Role, SessionError> {
        match s {
            "participant" => Ok(Role::Participant),
            "member" => Ok(Role::Member),
            "organizer" => Ok(Role::Organizer),
            _ => Err(SessionError::BadInvite("unknown role")),
        }
    }
}

/// A parsed invite link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The page URL before `#` (`http://` or `https://`).
    pub base_url: String,
    /// The session.
    pub session_id: SessionId,
    /// The expected manifest hash.
    pub manifest_hash: ManifestHash,
    /// Capability token for the relay: letters, digits, `-` and `_` only.
    pub token: Option<String>,
    /// The holder's role.
    pub role: Role,
}

fn token_ok(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= MAX_TOKEN_LEN
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Invite {
    /// The access token the link carries, when it carries a well-formed
    /// one (64 lowercase hex digits).
    pub fn access_token(&self) -> Option<sotto_wire::Token> {
        self.token
            .as_deref()
            .and_then(|t| sotto_wire::Token::from_hex(t).ok())
    }

    /// Formats the link. Fails if the base URL or token is unusable.
    pub fn to_link(&self) -> Result<String, SessionError> {
        check_base(&self.base_url)?;
        let mut link = format!(
            "{}#s={}&h={}",
            self.base_url, self.session_id, self.manifest_hash
        );
        if let Some(token) = &self.token {
            if !token_ok(token) {
                return Err(SessionError::BadInvite(
                    "token has characters outside [A-Za-z0-9_-]",
                ));
            }
            link.push_str("&t=");
            link.push_str(token);
        }
        link.push_str("&r=");
        link.push_str(self.role.as_str());
        Ok(link)
    }

    /// Parses a link; every failure is a [`SessionError::BadInvite`] or a
    /// hex error naming the field.
    pub fn parse(link: &str) -> Result<Invite, SessionError> {
        let bad = |why| Err(SessionError::BadInvite(why));
        let link = link.trim();
        if link.len() > MAX_LINK_LEN {
            return bad("link is too long");
        }
        let Some((base, fragment)) = link.split_once('#') else {
            return bad("link has no '#' fragment");
        };
        check_base(base)?;
        let (mut s, mut h, mut t, mut r) = (None, None, None, None);
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return bad("fragment entry without '='");
            };
            let slot = match key {
                "s" => &mut s,
                "h" => &mut h,
                "t" => &mut t,
                "r" => &mut r,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return bad("a key appears twice in the fragment");
            }
        }
        let (Some(s), Some(h), Some(r)) = (s, h, r) else {
            return bad("fragment must contain s=, h= and r=");
        };
        if t.is_some_and(|token| !token_ok(token)) {
            return bad("token has characters outside [A-Za-z0-9_-]");
        }
        Ok(Invite {
            base_url: base.to_owned(),
            session_id: SessionId::from_hex(s)?,
            manifest_hash: ManifestHash::from_hex(h)?,
            token: t.map(str::to_owned),
            role: r.parse()?,
        })
    }
}

fn check_base(base: &str) -> Result<(), SessionError> {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !base
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '#') =>
        {
            Ok(())
        }
        _ => Err(SessionError::BadInvite(
            "base must be an http:// or https:// URL",
        )),
    }
}

impl fmt::Display for Invite {
    /// The link, or `<invalid invite>` if a field cannot be formatted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_link() {
            Ok(link) => f.write_str(&link),
            Err(_) => f.write_str("<invalid invite>"),
        }
    }
}

impl FromStr for Invite {
    type Err = SessionError;
    fn from_str(s: &str) -> Result<Invite, SessionError> {
        Invite::parse(s)
    }
}
