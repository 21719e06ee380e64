//! Rate and connection limits. Every structure here is bounded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sotto_wire::SessionId;

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: f64, burst: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Tokens available at `now`, without taking any.
    pub fn level(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        (self.tokens + elapsed * self.rate).min(self.burst)
    }

    /// Takes one token, or says how long to wait until one is available.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.tokens = self.level(now);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else if self.rate <= 0.0 {
            Err(Duration::from_secs(1))
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnRefused {
    /// The relay holds its maximum number of connections.
    #[error("too many connections")]
    Total,
    /// This address holds its maximum number of connections.
    #[error("too many connections from this address")]
    PerAddress,
}

#[derive(Debug, Default)]
struct ConnCounts {
    total: usize,
    per_addr: HashMap<IpAddr, usize>,
}

/// Counts open connections, in total and per client address.
#[derive(Debug, Clone)]
pub struct ConnLimiter {
    inner: Arc<Mutex<ConnCounts>>,
    max_total: usize,
    max_per_addr: usize,
}

/// Held while a connection is open; releases its slot on drop.
#[derive(Debug)]
pub struct ConnSlot {
    limiter: ConnLimiter,
    addr: IpAddr,
}

impl ConnLimiter {
    /// A limiter with the given caps.
    pub fn new(max_total: usize, max_per_addr: usize) -> ConnLimiter {
        ConnLimiter {
            inner: Arc::default(),
            max_total,
            max_per_addr,
        }
    }

    /// Reserves a slot for a connection from `addr`.
    pub fn acquire(&self, addr: IpAddr) -> Result<ConnSlot, ConnRefused> {
        self.reserve(addr, true)
    }

    /// Reserves a slot for a connection from a trusted proxy, which
    /// carries many clients: it counts against the total only (each
    /// client is counted by its own address at the WebSocket upgrade).
    pub fn acquire_for_proxy(&self, addr: IpAddr) -> Result<ConnSlot, ConnRefused> {
        self.reserve(addr, false)
    }

    fn reserve(&self, addr: IpAddr, per_addr_cap: bool) -> Result<ConnSlot, ConnRefused> {
        let addr = client_key(addr);
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if c.total >= self.max_total {
            return Err(ConnRefused::Total);
        }
        let n = c.per_addr.entry(addr).or_insert(0);
        if per_addr_cap && *n >= self.max_per_addr {
            return Err(ConnRefused::PerAddress);
        }
        *n += 1;
        c.total += 1;
        Ok(ConnSlot {
            limiter: self.clone(),
            addr,
        })
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut c = self.limiter.inner.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_addr.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                c.per_addr.remove(&self.addr);
            }
        }
    }
}

/// The key per-address limits count a client under: an IPv4 address as it
/// is; an IPv6 address by its /64 prefix, since one subscriber usually
/// holds a whole /64 and could otherwise take a fresh address for every
/// connection. (An IPv4-mapped IPv6 address counts as its IPv4 address.)
pub fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

/// Per-address rate limits keyed by session: open-link submissions, and
/// session creation (under [`SessionId::NONE`]).
#[derive(Debug, Default)]
pub struct OpenLinkLimiter {
    buckets: Mutex<HashMap<(SessionId, IpAddr), TokenBucket>>,
}

/// Entries kept before idle buckets are swept.
const SWEEP_AT: usize = 100_000;

impl OpenLinkLimiter {
    /// Counts one submission from `addr` on `session`'s open link allowing
    /// `per_min` per minute; `false` if it is over the limit.
    pub fn allow(&self, session: SessionId, addr: IpAddr, per_min: u32, now: Instant) -> bool {
        let addr = client_key(addr);
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            // A bucket refilled to full is indistinguishable from a new one.
            map.retain(|_, b| b.level(now) < b.burst);
            if map.len() >= SWEEP_AT && !map.contains_key(&(session, addr)) {
                // Still full of active buckets (many addresses at once):
                // make room by dropping an arbitrary one rather than
                // refusing every new address. The dropped address starts
                // again with a full bucket, so a flood from more than
                // SWEEP_AT addresses gains at most one burst per eviction;
                // refusing would have locked everybody else out.
                if let Some(victim) = map.keys().next().copied() {
                    map.remove(&victim);
                }
            }
        }
        let burst = f64::from(per_min.max(1));
        let bucket = map
            .entry((session, addr))
            .or_insert_with(|| TokenBucket::new(burst / 60.0, burst, now));
        bucket.take(now).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10.0, 2.0, t0);
        assert!(b.take(t0).is_ok());
        assert!(b.take(t0).is_ok());
        assert!(b.take(t0).is_err());
        assert!(b.take(t0 + Duration::from_millis(150)).is_ok());
    }

    #[test]
    fn conn_slots_release() {
        let l = ConnLimiter::new(10, 1);
        let a: IpAddr = [127, 0, 0, 1].into();
        let s = l.acquire(a).unwrap();
        assert_eq!(l.acquire(a).unwrap_err(), ConnRefused::PerAddress);
        drop(s);
        assert!(l.acquire(a).is_ok());
    }

    #[test]
    fn ipv6_clients_count_by_their_64_prefix() {
        let l = ConnLimiter::new(10, 2);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let _s1 = l.acquire(a).unwrap();
        let _s2 = l.acquire(b).unwrap();
        assert_eq!(
            l.acquire("2001:db8:1:2::77".parse().unwrap()).unwrap_err(),
            ConnRefused::PerAddress,
            "a third address of the same /64 shares its cap"
        );
        assert!(l.acquire(other).is_ok(), "another /64 is another client");
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), IpAddr::from([192, 0, 2, 7]));
        let r = OpenLinkLimiter::default();
        let (s, now) = (SessionId([3; 16]), Instant::now());
        assert!(r.allow(s, a, 1, now));
        assert!(!r.allow(s, b, 1, now), "open-link rates too");
    }

    #[test]
    fn a_full_table_never_refuses_a_new_address() {
        let l = OpenLinkLimiter::default();
        let now = Instant::now();
        let s = SessionId([2; 16]);
        // SWEEP_AT addresses, each with a drained bucket (none sweepable).
        for i in 0..SWEEP_AT as u32 {
            let a: IpAddr = std::net::Ipv4Addr::from(0x0a00_0000 + i).into();
            assert!(l.allow(s, a, 1, now));
        }
        let newcomer: IpAddr = [192, 0, 2, 1].into();
        assert!(l.allow(s, newcomer, 1, now), "a new address is served");
        assert!(!l.allow(s, newcomer, 1, now), "and then limited as usual");
        let map = l.buckets.lock().unwrap();
        assert!(map.len() <= SWEEP_AT, "the table stays bounded");
    }

    #[test]
    fn open_link_limits_per_address() {
        let l = OpenLinkLimiter::default();
        let now = Instant::now();
        let a: IpAddr = [127, 0, 0, 1].into();
        let s = SessionId([1; 16]);
        assert!(l.allow(s, a, 2, now));
        assert!(l.allow(s, a, 2, now));
        assert!(!l.allow(s, a, 2, now));
        assert!(l.allow(s, [127, 0, 0, 2].into(), 2, now));
    }
}
