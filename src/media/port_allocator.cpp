#include "faxd/media/port_allocator.hpp"

namespace faxd::media {

PortAllocator::PortAllocator(std::uint16_t port_min, std::uint16_t port_max)
    : first_(static_cast<std::uint16_t>(port_min + (port_min % 2))) {
  if (port_max >= first_) used_.assign((port_max - first_) / 2 + 1, false);
}

std::optional<std::uint16_t> PortAllocator::allocate() {
  std::lock_guard lock(mutex_);
  for (std::size_t tried = 0; tried < used_.size(); ++tried) {
    const std::size_t i = next_;
    next_ = (next_ + 1) % used_.size();
    if (!used_[i]) {
      used_[i] = true;
      ++in_use_;
      return static_cast<std::uint16_t>(first_ + 2 * i);
    }
  }
  return std::nullopt;
}

void PortAllocator::release(std::uint16_t port) {
  std::lock_guard lock(mutex_);
  if (port < first_ || (port - first_) % 2 != 0) return;
  const std::size_t i = (port - first_) / 2;
  if (i < used_.size() && used_[i]) {
    used_[i] = false;
    --in_use_;
  }
}

std::size_t PortAllocator::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

}  // namespace faxd::media
