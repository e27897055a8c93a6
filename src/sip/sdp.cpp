#include "faxd/sip/sdp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace faxd::sip {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class T>
std::optional<T> to_number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

SdpAttribute parse_attribute(std::string_view text) {
  SdpAttribute a;
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    a.name = std::string(trim(text));
  } else {
    a.name = std::string(trim(text.substr(0, colon)));
    a.value = std::string(trim(text.substr(colon + 1)));
    a.has_value = true;
  }
  return a;
}

// "IN IP4 1.2.3.4" -> "1.2.3.4" (an empty string when malformed).
std::string connection_address(std::string_view value) {
  auto w = split_words(value);
  if (w.size() < 3) return {};
  std::string_view addr = w[2];
  if (auto slash = addr.find('/'); slash != std::string_view::npos) addr = addr.substr(0, slash);
  return std::string(addr);
}

const char* addr_type(const std::string& address) {
  return address.find(':') != std::string::npos ? "IP6" : "IP4";
}

bool bool_value(const SdpAttribute& a) {
  if (!a.has_value) return true;  // present without a value means true
  return a.value != "0" && !iequals(a.value, "false");
}

int int_value(const SdpAttribute& a, int fallback) {
  if (auto v = to_number<int>(a.value); v && *v >= 0) return *v;
  return fallback;
}

void print_attribute(std::string& out, const SdpAttribute& a) {
  out += "a=";
  out += a.name;
  if (a.has_value) {
    out += ':';
    out += a.value;
  }
  out += "\r\n";
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool SdpMedia::is_audio() const {
  return iequals(media, "audio");
}

bool SdpMedia::is_t38() const {
  return iequals(media, "image") && iequals(proto, "udptl") &&
         std::any_of(formats.begin(), formats.end(),
                     [](const std::string& f) { return iequals(f, "t38"); });
}

const SdpAttribute* SdpMedia::find(std::string_view name) const {
  for (const auto& a : attributes) {
    if (iequals(a.name, name)) return &a;
  }
  return nullptr;
}

const std::string& Sdp::address_of(std::size_t index) const {
  if (index < media.size() && !media[index].connection.empty()) return media[index].connection;
  return connection;
}

Result<Sdp> parse_sdp(std::string_view text) {
  Sdp sdp;
  bool seen_version = false;
  SdpMedia* current = nullptr;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') {
      return fail(Errc::invalid_argument, fmt::format("sdp line {}: not type=value", line_no));
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    switch (type) {
      case 'v':
        seen_version = true;
        break;
      case 'o': {
        auto w = split_words(value);
        if (w.size() >= 6) {
          sdp.origin_user = std::string(w[0]);
          sdp.session_id = std::string(w[1]);
          sdp.session_version = to_number<std::uint64_t>(w[2]).value_or(0);
          sdp.origin_address = std::string(w[5]);
        }
        break;
      }
      case 's':
        sdp.session_name = std::string(value);
        break;
      case 'c':
        (current ? current->connection : sdp.connection) = connection_address(value);
        break;
      case 'm': {
        auto w = split_words(value);
        if (w.size() < 3) {
          return fail(Errc::invalid_argument, fmt::format("sdp line {}: short m= line", line_no));
        }
        SdpMedia m;
        m.media = std::string(w[0]);
        std::string_view port = w[1];
        if (auto slash = port.find('/'); slash != std::string_view::npos) {
          port = port.substr(0, slash);
        }
        auto p = to_number<std::uint16_t>(port);
        if (!p) {
          return fail(Errc::invalid_argument, fmt::format("sdp line {}: bad port", line_no));
        }
        m.port = *p;
        m.proto = std::string(w[2]);
        for (std::size_t i = 3; i < w.size(); ++i) m.formats.emplace_back(w[i]);
        sdp.media.push_back(std::move(m));
        current = &sdp.media.back();
        break;
      }
      case 'a':
        (current ? current->attributes : sdp.attributes).push_back(parse_attribute(value));
        break;
      default:
        if (current && type != 't') current->other_lines.emplace_back(line);
        break;
    }
  }
  if (!seen_version) return fail(Errc::invalid_argument, "sdp: no v= line");
  return sdp;
}

std::string print_sdp(const Sdp& sdp) {
  std::string out = "v=0\r\n";
  out += fmt::format("o={} {} {} IN {} {}\r\n", sdp.origin_user, sdp.session_id,
                     sdp.session_version, addr_type(sdp.origin_address), sdp.origin_address);
  out += fmt::format("s={}\r\n", sdp.session_name.empty() ? "-" : sdp.session_name);
  if (!sdp.connection.empty()) {
    out += fmt::format("c=IN {} {}\r\n", addr_type(sdp.connection), sdp.connection);
  }
  out += "t=0 0\r\n";
  for (const auto& a : sdp.attributes) print_attribute(out, a);
  for (const auto& m : sdp.media) {
    out += fmt::format("m={} {} {}", m.media, m.port, m.proto);
    for (const auto& f : m.formats) out += " " + f;
    out += "\r\n";
    if (!m.connection.empty()) {
      out += fmt::format("c=IN {} {}\r\n", addr_type(m.connection), m.connection);
    }
    for (const auto& l : m.other_lines) out += l + "\r\n";
    for (const auto& a : m.attributes) print_attribute(out, a);
  }
  return out;
}

media::T38Params parse_t38_params(const SdpMedia& m) {
  media::T38Params p;
  for (const auto& a : m.attributes) {
    const std::string& n = a.name;
    if (iequals(n, "T38FaxVersion")) {
      p.version = int_value(a, 0);
    } else if (iequals(n, "T38MaxBitRate") || iequals(n, "T38FaxMaxBitRate") ||
               iequals(n, "T38FaxMaxRate")) {
      p.max_bit_rate = int_value(a, 14400);
    } else if (iequals(n, "T38FaxRateManagement")) {
      p.transferred_tcf = !iequals(a.value, "localTCF");
    } else if (iequals(n, "T38FaxMaxBuffer") || iequals(n, "T38MaxBuffer")) {
      p.max_buffer = int_value(a, 0);
    } else if (iequals(n, "T38FaxMaxDatagram") || iequals(n, "T38MaxDatagram")) {
      p.max_datagram = int_value(a, 0);
    } else if (iequals(n, "T38FaxUdpEC") || iequals(n, "T38FaxUdpErrorCorrection")) {
      if (iequals(a.value, "t38UDPFEC")) {
        p.error_correction = media::UdptlErrorCorrection::fec;
      } else if (iequals(a.value, "t38UDPNoEC")) {
        p.error_correction = media::UdptlErrorCorrection::none;
      } else {
        p.error_correction = media::UdptlErrorCorrection::redundancy;
      }
    } else if (iequals(n, "T38FaxFillBitRemoval")) {
      p.fill_bit_removal = bool_value(a);
    } else if (iequals(n, "T38FaxTranscodingMMR")) {
      p.transcoding_mmr = bool_value(a);
    } else if (iequals(n, "T38FaxTranscodingJBIG")) {
      p.transcoding_jbig = bool_value(a);
    }
  }
  if (p.max_bit_rate <= 0) p.max_bit_rate = 14400;
  return p;
}

void add_t38_attributes(SdpMedia& m, const media::T38Params& p) {
  auto add = [&](std::string name, std::string value) {
    m.attributes.push_back(SdpAttribute{std::move(name), std::move(value), true});
  };
  add("T38FaxVersion", std::to_string(p.version));
  add("T38MaxBitRate", std::to_string(p.max_bit_rate));
  if (p.fill_bit_removal) add("T38FaxFillBitRemoval", "1");
  if (p.transcoding_mmr) add("T38FaxTranscodingMMR", "1");
  if (p.transcoding_jbig) add("T38FaxTranscodingJBIG", "1");
  add("T38FaxRateManagement", p.transferred_tcf ? "transferredTCF" : "localTCF");
  if (p.max_buffer > 0) add("T38FaxMaxBuffer", std::to_string(p.max_buffer));
  if (p.max_datagram > 0) add("T38FaxMaxDatagram", std::to_string(p.max_datagram));
  switch (p.error_correction) {
    case media::UdptlErrorCorrection::redundancy:
      add("T38FaxUdpEC", "t38UDPRedundancy");
      break;
    case media::UdptlErrorCorrection::fec:
      add("T38FaxUdpEC", "t38UDPFEC");
      break;
    case media::UdptlErrorCorrection::none:
      break;
  }
}

}  // namespace faxd::sip
