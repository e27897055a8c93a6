#pragma once
// Hands out UDP ports from the configured [media] port_min..port_max range: even ports only (RTP
// wants even, RTCP would be +1; UDPTL takes an even port too), round robin so a port just freed is
// not reused at once (late packets of the old call).
// Thread-safe (a mutex: allocation happens at call set-up, never on the media path).
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace faxd::media {

class PortAllocator {
 public:
  PortAllocator(std::uint16_t port_min, std::uint16_t port_max);

  // The next free even port, marked in use; nullopt when the range is exhausted.
  std::optional<std::uint16_t> allocate();
  // Gives a port back; unknown ports are ignored.
  void release(std::uint16_t port);
  std::size_t in_use() const;
  std::size_t capacity() const { return used_.size(); }

 private:
  std::uint16_t first_;     // lowest even port in range
  std::vector<bool> used_;  // index i = port first_ + 2 i
  std::size_t next_ = 0;
  std::size_t in_use_ = 0;
  mutable std::mutex mutex_;
};

}  // namespace faxd::media
