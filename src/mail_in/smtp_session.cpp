#include "faxd/mail_in/smtp_session.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace faxd::mail_in {

namespace {

constexpr int kMaxBadCommands = 10;  // then the client is dropped

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Path {
  std::string address;  // "" for <>
  std::string_view params;
};

// "<a@b> PARAMS" after "MAIL FROM:" / "RCPT TO:"; nullopt when malformed.
std::optional<Path> parse_path(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.front() != '<') return std::nullopt;
  const auto close = s.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  auto inner = s.substr(1, close - 1);
  if (const auto colon = inner.find(':'); colon != std::string_view::npos && inner.front() == '@')
    inner.remove_prefix(colon + 1);  // a source route (RFC 5321 C): ignored
  for (const char c : inner)
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>') return std::nullopt;
  if (!inner.empty()) {
    const auto at = inner.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return std::nullopt;
  }
  return Path{std::string(inner), trim(s.substr(close + 1))};
}

}  // namespace

bool is_number_local_part(std::string_view local) {
  if (local.empty() || local.size() > 40) return false;
  std::size_t digits = 0;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c != '.' && c != '-')
      return false;
  }
  return digits >= 3 && digits <= 17;
}

SmtpSession::SmtpSession(std::string hostname, std::string remote, SmtpLimits limits)
    : hostname_(std::move(hostname)), remote_(std::move(remote)), limits_(limits) {}

SmtpSession::Output SmtpSession::reply(int code, std::string_view text, bool close) const {
  return {fmt::format("{} {}\r\n", code, text), close, false};
}

SmtpSession::Output SmtpSession::greet() const {
  return reply(220, fmt::format("{} ESMTP faxd email-to-fax", hostname_));
}

SmtpSession::Output SmtpSession::timeout() const {
  return reply(421, fmt::format("4.4.2 {} timeout, closing", hostname_), true);
}

void SmtpSession::reset_transaction() {
  mail_from_.clear();
  recipients_.clear();
  data_.clear();
  data_too_large_ = false;
}

SmtpSession::Output SmtpSession::on_line_too_long() {
  if (state_ == State::data) {
    reset_transaction();
    state_ = State::ready;
    return reply(552, "5.3.4 line too long, message refused", true);
  }
  return reply(500, "5.5.2 line too long", true);
}

SmtpSession::Output SmtpSession::on_line(std::string_view line) {
  if (state_ == State::data) return on_data_line(line);
  auto out = on_command(line);
  if (out.bytes.starts_with("5") && ++bad_commands_ >= kMaxBadCommands && !out.close) {
    out.bytes += "421 4.7.0 too many errors, closing\r\n";
    out.close = true;
  }
  return out;
}

SmtpSession::Output SmtpSession::on_command(std::string_view line) {
  const auto verb_end = line.find(' ');
  const auto verb = line.substr(0, verb_end);
  const auto arg =
      verb_end == std::string_view::npos ? std::string_view{} : trim(line.substr(verb_end));
  auto is = [&](std::string_view v) { return verb.size() == v.size() && iequals_prefix(verb, v); };

  if (is("EHLO") || is("HELO")) {
    if (arg.empty()) return reply(501, "5.5.4 a domain name or address, please");
    helo_ = std::string(arg.substr(0, 255));
    reset_transaction();
    state_ = State::ready;
    if (is("HELO")) return reply(250, hostname_);
    return {fmt::format("250-{} greets {}\r\n250-SIZE {}\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                        "250 ENHANCEDSTATUSCODES\r\n",
                        hostname_, helo_, limits_.max_message_bytes),
            false, false};
  }
  if (is("QUIT")) return reply(221, "2.0.0 bye", true);
  if (is("NOOP")) return reply(250, "2.0.0 Ok");
  if (is("RSET")) {
    reset_transaction();
    if (state_ != State::greeted) state_ = State::ready;
    return reply(250, "2.0.0 Ok");
  }
  if (is("VRFY")) return reply(252, "2.5.0 cannot verify, send a message");
  if (is("HELP")) return reply(214, "2.0.0 send mail to NUMBER@any-domain to fax it");
  if (is("MAIL")) {
    if (state_ == State::greeted) return reply(503, "5.5.1 EHLO first");
    if (state_ != State::ready) return reply(503, "5.5.1 a transaction is already open");
    if (!iequals_prefix(arg, "FROM:")) return reply(501, "5.5.4 MAIL FROM:<address>");
    auto path = parse_path(arg.substr(5));
    if (!path) return reply(501, "5.1.7 malformed sender address");
    if (path->address.empty())
      return reply(550, "5.7.1 mail from the null sender (a bounce) is not faxed");
    for (auto params = path->params; !params.empty();) {
      const auto end = params.find(' ');
      const auto p = params.substr(0, end);
      params = end == std::string_view::npos ? std::string_view{} : trim(params.substr(end));
      if (iequals_prefix(p, "SIZE=")) {
        std::size_t size = 0;
        const auto v = p.substr(5);
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), size);
        if (ec != std::errc{} || ptr != v.data() + v.size())
          return reply(501, "5.5.4 malformed SIZE");
        if (size > limits_.max_message_bytes)
          return reply(552, fmt::format("5.3.4 message too large (at most {} bytes)",
                                        limits_.max_message_bytes));
      } else if (!iequals_prefix(p, "BODY=")) {
        return reply(555, "5.5.4 unsupported MAIL parameter");
      }
    }
    mail_from_ = std::move(path->address);
    state_ = State::mail;
    return reply(250, "2.1.0 Ok");
  }
  if (is("RCPT")) {
    if (state_ != State::mail) return reply(503, "5.5.1 MAIL first");
    if (!iequals_prefix(arg, "TO:")) return reply(501, "5.5.4 RCPT TO:<number@domain>");
    auto path = parse_path(arg.substr(3));
    if (!path || path->address.empty()) return reply(501, "5.1.3 malformed recipient address");
    if (!path->params.empty()) return reply(555, "5.5.4 unsupported RCPT parameter");
    const auto local = std::string_view(path->address).substr(0, path->address.rfind('@'));
    if (!is_number_local_part(local))
      return reply(550, fmt::format("5.1.1 <{}>: not a fax number (write NUMBER@any-domain)",
                                    path->address));
    if (static_cast<int>(recipients_.size()) >= limits_.max_recipients)
      return reply(452,
                   fmt::format("4.5.3 too many recipients (at most {})", limits_.max_recipients));
    recipients_.push_back(std::move(path->address));
    return reply(250, "2.1.5 Ok");
  }
  if (is("DATA")) {
    if (state_ != State::mail) return reply(503, "5.5.1 MAIL first");
    if (recipients_.empty()) return reply(554, "5.5.1 no valid recipients");
    if (!arg.empty()) return reply(501, "5.5.4 DATA takes no argument");
    state_ = State::data;
    return reply(354, "end the message with <CRLF>.<CRLF>");
  }
  if (is("BDAT") || is("AUTH") || is("STARTTLS") || is("ETRN") || is("EXPN"))
    return reply(502, "5.5.1 not implemented");
  return reply(500, "5.5.2 unknown command");
}

SmtpSession::Output SmtpSession::on_data_line(std::string_view line) {
  if (line == ".") {
    if (data_too_large_) {
      reset_transaction();
      state_ = State::ready;
      return reply(552, fmt::format("5.3.4 message too large (at most {} bytes)",
                                    limits_.max_message_bytes));
    }
    state_ = State::deciding;
    return {"", false, true};
  }
  if (line.starts_with('.')) line.remove_prefix(1);  // dot-unstuffing
  if (data_too_large_) return {};
  if (data_.size() + line.size() + 2 > limits_.max_message_bytes) {
    data_too_large_ = true;
    data_.clear();
    data_.shrink_to_fit();
    return {};
  }
  data_.append(line);
  data_ += "\r\n";
  return {};
}

ReceivedMail SmtpSession::take_message() {
  ReceivedMail m{remote_, helo_, std::move(mail_from_), std::move(recipients_), std::move(data_)};
  reset_transaction();
  return m;
}

SmtpSession::Output SmtpSession::finish_message(const SmtpReply& r) {
  state_ = State::ready;
  return reply(r.code, r.text);
}

}  // namespace faxd::mail_in
