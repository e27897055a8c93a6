#include "stranger_filter.hpp"

#include <cctype>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace faxd::sip::detail {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct Header {
  std::string_view name;  // long form, as the message wrote it or expanded from compact
  std::string_view value;
};

// Header lines up to the blank line; folded lines are rare in requests and not needed here.
std::vector<Header> headers(std::string_view msg, std::string_view* first_line) {
  std::vector<Header> out;
  auto eol = msg.find('\n');
  *first_line = trim(msg.substr(0, eol));
  std::size_t pos = eol == std::string_view::npos ? msg.size() : eol + 1;
  while (pos < msg.size() && out.size() < 200) {
    eol = msg.find('\n', pos);
    auto line = msg.substr(pos, eol == std::string_view::npos ? msg.size() - pos : eol - pos);
    pos = eol == std::string_view::npos ? msg.size() : eol + 1;
    if (trim(line).empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = trim(line.substr(0, colon));
    if (iequal(name, "v")) name = "Via";
    if (iequal(name, "f")) name = "From";
    if (iequal(name, "t")) name = "To";
    if (iequal(name, "i")) name = "Call-ID";
    out.push_back({name, trim(line.substr(colon + 1))});
  }
  return out;
}

bool has_tag(std::string_view to) {
  // ";tag=" outside the URI's angle brackets.
  const auto close = to.rfind('>');
  auto params = close == std::string_view::npos ? to : to.substr(close);
  for (std::size_t i = 0; i + 4 < params.size(); ++i)
    if (params[i] == ';' && iequal(trim(params.substr(i + 1, 4)), "tag=")) return true;
  return false;
}

}  // namespace

std::optional<DatagramHead> peek_sip(std::string_view datagram) {
  std::string_view first;
  auto hs = headers(datagram, &first);
  if (first.empty()) return std::nullopt;
  DatagramHead h;
  if (first.starts_with("SIP/2.0 ")) return h;  // a response
  const auto sp = first.find(' ');
  if (sp == std::string_view::npos || !first.ends_with("SIP/2.0")) return std::nullopt;
  h.is_request = true;
  h.method = std::string(first.substr(0, sp));
  for (const auto& x : hs)
    if (iequal(x.name, "To")) h.has_to_tag = has_tag(x.value);
  return h;
}

std::optional<std::string> stateless_reply(std::string_view request, int status,
                                           std::string_view reason, std::string_view server) {
  std::string_view first;
  auto hs = headers(request, &first);
  auto head = peek_sip(request);
  if (!head || !head->is_request || head->method == "ACK") return std::nullopt;
  std::string out = fmt::format("SIP/2.0 {} {}\r\n", status, reason);
  bool via = false, from = false, to = false, call_id = false, cseq = false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (const auto& h : hs) {
    if (iequal(h.name, "Via")) {
      out += fmt::format("Via: {}\r\n", h.value);
      via = true;
    } else if (iequal(h.name, "From") && !from) {
      out += fmt::format("From: {}\r\n", h.value);
      from = true;
    } else if (iequal(h.name, "To") && !to) {
      out += has_tag(h.value) ? fmt::format("To: {}\r\n", h.value)
                              : fmt::format("To: {};tag={:x}\r\n", h.value, rng());
      to = true;
    } else if (iequal(h.name, "Call-ID") && !call_id) {
      out += fmt::format("Call-ID: {}\r\n", h.value);
      call_id = true;
    } else if (iequal(h.name, "CSeq") && !cseq) {
      out += fmt::format("CSeq: {}\r\n", h.value);
      cseq = true;
    }
  }
  if (!via || !from || !to || !call_id || !cseq) return std::nullopt;  // not answerable
  if (!server.empty()) out += fmt::format("Server: {}\r\n", server);
  out += "Content-Length: 0\r\n\r\n";
  // Never more bytes out than came in: no amplification, whatever the request held.
  if (out.size() > request.size()) return std::nullopt;
  return out;
}

}  // namespace faxd::sip::detail
