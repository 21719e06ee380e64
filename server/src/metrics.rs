//! Counters exported at `GET /metrics` in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds (seconds) of the store latency histogram buckets.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0,
];

/// A fixed-bucket latency histogram.
#[derive(Debug, Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i].fetch_add(1, Relaxed);
            }
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_micros
            .fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{b}\"}} {}",
                self.counts[i].load(Relaxed)
            );
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.sum_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// Every metric the relay exports.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections.
    pub connections: AtomicU64,
    /// WebSocket connections accepted since start.
    pub connections_total: AtomicU64,
    /// Connections refused by a limit.
    pub connections_refused: AtomicU64,
    /// Open TCP connections (HTTP, WebSocket, or not yet either).
    pub tcp_connections: AtomicU64,
    /// Connections closed because their request did not arrive in time.
    pub timeouts_handshake: AtomicU64,
    /// WebSocket connections closed because they did not say Hello in time.
    pub timeouts_hello: AtomicU64,
    /// Connections closed because the client went silent.
    pub timeouts_idle: AtomicU64,
    /// Frames received.
    pub frames_in: AtomicU64,
    /// Frames sent.
    pub frames_out: AtomicU64,
    /// Bytes received in frames.
    pub bytes_in: AtomicU64,
    /// Bytes sent in frames.
    pub bytes_out: AtomicU64,
    /// Submissions stored (not counting idempotent retries).
    pub submissions: AtomicU64,
    /// Member-to-member messages stored.
    pub messages: AtomicU64,
    /// Error frames sent.
    pub errors: AtomicU64,
    /// Write batches committed.
    pub store_batches: AtomicU64,
    /// Commands executed by the store.
    pub store_commands: AtomicU64,
    /// Time of one store batch, from its first command to its commit.
    pub store_batch_seconds: Histogram,
    /// Time from a request entering the store queue to its reply.
    pub store_request_seconds: Histogram,
    /// Time the writer spent finishing a checkpoint between batches.
    pub store_checkpoint_seconds: Histogram,
}

impl Metrics {
    /// Renders the Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let counters: [(&str, &str, &AtomicU64, &str); 13] = [
            (
                "sotto_relay_connections",
                "open WebSocket connections",
                &self.connections,
                "gauge",
            ),
            (
                "sotto_relay_tcp_connections",
                "open TCP connections",
                &self.tcp_connections,
                "gauge",
            ),
            (
                "sotto_relay_connections_total",
                "connections accepted",
                &self.connections_total,
                "counter",
            ),
            (
                "sotto_relay_connections_refused_total",
                "connections refused by limits",
                &self.connections_refused,
                "counter",
            ),
            (
                "sotto_relay_frames_in_total",
                "frames received",
                &self.frames_in,
                "counter",
            ),
            (
                "sotto_relay_frames_out_total",
                "frames sent",
                &self.frames_out,
                "counter",
            ),
            (
                "sotto_relay_bytes_in_total",
                "bytes received",
                &self.bytes_in,
                "counter",
            ),
            (
                "sotto_relay_bytes_out_total",
                "bytes sent",
                &self.bytes_out,
                "counter",
            ),
            (
                "sotto_relay_submissions_total",
                "submissions stored",
                &self.submissions,
                "counter",
            ),
            (
                "sotto_relay_messages_total",
                "member messages stored",
                &self.messages,
                "counter",
            ),
            (
                "sotto_relay_errors_total",
                "error frames sent",
                &self.errors,
                "counter",
            ),
            (
                "sotto_relay_store_batches_total",
                "store write batches committed",
                &self.store_batches,
                "counter",
            ),
            (
                "sotto_relay_store_commands_total",
                "store commands executed",
                &self.store_commands,
                "counter",
            ),
        ];
        for (name, help, v, ty) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {ty}\n{name} {}",
                v.load(Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP sotto_relay_timeouts_total connections closed by a deadline\n# TYPE sotto_relay_timeouts_total counter"
        );
        for (kind, v) in [
            ("handshake", &self.timeouts_handshake),
            ("hello", &self.timeouts_hello),
            ("idle", &self.timeouts_idle),
        ] {
            let _ = writeln!(
                out,
                "sotto_relay_timeouts_total{{kind=\"{kind}\"}} {}",
                v.load(Relaxed)
            );
        }
        self.store_batch_seconds.render(
            &mut out,
            "sotto_relay_store_batch_seconds",
            "store batch duration including commit",
        );
        self.store_request_seconds.render(
            &mut out,
            "sotto_relay_store_request_seconds",
            "store request latency including queueing",
        );
        self.store_checkpoint_seconds.render(
            &mut out,
            "sotto_relay_store_checkpoint_seconds",
            "writer time spent finishing WAL checkpoints",
        );
        let rss = resident_bytes().unwrap_or(0);
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes resident memory\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {rss}"
        );
        out
    }
}

/// Resident set size from /proc/self/statm (Linux; `None` elsewhere).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // 4 KiB pages: the page size on every Linux target we run on.
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_all_families() {
        let m = super::Metrics::default();
        m.store_batch_seconds
            .observe(std::time::Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains("sotto_relay_store_batch_seconds_count 1"));
        assert!(text.contains("process_resident_memory_bytes"));
        assert!(text.contains("sotto_relay_timeouts_total{kind=\"hello\"} 0"));
    }
}
