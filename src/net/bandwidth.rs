//! Bandwidth: how long a message occupies a link, and the sender's upload queue.
//!
//! The model:
//! - Each sender has one upload link ([`UploadLink`]) that sends its messages
//!   one at a time in the order they were queued (FIFO). A message of `bytes`
//!   occupies it for `bytes × 8 / upload` seconds: the next message starts
//!   only when the previous one has left at the sender's full upload rate.
//! - The receiver's download rate caps how fast one message can arrive: its
//!   last bit is received `bytes × 8 / min(upload, download)` seconds after
//!   the message started sending. Receivers' download links are not queued.
//! - The message is delivered that long after it started plus the latency
//!   drawn for it (see [`super::sample_latency_ns`]).
//!
//! SimBlock instead occupies the sender's link for `bytes / min(upload,
//! download)`. That makes a well-connected sender (a 100 Mbit/s pool node with
//! hundreds of peers) serve one slow peer at a time and leave its upload idle,
//! which delays blocks by minutes; here the sender's capacity is fully used
//! while every message still respects its receiver's download rate.
//!
//! Rates are in bits per second; [`UNLIMITED_BPS`] makes transmission
//! instantaneous.

const NS_PER_S: f64 = 1e9;

/// A rate meaning "no bandwidth limit": transmission takes no time.
pub const UNLIMITED_BPS: f64 = f64::INFINITY;

/// Nanoseconds to push `bytes` at the smaller of `upload_bps` and
/// `download_bps` (bits per second), rounded up.
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

    /// Sends `bytes` queued at `now_ns` to a receiver with `download_bps`:
    /// the link is busy for the upload time, and the return value is when the
    /// receiver holds the last bit (before latency), which the slower of the
    /// two rates decides.
    pub fn transmit(&mut self, now_ns: u64, bytes: u64, upload_bps: f64, download_bps: f64) -> u64 {
        let start_ns = self.busy_until_ns.max(now_ns);
        self.busy_until_ns = start_ns.saturating_add(transmission_ns(bytes, upload_bps, UNLIMITED_BPS));
        start_ns.saturating_add(transmission_ns(bytes, upload_bps, download_bps))
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

    #[test]
    fn a_fast_sender_is_not_held_up_by_slow_receivers() {
        // 1 MB at 100 Mbit/s up to two 10 Mbit/s receivers: each copy takes
        // 0.8 s to arrive, but the sender's link is busy only 0.08 s per copy.
        let mut link = UploadLink::default();
        let a = link.transmit(0, 1_000_000, 100e6, 10e6);
        let b = link.transmit(0, 1_000_000, 100e6, 10e6);
        assert_eq!(a, 800_000_000);
        assert_eq!(b, 80_000_000 + 800_000_000);
        assert_eq!(link.busy_until_ns(), 160_000_000);
        // A slow sender is limited by its own upload.
        let mut slow = UploadLink::default();
        assert_eq!(slow.transmit(5, 1_000_000, 8e6, 100e6), 5 + 1_000_000_000);
        assert_eq!(slow.transmit(5, 1_000_000, 8e6, 100e6), 5 + 2_000_000_000);
    }
}
