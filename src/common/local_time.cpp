#include "faxd/common/local_time.hpp"

#include <array>

#include <date/tz.h>
#include <fmt/format.h>

namespace faxd {

namespace {

date::local_seconds to_local(SysTime t, std::string_view timezone) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(timezone);
  } catch (const std::exception&) {
    zone = nullptr;  // unknown or malformed name: UTC
  }
  if (zone == nullptr) return date::local_seconds{secs.time_since_epoch()};
  return zone->to_local(secs);
}

}  // namespace

std::string format_local_short(SysTime t, std::string_view timezone, std::string_view language) {
  static constexpr std::array<const char*, 12> kEn{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr std::array<const char*, 12> kEs{"ene", "feb", "mar",  "abr", "may", "jun",
                                                   "jul", "ago", "sept", "oct", "nov", "dic"};
  const auto local = to_local(t, timezone);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{local - day};
  const auto month = static_cast<unsigned>(ymd.month()) - 1;
  if (language.starts_with("es"))
    return fmt::format("{} {} {} {:02}:{:02}", static_cast<unsigned>(ymd.day()), kEs[month],
                       static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count());
  return fmt::format("{} {}, {} {:02}:{:02}", kEn[month], static_cast<unsigned>(ymd.day()),
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count());
}

std::string format_local_compact(SysTime t, std::string_view timezone) {
  const auto local = to_local(t, timezone);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{local - day};
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace faxd
