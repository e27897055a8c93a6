#pragma once
// Where a webhook may go. Webhook URLs come from any user, so without a rule they would reach
// what only faxd can reach: 127.0.0.1, the cloud metadata service at 169.254.169.254, the LAN.
// Targets whose host is or resolves to an internal address (loopback, private, shared, link-local,
// unique-local, multicast, reserved; IPv4 inside IPv6 judged by the IPv4 part; numeric tricks such
// as 2130706433 are what the resolver makes of them) are refused, unless the operator lists them
// in [webhooks] allow_internal. A name resolving to several addresses is refused when any of them
// is refused.
//
// check() runs when a webhook is saved (a name that does not resolve yet is accepted: delivery
// checks again); resolve() runs before every delivery and returns the one address the
// connection must use, so a DNS answer that changes between the check and the connection (DNS
// rebinding) cannot move it: CurlWebhookTransport pins it (CURLOPT_RESOLVE) and verifies the
// socket's peer before connecting.
//
// Threads: any; the resolver is called without locks.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/address_rules.hpp"
#include "faxd/common/error.hpp"

namespace faxd::mail {

// Host name to addresses (getaddrinfo in production; tests inject their own).
using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;
Resolver system_resolver();

struct WebhookTarget {
  std::string host;  // as in the URL, without IPv6 brackets
  std::uint16_t port = 0;
  IpAddress address;  // the checked address the connection must use
};

class WebhookTargets {
 public:
  explicit WebhookTargets(AddressSet allow_internal = {}, Resolver resolver = system_resolver());

  // Save time: the URL's syntax (validate_webhook_url) and, when the host resolves, its
  // addresses. invalid_argument with field "url" when refused.
  Result<void> check(std::string_view url) const;
  // Delivery time: resolves once and returns the address to connect to. unsupported when the
  // target is refused, io when the host does not resolve.
  Result<WebhookTarget> resolve(std::string_view url) const;

 private:
  // "" when allowed, else why not.
  std::string refusal(const std::string& host, const IpAddress& address) const;

  AddressSet allow_internal_;
  Resolver resolver_;
};

}  // namespace faxd::mail
