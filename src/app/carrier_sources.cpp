#include "carrier_sources.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <set>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>

namespace faxd::app {

namespace {
// A host's addresses as text: itself when it is an IP literal, else its DNS answers.
std::vector<std::string> resolve(const std::string& host) {
  std::string h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(h, ec);
  if (!ec) return {literal.to_string()};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(h.c_str(), nullptr, &hints, &res) != 0) {
    spdlog::warn("sip.carrier_unresolved host={}", host);
    return {};
  }
  std::vector<std::string> out;
  char buf[NI_MAXHOST];
  for (auto* p = res; p; p = p->ai_next)
    if (getnameinfo(p->ai_addr, p->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0)
      out.emplace_back(buf);
  freeaddrinfo(res);
  return out;
}
}  // namespace

Result<std::vector<std::string>> carrier_source_addresses(store::CarrierRepo& carriers) {
  auto all = carriers.all_carriers();
  if (!all) return std::unexpected(all.error());
  std::set<std::string> hosts;
  for (const auto& c : *all) hosts.insert(c.host);
  std::set<std::string> addresses;
  for (const auto& h : hosts)
    for (auto& a : resolve(h)) addresses.insert(std::move(a));
  return std::vector<std::string>(addresses.begin(), addresses.end());
}

}  // namespace faxd::app
