//! Bandwidth: how long a message occupies a link, and the sender's upload queue.
//!
//! The link model is SimBlock's (network-data.md §2):
//! - A message of `bytes` from `s` to `r` is transmitted at the rate
//!   min(upload of `s`, download of `r`), so it occupies the sender's upload
//!   link for `bytes × 8 / rate` seconds ([`transmission_ns`]).
//! - Each sender has one upload link ([`UploadLink`]) that sends its messages
//!   one at a time in the order they were queued (FIFO): a message waits until
//!   every earlier message on that link has left.
//! - The message arrives at the receiver when its last bit has left the sender
//!   plus the latency drawn for it (see [`super::sample_latency_ns`]):
//!   `arrival = link.enqueue(now, transmission_ns(..)) + latency`.
//!
//! Receivers' download links are not queued; as in SimBlock, only the rate
//! limit of the receiver's download applies. Rates are in bits per second;
//! [`UNLIMITED_BPS`] makes transmission instantaneous.

const NS_PER_S: f64 = 1e9;

/// A rate meaning "no bandwidth limit": transmission takes no time.
pub const UNLIMITED_BPS: f64 = f64::INFINITY;

/// Nanoseconds to push `bytes` through a link whose rate is the smaller of the
/// sender's upload and the receiver's download (bits per second), rounded up.
/// Zero when the effective rate is infinite or the message is empty. Rates
/// must be positive (a broken invariant panics).
pub fn transmission_ns(bytes: u64, upload_bps: f64, download_bps: f64) -> u64 {
    let rate_bps = upload_bps.min(download_bps);
    assert!(rate_bps > 0.0, "link rate must be positive: upload {upload_bps}, download {download_bps}");
    if rate_bps.is_infinite() || bytes == 0 {
        return 0;
    }
    // The float-to-int cast saturates, so an absurdly slow link cannot wrap.
    (bytes as f64 * 8.0 * NS_PER_S / rate_bps).ceil() as u64
}

/// A sender's upload link: a FIFO queue that transmits one message at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadLink {
    busy_until_ns: u64,
}

impl UploadLink {
    /// Queues a message of `tx_ns` transmission time sent at `now_ns`; returns
    /// when its last bit leaves the sender. It starts once the link is free
    /// (after every earlier message) or at `now_ns`, whichever is later.
    pub fn enqueue(&mut self, now_ns: u64, tx_ns: u64) -> u64 {
        let start_ns = self.busy_until_ns.max(now_ns);
        self.busy_until_ns = start_ns.saturating_add(tx_ns);
        self.busy_until_ns
    }

    /// When the last queued message finishes leaving the sender.
    pub fn busy_until_ns(&self) -> u64 {
        self.busy_until_ns
    }

    /// How long a message queued at `now_ns` would wait before it starts.
    pub fn backlog_ns(&self, now_ns: u64) -> u64 {
        self.busy_until_ns.saturating_sub(now_ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_megabyte_at_eight_megabits_takes_one_second() {
        assert_eq!(transmission_ns(1_000_000, 8e6, 100e6), 1_000_000_000);
        assert_eq!(transmission_ns(1_000_000, 100e6, 8e6), 1_000_000_000);
        assert_eq!(transmission_ns(1_000_000, UNLIMITED_BPS, UNLIMITED_BPS), 0);
        assert_eq!(transmission_ns(0, 1.0, 1.0), 0);
        // Rounded up: 1 byte at 3 bit/s is 8/3 s.
        assert_eq!(transmission_ns(1, 3.0, UNLIMITED_BPS), 2_666_666_667);
    }

    #[test]
    #[should_panic(expected = "link rate must be positive")]
    fn zero_rate_is_a_broken_invariant() {
        transmission_ns(1, 0.0, 1.0);
    }

    #[test]
    fn upload_link_serialises_messages_in_order() {
        let mut link = UploadLink::default();
        assert_eq!(link.enqueue(100, 50), 150);
        // Queued while busy: waits for the first message.
        assert_eq!(link.enqueue(120, 30), 180);
        assert_eq!(link.backlog_ns(130), 50);
        assert_eq!(link.enqueue(130, 0), 180);
        // Queued after the link went idle: starts at once.
        assert_eq!(link.enqueue(500, 10), 510);
        assert_eq!(link.busy_until_ns(), 510);
        assert_eq!(link.backlog_ns(600), 0);
    }
}
