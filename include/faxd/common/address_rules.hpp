#pragma once
// IP address classification and CIDR sets, for decisions about who may reach whom: webhook
// targets (no internal addresses unless allowed), trusted reverse proxies. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace faxd {

using IpAddress = boost::asio::ip::address;

// An address with a prefix length: "10.0.0.0/8", "fd00::/8"; a bare address is /32 or /128.
struct Cidr {
  IpAddress network;
  int bits = 0;
  bool contains(const IpAddress& address) const noexcept;
};
std::optional<Cidr> parse_cidr(std::string_view text);

class AddressSet {
 public:
  AddressSet() = default;
  // Entries that do not parse are skipped (the config parser has refused them already).
  explicit AddressSet(const std::vector<std::string>& entries);
  bool contains(const IpAddress& address) const noexcept;
  bool empty() const noexcept { return cidrs_.empty(); }

 private:
  std::vector<Cidr> cidrs_;
};

// What makes an address internal, or nullopt for a public unicast address: "loopback",
// "private", "link-local", "unique-local", "multicast", "unspecified", "reserved",
// "shared" (100.64/10), "broadcast". IPv4-mapped, IPv4-compatible and NAT64 (64:ff9b::/96)
// IPv6 addresses are judged by the IPv4 address inside.
std::optional<std::string_view> internal_kind(const IpAddress& address) noexcept;

// The address without IPv4-in-IPv6 wrapping ("::ffff:127.0.0.1" is 127.0.0.1).
IpAddress unwrap_v4(const IpAddress& address) noexcept;

}  // namespace faxd
