#include "sip_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include <strings.h>
#include <sys/socket.h>

#include <cstring>
#include <filesystem>

namespace faxd::sip::detail {
namespace {

std::optional<std::string> print_v6(const in6_addr& a) {
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    in_addr v4;
    std::memcpy(&v4, &a.s6_addr[12], 4);
    char buf[INET_ADDRSTRLEN];
    if (!inet_ntop(AF_INET, &v4, buf, sizeof buf)) return std::nullopt;
    return std::string(buf);
  }
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &a, buf, sizeof buf)) return std::nullopt;
  return std::string(buf);
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    char buf[INET_ADDRSTRLEN];
    if (!inet_ntop(AF_INET, &v4, buf, sizeof buf)) return std::nullopt;
    return std::string(buf);
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return print_v6(v6);
  return std::nullopt;
}

std::optional<SourceAddress> current_source(nua_s* nua) {
  msg_t* msg = nua_current_request(nua);
  if (!msg) return std::nullopt;
  su_addrinfo_t* ai = msg_addrinfo(msg);
  if (!ai || !ai->ai_addr) return std::nullopt;
  SourceAddress out;
  if (ai->ai_addr->sa_family == AF_INET) {
    sockaddr_in sin;
    std::memcpy(&sin, ai->ai_addr, sizeof sin);
    char buf[INET_ADDRSTRLEN];
    if (!inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf)) return std::nullopt;
    out.address = buf;
    out.port = ntohs(sin.sin_port);
    return out;
  }
  if (ai->ai_addr->sa_family == AF_INET6) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, ai->ai_addr, sizeof sin6);
    auto text = print_v6(sin6.sin6_addr);
    if (!text) return std::nullopt;
    out.address = *text;
    out.port = ntohs(sin6.sin6_port);
    return out;
  }
  return std::nullopt;
}

std::optional<SourceAddress> parse_source(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos && !(host.starts_with('[') && host.ends_with(']')))
    return std::nullopt;  // a bare IPv6 address needs its brackets before ":port"
  auto address = canonical_ip(host);
  if (!address) return std::nullopt;
  unsigned port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return SourceAddress{*address, static_cast<std::uint16_t>(port)};
}

std::optional<std::string> unknown_header(const sip_s* sip, std::string_view name) {
  if (!sip) return std::nullopt;
  for (const sip_unknown_t* h = sip->sip_unknown; h; h = h->un_next) {
    if (h->un_name && h->un_value && std::strlen(h->un_name) == name.size() &&
        strncasecmp(h->un_name, name.data(), name.size()) == 0)
      return std::string(h->un_value);
  }
  return std::nullopt;
}

std::string payload_of(const sip_s* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data) return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

namespace {

bool list_has(const msg_list_t* list, std::string_view token) {
  for (; list; list = list->k_next) {
    for (msg_param_t const* item = list->k_items; item && *item; ++item) {
      if (strcasecmp(*item, std::string(token).c_str()) == 0) return true;
    }
  }
  return false;
}

}  // namespace

TimerInfo timer_info(const sip_s* sip) {
  TimerInfo t;
  if (!sip) return t;
  t.session_expires = sip->sip_session_expires != nullptr;
  t.supports_timer = list_has(reinterpret_cast<const msg_list_t*>(sip->sip_supported), "timer") ||
                     list_has(reinterpret_cast<const msg_list_t*>(sip->sip_require), "timer");
  t.allows_update = list_has(reinterpret_cast<const msg_list_t*>(sip->sip_allow), "UPDATE");
  return t;
}

bool via_is_tcp(const sip_s* sip) {
  if (!sip || !sip->sip_via || !sip->sip_via->v_protocol) return false;
  const std::string_view proto(sip->sip_via->v_protocol);
  return proto.ends_with("TCP") || proto.ends_with("tcp") || proto.ends_with("TLS") ||
         proto.ends_with("tls");
}

std::string uri_host(std::string_view host) {
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    return "[" + std::string(host) + "]";
  }
  return std::string(host);
}

std::vector<int> udp_sockets_on_port(std::uint16_t port) {
  std::vector<int> fds;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (...) {
      continue;
    }
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    std::uint16_t bound = 0;
    if (addr.ss_family == AF_INET)
      bound = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    else if (addr.ss_family == AF_INET6)
      bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    else
      continue;
    if (bound == port) fds.push_back(fd);
  }
  return fds;
}

}  // namespace faxd::sip::detail
