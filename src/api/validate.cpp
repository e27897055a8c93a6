#include "validate.hpp"

#include <algorithm>
#include <filesystem>
#include <string>

namespace faxd::api {

namespace {
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    int value = 0;
    while (n < s.size() && is_digit(s[n]) && n < 3) value = value * 10 + (s[n++] - '0');
    if (n == 0 || value > 255) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) return parts == 4;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
}
}  // namespace

bool is_e164(std::string_view s) noexcept {
  if (s.size() < 3 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), is_digit);
}

bool is_email(std::string_view s) noexcept {
  if (s.size() > 254) return false;
  const auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
    return false;
  const auto domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' ||
           c == '"' || c == '\x7f';
  });
}

bool is_host(std::string_view s) noexcept {
  if (s.empty() || s.size() > 253) return false;
  if (s.front() == '[') {
    if (s.back() != ']' || s.size() < 4) return false;
    const auto inner = s.substr(1, s.size() - 2);
    return std::all_of(inner.begin(), inner.end(),
                       [](char c) {
                         return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                                c == ':' || c == '.';
                       }) &&
           inner.find(':') != std::string_view::npos;
  }
  if (std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || c == '.'; }))
    return is_ipv4(s);
  // DNS name: labels of letters, digits and '-', not starting or ending with '-'.
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    const auto label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; }))
      return false;
    start = end + 1;
    if (end == s.size()) break;
  }
  return true;
}

bool is_timezone(std::string_view s) noexcept {
  if (s == "UTC") return true;
  if (s.empty() || s.size() > 64 || s.front() == '/' || s.find("..") != std::string_view::npos)
    return false;
  if (!std::all_of(s.begin(), s.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '/' || c == '_' || c == '-' || c == '+';
      }))
    return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(
      std::filesystem::path("/usr/share/zoneinfo") / std::string(s), ec);
}

bool is_language(std::string_view s) noexcept {
  if (s.size() == 2) return is_lower(s[0]) && is_lower(s[1]);
  if (s.size() == 5)
    return is_lower(s[0]) && is_lower(s[1]) && s[2] == '-' && is_upper(s[3]) && is_upper(s[4]);
  return false;
}

bool is_prefix(std::string_view s) noexcept {
  if (s.empty()) return true;
  if (s.front() != '+') return false;
  s.remove_prefix(1);
  return !s.empty() && s.size() <= 15 && s.front() != '0' &&
         std::all_of(s.begin(), s.end(), is_digit);
}

bool is_dial_prefix(std::string_view s) noexcept {
  return s.size() <= 20 && std::all_of(s.begin(), s.end(),
                                       [](char c) { return is_digit(c) || c == '*' || c == '#'; });
}

bool is_station_id(std::string_view s) noexcept {
  return s.size() <= 20 && std::all_of(s.begin(), s.end(),
                                       [](char c) { return is_digit(c) || c == '+' || c == ' '; });
}

bool is_printable(std::string_view s) noexcept {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return (static_cast<unsigned char>(c) < ' ') || c == '\x7f'; });
}

bool is_username(std::string_view s) noexcept {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

bool is_http_url(std::string_view s) noexcept {
  std::string_view rest;
  if (s.starts_with("https://"))
    rest = s.substr(8);
  else if (s.starts_with("http://"))
    rest = s.substr(7);
  else
    return false;
  const auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (const auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.back() != ']') {
    const auto port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit))
      return false;
    authority = authority.substr(0, colon);
  }
  return is_host(authority) && is_printable(s) && s.find(' ') == std::string_view::npos;
}

}  // namespace faxd::api
