//! Who of the committee is connected: the reply to
//! [`Kind::GetPresence`](crate::Kind::GetPresence), for the organizer's
//! and the members' live views ("waiting for Carol since 14:02").

use super::WireError;
use super::reader::{Reader, put_len16};

/// One member's connection state as the relay saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberPresence {
    /// Whether a connection of this member's token is open now.
    pub online: bool,
    /// Unix seconds of the last change: when the member's first open
    /// connection opened (online), or its last one closed (offline);
    /// 0 when the relay has not seen the member since it started.
    pub since: u64,
}

/// Payload of [`Kind::Presence`](crate::Kind::Presence): member 1 to n, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence(pub Vec<MemberPresence>);

impl Presence {
    /// `[count u16]` then per member `[flags u8][since u64]`; flags bit 0:
    /// online (other bits are zero).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 9 * self.0.len());
        put_len16(&mut out, self.0.len());
        for m in &self.0 {
            out.push(u8::from(m.online));
            out.extend_from_slice(&m.since.to_be_bytes());
        }
        out
    }

    /// Inverse of [`Presence::encode`]; refuses unknown flag bits.
    pub fn decode(b: &[u8]) -> Result<Presence, WireError> {
        let mut r = Reader::new(b);
        let n = usize::from(r.u16()?);
        let mut members = Vec::with_capacity(n.min(b.len() / 9));
        for _ in 0..n {
            let flags = r.u8()?;
            if flags > 1 {
                return Err(WireError::InvalidValue {
                    field: "presence flags",
                    value: u64::from(flags),
                });
            }
            members.push(MemberPresence {
                online: flags == 1,
                since: r.u64()?,
            });
        }
        r.finish()?;
        Ok(Presence(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_roundtrips_and_refuses_bad_bytes() {
        let p = Presence(vec![
            MemberPresence {
                online: true,
                since: 1_790_000_000,
            },
            MemberPresence {
                online: false,
                since: 0,
            },
        ]);
        let bytes = p.encode();
        assert_eq!(bytes.len(), 2 + 2 * 9);
        assert_eq!(&bytes[..3], &[0, 2, 1]);
        assert_eq!(Presence::decode(&bytes).unwrap(), p);
        assert_eq!(Presence::decode(&[0, 0]).unwrap(), Presence(vec![]));
        let mut bad = bytes.clone();
        bad[2] = 2;
        assert!(Presence::decode(&bad).is_err(), "unknown flag");
        assert!(
            Presence::decode(&bytes[..bytes.len() - 1]).is_err(),
            "short"
        );
        let mut long = bytes;
        long.push(0);
        assert!(Presence::decode(&long).is_err(), "trailing");
        assert!(
            Presence::decode(&[0, 9, 1]).is_err(),
            "count beyond the bytes"
        );
    }
}
