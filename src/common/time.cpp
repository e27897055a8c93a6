#include "faxd/common/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <charconv>
#include <chrono>

namespace faxd {

std::string format_rfc3339(SysTime t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", secs, ms);
}

namespace {
bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  const char* b = s.data() + pos;
  for (std::size_t i = 0; i < len; ++i)
    if (b[i] < '0' || b[i] > '9') return false;
  return std::from_chars(b, b + len, out).ec == std::errc{};
}
}  // namespace

std::optional<SysTime> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!read_int(s, 0, 4, y) || !read_int(s, 5, 2, mo) || !read_int(s, 8, 2, d) ||
      !read_int(s, 11, 2, h) || !read_int(s, 14, 2, mi) || !read_int(s, 17, 2, se))
    return std::nullopt;
  // SysTime counts nanoseconds in 64 bits: 1678 to 2261. Outside a safer span, no time at all
  // (a token "valid until 2999" would overflow, undefined behaviour, instead of being refused).
  if (y < 1900 || y > 2200) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  SysTime t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    long long frac = 0;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    while (digits < 9) frac *= 10, ++digits;
    t += duration_cast<SysTime::duration>(nanoseconds{frac});
  }
  if (pos == s.size()) return t;  // no zone: taken as UTC
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return t;
  if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    int oh, om;
    if (!read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om)) return std::nullopt;
    const auto off = hours{oh} + minutes{om};
    return s[pos] == '+' ? t - off : t + off;
  }
  return std::nullopt;
}

}  // namespace faxd
