#include "faxd/mail/mime.hpp"

#include <array>
#include <cctype>
#include <ctime>

#include <fmt/format.h>
#include <sodium.h>

namespace faxd::mail {

namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return s.find("=?") == std::string_view::npos;
}

std::string base64(std::string_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Length of the longest prefix of s (at most max bytes) that ends on a UTF-8 character boundary.
std::size_t utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n == 0 ? max : n;  // a broken sequence longer than max: cut anyway
}

// Folds plain ASCII header text at spaces so lines stay under 78 columns where possible.
std::string fold_ascii(std::string_view s, std::size_t used) {
  std::string out;
  std::size_t col = used;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t next = s.find(' ', pos + 1);
    if (next == std::string_view::npos) next = s.size();
    const auto word = s.substr(pos, next - pos);  // starts with the space (except the first)
    if (col + word.size() > 76 && !out.empty() && word.front() == ' ') {
      out += kCrlf;
      col = 0;
    }
    out += word;
    col += word.size();
    pos = next;
  }
  return out;
}

bool filename_is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+')) return false;
  return true;
}

std::string filename_params(std::string_view attr, std::string_view name) {
  if (filename_is_token(name)) return fmt::format("{}=\"{}\"", attr, name);
  std::string enc;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_')
      enc += static_cast<char>(c);
    else
      enc += fmt::format("%{:02X}", c);
  }
  return fmt::format("{}*=UTF-8''{}", attr, enc);
}

Result<std::string> address_header(std::string_view address) {
  auto spec = address_spec(address);
  if (!spec) return std::unexpected(spec.error());
  const auto lt = address.find('<');
  if (lt == std::string_view::npos) return *spec;
  auto name = address.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  if (name.empty()) return *spec;
  std::string shown;
  if (is_plain_ascii(name)) {
    shown = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') shown += '\\';
      shown += c;
    }
    shown += '"';
  } else {
    shown = encode_header_text(name, 6);
  }
  return fmt::format("{} <{}>", shown, *spec);
}

}  // namespace

Result<std::string> address_spec(std::string_view address) {
  for (char c : address)
    if (c == '\r' || c == '\n' || c == '\0')
      return fail(Errc::invalid_argument, "an e-mail address must not contain line breaks");
  auto spec = address;
  if (const auto lt = address.find('<'); lt != std::string_view::npos) {
    const auto gt = address.find('>', lt);
    if (gt == std::string_view::npos || gt + 1 != address.size())
      return fail(Errc::invalid_argument, fmt::format("malformed e-mail address: {}", address));
    spec = address.substr(lt + 1, gt - lt - 1);
  }
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  const auto at = spec.rfind('@');
  bool ok = at != std::string_view::npos && at > 0 && at + 1 < spec.size() && spec.size() <= 254;
  for (unsigned char c : spec)
    if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == 0x7f)
      ok = false;
  if (!ok) return fail(Errc::invalid_argument, fmt::format("not an e-mail address: {}", address));
  return std::string(spec);
}

std::string address_domain(std::string_view address) {
  auto spec = address_spec(address);
  if (!spec) return "localhost";
  return spec->substr(spec->rfind('@') + 1);
}

std::string encode_header_text(std::string_view utf8, std::size_t first_line_used) {
  if (is_plain_ascii(utf8)) return fold_ascii(utf8, first_line_used);
  // Encoded words of at most 75 characters, on lines of at most 76 (RFC 2047 section 2).
  constexpr std::size_t kOverhead = std::string_view(
                                        "=?UTF-8?B?"
                                        "?=")
                                        .size();
  std::string out;
  std::size_t used = first_line_used;
  while (!utf8.empty()) {
    const std::size_t room = used + kOverhead < 76 ? 76 - used - kOverhead : 0;
    std::size_t max_bytes = std::min<std::size_t>(room / 4 * 3, 45);
    if (max_bytes < 3) max_bytes = 45;  // header name too long: start the word on the next line
    const auto n = utf8_prefix(utf8, max_bytes);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(utf8.substr(0, n)) + "?=";
    utf8.remove_prefix(n);
    used = 1;
  }
  return out;
}

std::string base64_lines(std::string_view data) {
  const auto encoded = base64(data);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += kCrlf;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  std::size_t col = 0;
  auto emit = [&](std::string_view token) {
    if (col + token.size() > 75) {  // leave room for the soft break '='
      out += "=\r\n";
      col = 0;
    }
    out += token;
    col += token.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF: take the LF
    if (c == '\n') {
      out += kCrlf;
      col = 0;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A '.' opening a line is encoded too: some relays mangle it.
    if (literal && !(c == '.' && col == 0)) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      emit(fmt::format("={:02X}", c));
    }
  }
  return out;
}

std::string format_rfc5322_date(SysTime t) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Result<std::string> build_mime(const MailMessage& m, std::string_view boundary) {
  auto from = address_header(m.from);
  if (!from) return std::unexpected(from.error());
  auto to = address_header(m.to);
  if (!to) return std::unexpected(to.error());
  if (m.message_id.find_first_of("\r\n<> ") != std::string::npos)
    return fail(Errc::invalid_argument, "malformed Message-ID");

  std::string out;
  out += "Date: " + format_rfc5322_date(m.date) + "\r\n";
  out += "From: " + *from + "\r\n";
  out += "To: " + *to + "\r\n";
  out += "Subject: " + encode_header_text(m.subject, 9) + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format("Content-Type: multipart/mixed; boundary=\"{}\"\r\n", boundary);
  out += "\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += fmt::format("--{}\r\n", boundary);
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(m.text);
  out += "\r\n";
  for (const auto& a : m.attachments) {
    if (a.content_type.find_first_of("\r\n") != std::string::npos)
      return fail(Errc::invalid_argument, "malformed content type");
    out += fmt::format("--{}\r\n", boundary);
    // Parameters on their own folded lines: long file names stay under the 78-column limit.
    out += fmt::format("Content-Type: {};\r\n {}\r\n", a.content_type,
                       filename_params("name", a.filename));
    out += "Content-Transfer-Encoding: base64\r\n";
    out += fmt::format("Content-Disposition: attachment;\r\n {}\r\n\r\n",
                       filename_params("filename", a.filename));
    out += base64_lines(a.data);
  }
  out += fmt::format("--{}--\r\n", boundary);
  return out;
}

}  // namespace faxd::mail
