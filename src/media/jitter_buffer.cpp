#include "faxd/media/jitter_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace faxd::media {
namespace {

// Modular distance a - b on 16-bit sequence numbers.
int seq_diff(std::uint16_t a, std::uint16_t b) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b));
}

}  // namespace

JitterBuffer::JitterBuffer(int delay_ticks)
    : delay_ticks_(std::max(delay_ticks, 0)), slots_(kSlots) {}

void JitterBuffer::restart(std::uint16_t seq) {
  for (auto& s : slots_) s.used = false;
  stored_ = 0;
  started_ = true;
  wait_ticks_ = delay_ticks_;
  next_ = seq;
  newest_ = seq;
}

bool JitterBuffer::store(std::uint16_t seq, std::span<const std::uint8_t> payload) {
  Slot& s = slot(seq);
  if (s.used && s.seq == seq) return false;
  // A used slot holds an old packet the playout point passed without it (cannot happen: kept in
  // step); it is replaced, so the count stays.
  if (!s.used) ++stored_;
  s.used = true;
  s.seq = seq;
  s.len = static_cast<std::uint16_t>(payload.size());
  std::memcpy(s.data.data(), payload.data(), payload.size());
  return true;
}

void JitterBuffer::push_redundant(std::uint16_t seq, std::span<const std::uint8_t> payload) {
  // Only a hole within the window: a copy of a packet already here or played is no news, and a
  // copy never starts, restarts or moves the buffer.
  if (!started_ || payload.empty() || payload.size() > kMaxPayload) return;
  const int ahead = seq_diff(seq, next_);
  if (ahead < 0 || ahead >= kSlots || !store(seq, payload)) return;
  ++stats_.recovered;
  if (seq_diff(seq, newest_) > 0) newest_ = seq;
}

void JitterBuffer::push(std::uint16_t seq, std::span<const std::uint8_t> payload) {
  if (payload.empty() || payload.size() > kMaxPayload) return;
  if (!started_) {
    restart(seq);
  } else {
    const int ahead = seq_diff(seq, next_);
    if (ahead < 0) {
      // Behind the playout point: late, unless it is a jump back far enough to be a new flow.
      if (ahead < -kSlots) {
        ++stats_.restarts;
        restart(seq);
      } else {
        ++stats_.late;
        return;
      }
    } else if (ahead >= kSlots * 4) {
      ++stats_.restarts;
      restart(seq);
    } else {
      // Keep the playout point within the slots (and so the delay bounded): drop the oldest.
      while (seq_diff(seq, next_) >= kSlots) {
        Slot& old = slot(next_);
        if (old.used && old.seq == next_) {
          old.used = false;
          --stored_;
          ++stats_.overflow;
        }
        ++next_;
      }
    }
  }
  if (!store(seq, payload)) {
    ++stats_.duplicate;
    return;
  }
  ++stats_.received;
  if (seq_diff(seq, newest_) > 0) {
    newest_ = seq;
  } else if (seq != newest_) {
    ++stats_.reordered;
  }
}

void JitterBuffer::tick() {
  if (started_ && wait_ticks_ > 0) --wait_ticks_;
}

int JitterBuffer::depth() const {
  if (!started_) return 0;
  return std::max(seq_diff(newest_, next_) + 1, 0);
}

std::optional<JitterBuffer::Packet> JitterBuffer::pop() {
  if (!started_ || wait_ticks_ > 0) return std::nullopt;
  // A sender whose clock runs fast fills the buffer beyond its delay: skip one packet now and
  // then so the delay stays what it was set to.
  if (depth() > 2 * delay_ticks_ + 4) {
    Slot& old = slot(next_);
    if (old.used && old.seq == next_) {
      old.used = false;
      --stored_;
      ++stats_.overflow;
    }
    ++next_;
  }
  Slot& s = slot(next_);
  Packet p;
  if (s.used && s.seq == next_) {
    s.used = false;
    --stored_;
    p.payload = std::span<const std::uint8_t>(s.data.data(), s.len);
    p.samples = s.len;
    last_len_ = s.len;
    waited_ = 0;
  } else if (seq_diff(newest_, next_) > 0 || ++waited_ > kMaxWaitTicks) {
    // A newer packet is here (this one is lost), or the flow has been silent too long.
    p.samples = last_len_;
    ++stats_.lost;
  } else {
    return std::nullopt;  // a stall: wait for it rather than drop what is on its way
  }
  if (seq_diff(next_, newest_) >= 0) newest_ = next_;  // played past the newest: gaps from here
  ++next_;
  return p;
}

}  // namespace faxd::media
