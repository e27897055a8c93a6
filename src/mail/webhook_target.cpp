#include "faxd/mail/webhook_target.hpp"

#include <cstdlib>
#include <memory>

#include <curl/curl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include "faxd/mail/webhook_transport.hpp"

namespace faxd::mail {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct AddrinfoDeleter {
  void operator()(addrinfo* a) const noexcept { freeaddrinfo(a); }
};

std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK || out == nullptr) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

Result<HostPort> host_and_port(std::string_view url) {
  if (auto ok = validate_webhook_url(url); !ok) return std::unexpected(ok.error());
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return fail(Errc::internal, "out of memory");
  const std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK)
    return fail(Errc::invalid_argument, "url: not a valid absolute URL", "url");
  HostPort hp;
  hp.host = url_part(u.get(), CURLUPART_HOST);
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  // A zone id ("fe80::1%25eth0") is for link-local addresses only: refused below anyway.
  if (auto pct = hp.host.find('%'); pct != std::string::npos) hp.host.resize(pct);
  const auto port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  hp.port = static_cast<std::uint16_t>(std::atoi(port.c_str()));
  if (hp.host.empty() || hp.port == 0)
    return fail(Errc::invalid_argument, "url: needs a host and port", "url");
  return hp;
}

}  // namespace

Resolver system_resolver() {
  return [](const std::string& host) -> Result<std::vector<IpAddress>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
    std::unique_ptr<addrinfo, AddrinfoDeleter> list(raw);
    if (rc != 0)
      return fail(Errc::io, fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    std::vector<IpAddress> out;
    for (auto* a = list.get(); a; a = a->ai_next) {
      if (a->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
        out.emplace_back(boost::asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)));
      } else if (a->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
        boost::asio::ip::address_v6::bytes_type b;
        std::copy(std::begin(sin6->sin6_addr.s6_addr), std::end(sin6->sin6_addr.s6_addr),
                  b.begin());
        out.emplace_back(boost::asio::ip::address_v6(b, sin6->sin6_scope_id));
      }
    }
    if (out.empty()) return fail(Errc::io, fmt::format("cannot resolve {}: no address", host));
    return out;
  };
}

WebhookTargets::WebhookTargets(AddressSet allow_internal, Resolver resolver)
    : allow_internal_(std::move(allow_internal)), resolver_(std::move(resolver)) {}

std::string WebhookTargets::refusal(const std::string& host, const IpAddress& address) const {
  const auto kind = internal_kind(address);
  if (!kind || allow_internal_.contains(address)) return {};
  const auto shown = unwrap_v4(address).to_string();
  if (shown == host)
    return fmt::format("{} is a {} address; webhooks may not reach internal addresses", host,
                       *kind);
  return fmt::format("{} resolves to {}, a {} address; webhooks may not reach internal addresses",
                     host, shown, *kind);
}

Result<void> WebhookTargets::check(std::string_view url) const {
  auto hp = host_and_port(url);
  if (!hp) return std::unexpected(hp.error());
  auto addresses = resolver_(hp->host);
  if (!addresses) return {};  // not resolvable now: checked again at every delivery
  for (const auto& a : *addresses)
    if (auto why = refusal(hp->host, a); !why.empty())
      return fail(Errc::invalid_argument,
                  "url: " + why + " (an operator can allow one in [webhooks] allow_internal)",
                  "url");
  return {};
}

Result<WebhookTarget> WebhookTargets::resolve(std::string_view url) const {
  auto hp = host_and_port(url);
  if (!hp) return std::unexpected(hp.error());
  auto addresses = resolver_(hp->host);
  if (!addresses) return std::unexpected(addresses.error());
  for (const auto& a : *addresses)
    if (auto why = refusal(hp->host, a); !why.empty()) return fail(Errc::unsupported, why);
  return WebhookTarget{hp->host, hp->port, addresses->front()};
}

}  // namespace faxd::mail
