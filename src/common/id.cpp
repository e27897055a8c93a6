#include "faxd/common/id.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <mutex>

namespace faxd {

namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
constexpr std::size_t kIdLength = 26;
}  // namespace

// Monotonic within the process (ULID's monotonic mode): an id made in the same millisecond as
// the previous one (or when the clock stepped back) is the previous one plus one, so ids always
// sort in creation order: FIFO queues and attempt lists rely on it.
std::string new_id(SysTime now) {
  static std::mutex mutex;
  static std::array<std::uint8_t, 16> last{};
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::array<std::uint8_t, 16> bytes{};
  {
    std::lock_guard lock(mutex);
    std::uint64_t last_ms = 0;
    for (int i = 0; i < 6; ++i) last_ms = (last_ms << 8) | last[static_cast<std::size_t>(i)];
    if (ms <= last_ms) {
      bytes = last;
      for (int i = 15; i >= 0; --i)  // +1 with carry (into the time part only past 2^80 ids)
        if (++bytes[static_cast<std::size_t>(i)] != 0) break;
    } else {
      for (int i = 0; i < 6; ++i)
        bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
      randombytes_buf(bytes.data() + 6, 10);
      bytes[6] &= 0x7f;  // room to count up within one millisecond
    }
    last = bytes;
  }
  // 128 bits -> 26 base32 digits, as a 130-bit number with two leading zero bits.
  auto bit = [&](int i) {  // bit i of the 130-bit number, 0 = most significant
    const int b = i - 2;
    return b < 0 ? 0 : (bytes[static_cast<std::size_t>(b / 8)] >> (7 - b % 8)) & 1;
  };
  std::string out(kIdLength, '0');
  for (std::size_t d = 0; d < kIdLength; ++d) {
    unsigned v = 0;
    for (int k = 0; k < 5; ++k)
      v = (v << 1) | static_cast<unsigned>(bit(static_cast<int>(d) * 5 + k));
    out[d] = kAlphabet[v];
  }
  return out;
}

std::string id_floor(SysTime t) {
  const auto count =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto ms = static_cast<std::uint64_t>(count < 0 ? 0 : count);
  // 48 bits of milliseconds are the first 10 digits (50 bits, two leading zeros).
  std::string out(kIdLength, '0');
  for (int d = 9; d >= 0; --d) {
    out[static_cast<std::size_t>(d)] = kAlphabet[ms & 31];
    ms >>= 5;
  }
  return out;
}

bool is_valid_id(std::string_view id) noexcept {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U';
    if (!digit && !upper) return false;
  }
  return true;
}

std::string random_hex(std::size_t n) {
  std::string raw(n, '\0');
  randombytes_buf(raw.data(), n);
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), n);
  hex.resize(n * 2);
  return hex;
}

}  // namespace faxd
