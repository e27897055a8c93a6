#include "faxd/common/address_rules.hpp"

#include <charconv>

namespace faxd {

namespace ip = boost::asio::ip;

namespace {

bool prefix_equal(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b,
                  int bits) noexcept {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((a[std::size_t(i)] & mask) != (b[std::size_t(i)] & mask)) return false;
  }
  return true;
}

std::array<unsigned char, 16> bytes16(const IpAddress& a) {
  if (a.is_v6()) return a.to_v6().to_bytes();
  std::array<unsigned char, 16> out{};
  const auto v4 = a.to_v4().to_bytes();
  std::copy(v4.begin(), v4.end(), out.begin());
  return out;
}

struct Range4 {
  std::uint32_t net;
  int bits;
  std::string_view kind;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

constexpr Range4 kV4[] = {
    {v4(0, 0, 0, 0), 8, "unspecified"},     {v4(10, 0, 0, 0), 8, "private"},
    {v4(100, 64, 0, 0), 10, "shared"},      {v4(127, 0, 0, 0), 8, "loopback"},
    {v4(169, 254, 0, 0), 16, "link-local"}, {v4(172, 16, 0, 0), 12, "private"},
    {v4(192, 0, 0, 0), 24, "reserved"},     {v4(192, 0, 2, 0), 24, "reserved"},
    {v4(192, 88, 99, 0), 24, "reserved"},   {v4(192, 168, 0, 0), 16, "private"},
    {v4(198, 18, 0, 0), 15, "reserved"},    {v4(198, 51, 100, 0), 24, "reserved"},
    {v4(203, 0, 113, 0), 24, "reserved"},   {v4(224, 0, 0, 0), 4, "multicast"},
    {v4(240, 0, 0, 0), 4, "reserved"},
};

std::optional<std::string_view> internal_v4(const ip::address_v4& a) noexcept {
  const std::uint32_t x = a.to_uint();
  if (x == 0xffffffffu) return "broadcast";
  for (const auto& r : kV4) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((x & mask) == r.net) return r.kind;
  }
  return std::nullopt;
}

}  // namespace

bool Cidr::contains(const IpAddress& address) const noexcept {
  const auto a = unwrap_v4(address);
  if (a.is_v4() != network.is_v4()) return false;
  return prefix_equal(bytes16(a), bytes16(network), bits);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  auto addr = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return std::nullopt;
  addr = unwrap_v4(addr);
  int bits = addr.is_v4() ? 32 : 128;
  if (slash != std::string_view::npos) {
    const auto b = text.substr(slash + 1);
    int n = -1;
    const auto [p, err] = std::from_chars(b.data(), b.data() + b.size(), n);
    if (err != std::errc{} || p != b.data() + b.size() || n < 0 || n > bits) return std::nullopt;
    bits = n;
  }
  return Cidr{addr, bits};
}

AddressSet::AddressSet(const std::vector<std::string>& entries) {
  for (const auto& e : entries)
    if (auto c = parse_cidr(e)) cidrs_.push_back(*c);
}

bool AddressSet::contains(const IpAddress& address) const noexcept {
  for (const auto& c : cidrs_)
    if (c.contains(address)) return true;
  return false;
}

IpAddress unwrap_v4(const IpAddress& address) noexcept {
  if (!address.is_v6()) return address;
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  const auto b = v6.to_bytes();
  auto tail = [&] {
    return ip::address_v4(ip::address_v4::bytes_type{b[12], b[13], b[14], b[15]});
  };
  // 64:ff9b::/96 (NAT64) reaches the IPv4 address inside.
  static constexpr std::array<unsigned char, 12> kNat64 = {0, 0x64, 0xff, 0x9b, 0, 0,
                                                           0, 0,    0,    0,    0, 0};
  if (std::equal(kNat64.begin(), kNat64.end(), b.begin())) return tail();
  // ::a.b.c.d (deprecated IPv4-compatible), but not :: and ::1.
  bool zero = true;
  for (int i = 0; i < 12; ++i) zero = zero && b[std::size_t(i)] == 0;
  if (zero && !v6.is_unspecified() && !v6.is_loopback()) return tail();
  return address;
}

std::optional<std::string_view> internal_kind(const IpAddress& address) noexcept {
  const auto a = unwrap_v4(address);
  if (a.is_v4()) return internal_v4(a.to_v4());
  const auto v6 = a.to_v6();
  if (v6.is_unspecified()) return "unspecified";
  if (v6.is_loopback()) return "loopback";
  if (v6.is_multicast()) return "multicast";
  const auto b = v6.to_bytes();
  if ((b[0] & 0xfe) == 0xfc) return "unique-local";                  // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";    // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "unique-local";  // fec0::/10 (site-local)
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "reserved";  // doc
  if (b[0] == 0x20 && b[1] == 0x02) {  // 2002::/16 6to4: the IPv4 address in bits 16-48
    const ip::address_v4 inner(ip::address_v4::bytes_type{b[2], b[3], b[4], b[5]});
    if (auto k = internal_v4(inner)) return k;
  }
  if (b[0] == 0x01 && b[1] == 0x00 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 &&
      b[6] == 0 && b[7] == 0)
    return "reserved";  // 100::/64 discard
  return std::nullopt;
}

}  // namespace faxd
