#pragma once
// The playout buffer of a G.711 fax leg (V.152 voice-band data: a fixed delay, no packet loss
// concealment but the modems' own). RTP packets go in by sequence number as they arrive; each
// 20 ms tick the session takes packets out in sequence order, each either the packet itself or
// a gap of one packet's length (to be filled with fax_rx_fillin at once).
// - Reordered packets within the delay are put back in order.
// - A missing packet with a newer one already here is lost: a gap at its turn.
// - Nothing newer here (the sender or the path stalled, as a loaded host does for tens of ms):
//   pop() waits rather than inventing a gap, up to kMaxWaitTicks, so the modems see the sender's
//   signal whole, only later; the caller then catches up by taking two packets a tick while
//   more than twice the delay is stored (jitter alone never stores that much). A longer silence is
//   played out as gaps (T.30 timers must run).
// - Packets older than the playout point are late and dropped; a flow that runs ahead of the
//   delay (a faster sender clock) loses its oldest packets; a sequence jump restarts the buffer.
//
// Time is the caller's ticks: no clock, no sockets. One thread. No allocation after
// construction (fixed slots of up to kMaxPayload bytes).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace faxd::media {

struct JitterStats {
  std::uint64_t received = 0;   // packets stored
  std::uint64_t reordered = 0;  // stored behind a newer one
  std::uint64_t late = 0;       // arrived after their playout
  std::uint64_t duplicate = 0;
  std::uint64_t lost = 0;      // played out as gaps
  std::uint64_t overflow = 0;  // dropped to keep the delay
  std::uint64_t restarts = 0;
  std::uint64_t recovered = 0;  // holes filled from RFC 2198 redundancy (a later packet's copy)
};

class JitterBuffer {
 public:
  static constexpr std::size_t kMaxPayload = 480;  // 60 ms of G.711
  static constexpr int kSlots = 64;
  static constexpr int kMaxWaitTicks = 10;  // 200 ms of silence before gaps are played

  struct Packet {
    std::span<const std::uint8_t> payload;  // empty: a gap
    int samples = 0;                        // payload size, or the gap's length
  };

  // `delay_ticks`: ticks between the first packet and the first playout (3 = 60 ms).
  explicit JitterBuffer(int delay_ticks = 3);

  void push(std::uint16_t seq, std::span<const std::uint8_t> payload);
  // A redundant copy (RFC 2198) of packet `seq`, carried by a later packet: stored only when it
  // fills a hole not yet played. Call it before push() of the packet that carried it.
  void push_redundant(std::uint16_t seq, std::span<const std::uint8_t> payload);
  // Call once per tick before pop(): counts the playout delay down.
  void tick();
  // The next packet in sequence order; nullopt while the buffer is filling (before any packet,
  // or during the first delay: see playing()) or while waiting for a stalled flow. A returned
  // span is valid until the next push().
  std::optional<Packet> pop();
  bool playing() const { return started_ && wait_ticks_ == 0; }
  int delay_ticks() const { return delay_ticks_; }

  int depth() const;  // packets between the playout point and the newest stored, inclusive
  // Packets stored and not yet played (early ones of a jittery flow included, holes not).
  int stored() const { return stored_; }
  const JitterStats& stats() const { return stats_; }

 private:
  struct Slot {
    bool used = false;
    std::uint16_t seq = 0;
    std::uint16_t len = 0;
    std::array<std::uint8_t, kMaxPayload> data{};
  };
  void restart(std::uint16_t seq);
  // Puts packet `seq` in its slot; false when the slot already holds it.
  bool store(std::uint16_t seq, std::span<const std::uint8_t> payload);
  Slot& slot(std::uint16_t seq) { return slots_[seq % kSlots]; }

  int delay_ticks_;
  std::vector<Slot> slots_;
  bool started_ = false;
  int wait_ticks_ = 0;        // ticks left before the first playout
  std::uint16_t next_ = 0;    // sequence number to play next
  std::uint16_t newest_ = 0;  // highest sequence number stored
  int last_len_ = 160;
  int waited_ = 0;  // pops in a row that found nothing to play
  int stored_ = 0;
  JitterStats stats_;
};

}  // namespace faxd::media
