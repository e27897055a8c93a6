#include "faxd/config/config.hpp"

#include <toml++/toml.h>

#include <fmt/format.h>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/ip/address.hpp>

namespace faxd::config {

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::expected<HostPort, std::string> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::unexpected("expected \"[address]:port\"");
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon)
      return std::unexpected("expected \"host:port\" (IPv6 as \"[address]:port\")");
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(hp.host, ec);
  if (ec) return std::unexpected(fmt::format("'{}' is not an IP address", hp.host));
  unsigned port = 0;
  const auto [p, err] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return std::unexpected(fmt::format("'{}' is not a port number (1-65535)", port_text));
  hp.port = static_cast<std::uint16_t>(port);
  return hp;
}

namespace {

int line_of(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

// Walks one [table], type-checks each known key and remembers which keys were used, so that
// unknown keys (typos) are reported too.
class Section {
 public:
  Section(const toml::table& root, std::string name, Problems& problems)
      : name_(std::move(name)), problems_(problems) {
    if (const auto* node = root.get(name_)) {
      table_ = node->as_table();
      if (!table_)
        problems_.push_back({line_of(*node), fmt::format("'{}' must be a table", name_)});
    }
  }
  ~Section() {
    if (!table_) return;
    for (const auto& [key, node] : *table_)
      if (!used_.contains(std::string(key.str())))
        problems_.push_back({line_of(node), fmt::format("unknown key '{}.{}'", name_, key.str())});
  }

  void get(std::string_view key, std::string& out) { read<std::string>(key, "a string", out); }
  void get(std::string_view key, bool& out) { read<bool>(key, "true or false", out); }
  // An array of strings, each checked by `check` (returns "" or what is wrong with it).
  template <class Check>
  void get_list(std::string_view key, std::vector<std::string>& out, Check&& check) {
    if (!table_) return;
    used_.insert(std::string(key));
    const toml::node* n = table_->get(key);
    if (!n) return;
    const auto* array = n->as_array();
    if (!array) {
      report(key, fmt::format("expected an array of strings, got {}", type_name(n->type())));
      return;
    }
    out.clear();
    for (const auto& item : *array) {
      const auto v = item.value_exact<std::string>();
      if (!v) {
        report(key, fmt::format("expected strings only, got {}", type_name(item.type())));
        continue;
      }
      if (auto err = check(*v); !err.empty())
        report(key, fmt::format("'{}': {}", *v, err));
      else
        out.push_back(*v);
    }
  }
  void get(std::string_view key, int& out, int min, int max) {
    std::int64_t v = out;
    if (read<std::int64_t>(key, "an integer", v)) {
      if (v < min || v > max)
        report(key, fmt::format("must be between {} and {}", min, max));
      else
        out = static_cast<int>(v);
    }
  }
  template <class F>
  void get_parsed(std::string_view key, F&& parse) {
    std::string text;
    if (read<std::string>(key, "a string", text))
      if (auto err = parse(text); !err.empty()) report(key, err);
  }
  void report(std::string_view key, const std::string& message) {
    const toml::node* n = table_ ? table_->get(key) : nullptr;
    problems_.push_back({n ? line_of(*n) : 0, fmt::format("{}.{}: {}", name_, key, message)});
  }

 private:
  template <class T>
  bool read(std::string_view key, std::string_view expected, T& out) {
    if (!table_) return false;
    used_.insert(std::string(key));
    const toml::node* n = table_->get(key);
    if (!n) return false;
    if (auto v = n->value_exact<T>()) {
      out = *v;
      return true;
    }
    problems_.push_back({line_of(*n), fmt::format("{}.{}: expected {}, got {}", name_, key,
                                                  expected, type_name(n->type()))});
    return false;
  }
  static std::string_view type_name(toml::node_type t) {
    switch (t) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "a date or time";
    }
  }

  std::string name_;
  Problems& problems_;
  const toml::table* table_ = nullptr;
  std::set<std::string> used_;
};

// "10.0.0.0/8", "::1", "fd00::/8": an address with an optional prefix length.
std::string check_cidr(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return fmt::format("'{}' is not an IP address or CIDR", text);
  if (slash == std::string_view::npos) return {};
  const auto bits_text = text.substr(slash + 1);
  int bits = -1;
  const auto [p, err] =
      std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (err != std::errc{} || p != bits_text.data() + bits_text.size() || bits < 0 ||
      bits > (addr.is_v4() ? 32 : 128))
    return fmt::format("'{}': bad prefix length", text);
  return {};
}

std::string check_address(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(text), ec);
  return ec ? fmt::format("'{}' is not an IP address", text) : std::string{};
}

}  // namespace

std::expected<Config, Problems> parse(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return std::unexpected(
        Problems{{static_cast<int>(e.source().begin.line), std::string(e.description())}});
  }
  Config c;
  Problems problems;
  static const std::set<std::string> kSections = {
      "daemon", "store", "cluster", "http",    "auth",  "conversion", "webhooks", "sip",
      "media",  "t38",   "smtp",    "mail_in", "retry", "admin",      "demo",     "log"};
  for (const auto& [key, node] : root)
    if (!kSections.contains(std::string(key.str())))
      problems.push_back({line_of(node), fmt::format("unknown section '{}'", key.str())});
  {
    Section s(root, "daemon", problems);
    s.get("data_dir", c.daemon.data_dir);
    s.get("shutdown_grace_s", c.daemon.shutdown_grace_s, 0, 3600);
    if (c.daemon.data_dir.empty()) s.report("data_dir", "must not be empty");
    s.get("key_file", c.daemon.key_file);
  }
  {
    Section s(root, "store", problems);
    s.get_parsed("url", [&](const std::string& v) {
      c.store.url = v;
      if (!v.empty() && !v.starts_with("sqlite:") && !v.starts_with("postgresql://") &&
          !v.starts_with("postgres://"))
        return std::string("must be \"sqlite:PATH\" or \"postgresql://...\"");
      return std::string{};
    });
  }
  {
    Section s(root, "cluster", problems);
    s.get("node", c.cluster.node);
    s.get("lease_s", c.cluster.lease_s, 6, 3600);
  }
  {
    Section s(root, "http", problems);
    s.get_parsed("listen", [&](const std::string& v) {
      auto hp = parse_host_port(v);
      if (!hp) return hp.error();
      c.http.listen = *hp;
      return std::string{};
    });
    int mb = static_cast<int>(c.http.max_upload_bytes >> 20);
    s.get("max_upload_mb", mb, 1, 1024);
    c.http.max_upload_bytes = static_cast<std::size_t>(mb) << 20;
    s.get("tls_cert", c.http.tls_cert);
    s.get("tls_key", c.http.tls_key);
    if (c.http.tls_cert.empty() != c.http.tls_key.empty())
      s.report(c.http.tls_cert.empty() ? "tls_cert" : "tls_key",
               "tls_cert and tls_key go together");
    s.get_list("trusted_proxies", c.http.trusted_proxies, check_cidr);
    s.get("max_connections", c.http.max_connections, 1, 100000);
    s.get("max_connections_per_address", c.http.max_connections_per_address, 1, 100000);
    s.get("first_byte_timeout_s", c.http.first_byte_timeout_s, 1, 300);
    s.get("max_event_streams_per_user", c.http.max_event_streams_per_user, 1, 1000);
  }
  {
    Section s(root, "auth", problems);
    s.get("session_hours", c.auth.session_hours, 1, 24 * 90);
    s.get("session_idle_minutes", c.auth.session_idle_minutes, 0, 60 * 24 * 90);
    s.get("api_token_max_days", c.auth.api_token_max_days, 0, 3650);
  }
  {
    Section s(root, "conversion", problems);
    s.get("workers", c.conversion.workers, 1, 64);
    s.get("queue", c.conversion.queue, 0, 10000);
    s.get("per_tenant", c.conversion.per_tenant, 1, 10000);
    s.get("page_timeout_s", c.conversion.page_timeout_s, 1, 3600);
    s.get("timeout_s", c.conversion.timeout_s, 1, 3600);
  }
  {
    Section s(root, "webhooks", problems);
    s.get_list("allow_internal", c.webhooks.allow_internal, check_cidr);
  }
  {
    Section s(root, "sip", problems);
    s.get_parsed("listen", [&](const std::string& v) {
      auto hp = parse_host_port(v);
      if (!hp) return hp.error();
      c.sip.listen = *hp;
      return std::string{};
    });
    s.get("public_address", c.sip.public_address);
    s.get_list("trusted_proxies", c.sip.trusted_proxies, check_address);
    s.get_parsed("strangers", [&](const std::string& v) {
      if (v == "reject")
        c.sip.strangers = Strangers::reject;
      else if (v == "drop")
        c.sip.strangers = Strangers::drop;
      else
        return std::string("must be reject or drop");
      return std::string{};
    });
    s.get_parsed("user_agent", [&](const std::string& v) {
      c.sip.user_agent = v;
      for (char ch : v)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
          return std::string("must not contain control characters");
      return std::string{};
    });
  }
  {
    Section s(root, "media", problems);
    s.get_parsed("address", [&](const std::string& v) {
      c.media.address = v;
      return check_address(v);
    });
    int lo = c.media.port_min, hi = c.media.port_max;
    s.get("port_min", lo, 1024, 65535);
    s.get("port_max", hi, 1024, 65535);
    if (lo > hi)
      s.report("port_max", "must not be below port_min");
    else if (hi - lo < 3)
      s.report("port_max", "the range must hold at least 4 ports");
    c.media.port_min = static_cast<std::uint16_t>(lo);
    c.media.port_max = static_cast<std::uint16_t>(hi);
    s.get("symmetric", c.media.symmetric);
    s.get("jitter_buffer_ms", c.media.jitter_buffer_ms, 0, 300);
    s.get("rtp_redundancy", c.media.rtp_redundancy, 0, 3);
  }
  {
    Section s(root, "t38", problems);
    s.get("enabled", c.t38.enabled);
    s.get("ecm", c.t38.ecm);
    s.get("max_datagram", c.t38.max_datagram, 100, 1400);
    s.get("redundancy", c.t38.redundancy, 0, 8);
    s.get("reinvite_after_s", c.t38.reinvite_after_s, 0, 60);
  }
  {
    Section s(root, "smtp", problems);
    s.get_parsed("url", [&](const std::string& v) {
      c.smtp.url = v;
      if (!v.empty() && !v.starts_with("smtp://") && !v.starts_with("smtps://"))
        return std::string("must start with smtp:// or smtps://");
      return std::string{};
    });
    s.get("username", c.smtp.username);
    s.get("password", c.smtp.password);
    s.get_parsed("starttls", [&](const std::string& v) {
      if (v == "auto")
        c.smtp.starttls = StartTls::auto_;
      else if (v == "always")
        c.smtp.starttls = StartTls::always;
      else if (v == "never")
        c.smtp.starttls = StartTls::never;
      else
        return std::string("must be auto, always or never");
      return std::string{};
    });
    s.get("from", c.smtp.from);
  }
  {
    Section s(root, "mail_in", problems);
    s.get_parsed("listen", [&](const std::string& v) {
      if (v.empty()) return std::string{};
      auto hp = parse_host_port(v);
      if (!hp) return hp.error();
      c.mail_in.listen = *hp;
      c.mail_in.enabled = true;
      return std::string{};
    });
    s.get_list("trusted_relays", c.mail_in.trusted_relays,
               [](const std::string& v) { return check_address_or_cidr(v); });
    s.get("max_connections", c.mail_in.max_connections, 1, 10000);
    s.get("max_message_mb", c.mail_in.max_message_mb, 1, 1024);
    s.get("max_recipients", c.mail_in.max_recipients, 1, 1000);
    s.get("timeout_s", c.mail_in.timeout_s, 5, 3600);
    s.get_list("authserv_ids", c.mail_in.authserv_ids, [](const std::string& v) {
      return v.empty() || v.find_first_of(" ;()\"") != std::string::npos
                 ? std::string("not an authserv-id (a host name such as mx.example.com)")
                 : std::string{};
    });
    s.get("hostname", c.mail_in.hostname);
  }
  {
    Section s(root, "admin", problems);
    s.get("username", c.admin.username);
    s.get("password", c.admin.password);
    if (c.admin.username.empty()) s.report("username", "must not be empty");
  }
  {
    Section s(root, "retry", problems);
    constexpr int kDay = 24 * 3600;
    s.get("busy_s", c.retry.busy_s, 1, kDay);
    s.get("no_answer_s", c.retry.no_answer_s, 1, kDay);
    s.get("carrier_unreachable_s", c.retry.carrier_unreachable_s, 1, kDay);
    s.get("not_a_fax_s", c.retry.not_a_fax_s, 1, kDay);
    s.get("negotiation_failed_s", c.retry.negotiation_failed_s, 1, kDay);
    s.get("transfer_failed_s", c.retry.transfer_failed_s, 1, kDay);
    s.get("max_dials", c.retry.max_dials, 1, 100);
    s.get("max_tries", c.retry.max_tries, 1, 100);
    s.get("kill_time_min", c.retry.kill_time_min, 1, 7 * 24 * 60);
  }
  {
    Section s(root, "demo", problems);
    s.get("enabled", c.demo.enabled);
  }
  {
    Section s(root, "log", problems);
    s.get_parsed("level", [&](const std::string& v) {
      static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                    "error", "critical", "off"};
      c.log.level = v;
      return kLevels.contains(v) ? std::string{}
                                 : std::string("must be trace, debug, info, warn, error or off");
    });
    s.get_parsed("format", [&](const std::string& v) {
      if (v == "text")
        c.log.format = LogFormat::text;
      else if (v == "json")
        c.log.format = LogFormat::json;
      else
        return std::string("must be text or json");
      return std::string{};
    });
  }
  if (!problems.empty()) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
    return std::unexpected(std::move(problems));
  }
  return c;
}

std::string check_address_or_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return "not an IP address or CIDR block";
  if (slash == std::string_view::npos) return {};
  const auto bits_text = text.substr(slash + 1);
  unsigned bits = 0;
  const auto [p, err] =
      std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  const unsigned max = ip.is_v4() ? 32 : 128;
  if (err != std::errc{} || p != bits_text.data() + bits_text.size() || bits > max)
    return fmt::format("the prefix length must be 0 to {}", max);
  return {};
}

std::expected<Config, Problems> load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(Problems{{0, "cannot read the file"}});
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

std::string format_problems(std::string_view file, const Problems& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (p.line > 0)
      out += fmt::format("{}:{}: {}\n", file, p.line, p.message);
    else
      out += fmt::format("{}: {}\n", file, p.message);
  }
  return out;
}

}  // namespace faxd::config
