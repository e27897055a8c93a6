#pragma once
// Small helpers of the nua glue (internal to faxd_sip): addresses and message fields.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct nua_s;
struct sip_s;

namespace faxd::sip::detail {

struct SourceAddress {
  std::string address;  // canonical: v4 dotted, v6 compressed; v4-mapped v6 as v4
  std::uint16_t port = 0;
};

// The canonical text form of an IP literal; nullopt when it is not one.
std::optional<std::string> canonical_ip(std::string_view text);
// The source of the request the current nua event carries.
std::optional<SourceAddress> current_source(nua_s* nua);

// "IP:PORT" or "[v6]:PORT" (as Kamailio's $si:$sp print), canonical; nullopt when malformed.
std::optional<SourceAddress> parse_source(std::string_view text);
// The value of a header sofia does not know (e.g. "X-Faxd-Source"), by case-insensitive name.
std::optional<std::string> unknown_header(const sip_s* sip, std::string_view name);

std::string payload_of(const sip_s* sip);
// What a message says about session timers and UPDATE (RFC 4028, RFC 3311).
struct TimerInfo {
  bool session_expires = false;  // a Session-Expires header
  bool supports_timer = false;   // "timer" in Supported or Require
  bool allows_update = false;    // UPDATE in Allow
};
TimerInfo timer_info(const sip_s* sip);
// True when the request came over a stream transport (its top Via says TCP or TLS).
bool via_is_tcp(const sip_s* sip);

// "host" or "[v6]" for URIs.
std::string uri_host(std::string_view host);

// This process's UDP sockets bound to `port` (sofia's, found through /proc/self/fd).
std::vector<int> udp_sockets_on_port(std::uint16_t port);

}  // namespace faxd::sip::detail
