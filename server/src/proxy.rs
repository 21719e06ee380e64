//! The client's address behind a reverse proxy (`--trusted-proxy CIDR`).
//!
//! Per-address limits (connections, open-link and creation rates) need the
//! client's address. Behind a reverse proxy the TCP peer is the proxy, and
//! the client's address is in a header the proxy adds: `Forwarded`
//! (RFC 7239) or `X-Forwarded-For`. Anyone can send those headers, so the
//! relay reads them only when the peer is a trusted proxy, and then walks
//! the list from the right (the addresses the trusted proxies appended)
//! past every trusted address: the first untrusted one is the client. A
//! client cannot smuggle an address in: what it wrote itself sits left of
//! the address its proxy appended.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::ConfigError;

/// An address block, `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Parses `ADDR/BITS` or a single `ADDR`.
    pub fn parse(s: &str) -> Result<Cidr, ConfigError> {
        let bad = || ConfigError::TrustedProxy(s.to_string());
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let net: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return Err(bad());
        }
        Ok(Cidr { net, bits })
    }

    /// Whether `ip` is inside the block (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses `--trusted-proxy` values.
    pub fn parse(values: &[String]) -> Result<TrustedProxies, ConfigError> {
        values
            .iter()
            .map(|v| Cidr::parse(v))
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address for a request from `peer` with `headers`: the
    /// peer itself unless it is trusted; else the right-most untrusted
    /// address of `Forwarded` (if present) or `X-Forwarded-For`.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let chain = forwarded_for(headers);
        let mut client = None;
        for ip in chain.iter().rev() {
            match ip {
                // An obfuscated or unknown hop: stop, it is not ours to trust.
                None => break,
                Some(ip) if self.trusts(*ip) => client = Some(*ip),
                Some(ip) => {
                    client = Some(*ip);
                    break;
                }
            }
        }
        client.map_or(peer, |ip| SocketAddr::new(ip, 0))
    }
}

/// The `for` addresses of `Forwarded`, or else of `X-Forwarded-For`, in
/// order (every header line, joined); `None` for a value that is not an
/// address (`unknown`, an obfuscated name).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| node_addr(v.trim().trim_matches('"')))
                })
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(|v| node_addr(v.trim()))
        .collect()
}

/// An address of a forwarding header: `192.0.2.1`, `192.0.2.1:80`,
/// `[2001:db8::1]`, `[2001:db8::1]:80` or `2001:db8::1`.
fn node_addr(v: &str) -> Option<IpAddr> {
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = v.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    v.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 443)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains(ip("10.1.255.3")));
        assert!(!c.contains(ip("10.2.0.1")));
        assert!(c.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("203.0.113.9"))
        );
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(!Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.2")));
        for bad in ["10.0.0.0/33", "::/129", "nonsense", "10.0.0.0/x", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_are_read_only_from_trusted_peers() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into()]).unwrap();
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("198.51.100.7"));
        // An untrusted peer's header is its own claim: ignored.
        assert_eq!(t.client(peer("203.0.113.1"), &h).ip(), ip("203.0.113.1"));
        // No header from a trusted peer: the peer.
        assert_eq!(
            t.client(peer("10.0.0.5"), &HeaderMap::new()).ip(),
            ip("10.0.0.5")
        );
        // Nothing configured: never read.
        let none = TrustedProxies::default();
        assert_eq!(none.client(peer("10.0.0.5"), &h).ip(), ip("10.0.0.5"));
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into(), "2001:db8:aa::/48".into()]).unwrap();
        // The client wrote a fake address first; its proxy appended the
        // real one, then an inner trusted proxy its own.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.9.9.9")]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("198.51.100.7"));
        // Several header lines are one list.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("198.51.100.8"));
        // Forwarded (RFC 7239) wins over X-Forwarded-For; quoted IPv6 with
        // a port; other parameters ignored.
        let h = headers(&[
            (
                "forwarded",
                "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=10.1.1.1",
            ),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("2001:db8:cafe::17"));
        // An unknown hop stops the walk: the last trusted address is used.
        let h = headers(&[("forwarded", "for=198.51.100.1, for=unknown, for=10.2.2.2")]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("10.2.2.2"));
        // Every hop trusted: the left-most.
        let h = headers(&[("x-forwarded-for", "10.3.3.3, 10.4.4.4")]);
        assert_eq!(t.client(peer("10.0.0.5"), &h).ip(), ip("10.3.3.3"));
    }
}
