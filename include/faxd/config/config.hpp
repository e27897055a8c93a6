#pragma once
// faxd's configuration: plain structs, one per subsystem, parsed once from TOML, validated and
// then immutable. A reload (SIGHUP) parses a new snapshot. Keys and defaults are those of
// ../shared/design/api.md; config/faxd.toml documents each.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/log.hpp"

namespace faxd::config {

struct HostPort {
  std::string host;  // literal address; IPv6 without brackets
  std::uint16_t port = 0;
  std::string to_string() const;  // "[::1]:8080" or "127.0.0.1:8080"
};

struct DaemonConfig {
  std::string data_dir = "var";  // relative paths are taken from the working directory
  int shutdown_grace_s = 60;
  // 32-byte key that encrypts carrier passwords and webhook secrets in the store; created
  // (0600) on first start when missing. Empty = data_dir/secret.key.
  std::string key_file;
};

// Where the store lives: "" = SQLite faxd.db under data_dir; "sqlite:PATH"; "postgresql://..."
// for a cluster of faxd nodes sharing one database (documents included).
struct StoreConfig {
  std::string url;
};

struct ClusterConfig {
  std::string node;  // this node's name (claims, logs); empty = the host name
  // How long a node's claim on a fax it sends or receives lasts unless renewed (it is renewed
  // well before): after a node dies, the others take its faxes over once this has run out.
  int lease_s = 60;
};

struct HttpConfig {
  HostPort listen{"127.0.0.1", 8080};
  std::size_t max_upload_bytes = 25u << 20;  // per fax submission, all files together
  std::string tls_cert;                      // PEM paths; both set = HTTPS
  std::string tls_key;
  // Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client; from any other
  // peer the header is ignored.
  std::vector<std::string> trusted_proxies;
  int max_connections = 2000;            // open connections in all
  int max_connections_per_address = 64;  // open connections from one client address
  int first_byte_timeout_s = 5;          // a new connection must send its first byte by then
  int max_event_streams_per_user = 4;    // GET /api/v1/events streams one user may hold open
};

// Credentials: how long sessions live and when API tokens expire.
struct AuthConfig {
  int session_hours = 12;        // a login session's lifetime
  int session_idle_minutes = 0;  // a session unused this long ends; 0 = no idle timeout
  int api_token_max_days = 0;    // API tokens expire after at most this; 0 = they may live on
};

// Document conversion of uploads (PDF/TIFF to fax TIFF): its own workers, so hostile files
// cannot hold the threads that answer HTTP and SIP.
struct ConversionConfig {
  int workers = 2;          // conversions running at once
  int queue = 8;            // waiting beyond those; more are refused with 429
  int per_tenant = 2;       // running or waiting conversions of one company (brand, platform)
  int page_timeout_s = 20;  // one page's rendering budget
  int timeout_s = 120;      // the whole conversion's budget
};

// Outgoing webhooks: which targets may be reached.
struct WebhooksConfig {
  // Addresses or CIDRs that webhooks may target although internal (loopback, private,
  // link-local, ULA); everything internal is refused otherwise.
  std::vector<std::string> allow_internal;
};

// What the SIP stack answers an INVITE from an address that is not a carrier's.
enum class Strangers { reject, drop };

struct SipConfig {
  HostPort listen{"127.0.0.1", 5060};
  std::string public_address;  // empty = the listen address
  // Proxies (Kamailio) in front of faxd: a request from one of these addresses names the
  // carrier's address in `X-Faxd-Source: IP:PORT`; from any other source that header is ignored.
  std::vector<std::string> trusted_proxies;
  Strangers strangers = Strangers::reject;  // reject: one stateless 403; drop: no answer
  std::string user_agent = "faxd";          // Server and User-Agent headers (no version)
};

struct MediaConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port_min = 20000;
  std::uint16_t port_max = 29999;
  // Send RTP/UDPTL to where the peer's packets come from (behind NAT) instead of the SDP's
  // address; the first packet after each start latches the peer's address and port.
  bool symmetric = false;
  int jitter_buffer_ms = 80;  // G.711 playout delay (fixed, V.152); 0 = play on arrival
  // RFC 2198 redundancy on G.711 fax (V.152): offer and accept "red" and send this many earlier
  // packets in each RTP packet when the peer agrees (0 = off, up to 3).
  int rtp_redundancy = 0;
};

struct T38Config {
  bool enabled = true;
  bool ecm = true;
  int max_datagram = 400;
  int redundancy = 3;
  int reinvite_after_s = 2;
};

enum class StartTls { auto_, always, never };

struct SmtpConfig {
  std::string url;  // empty = mail disabled
  std::string username;
  std::string password;
  StartTls starttls = StartTls::auto_;
  std::string from = "faxd@localhost";
};

// Email-to-fax: an SMTP listener an MTA (Postfix, Exim) relays fax mails to.
struct MailInConfig {
  bool enabled = false;  // listen set
  HostPort listen;
  std::vector<std::string> trusted_relays;  // addresses or CIDRs; empty = loopback only
  int max_connections = 20;
  int max_message_mb = 25;
  int max_recipients = 10;
  int timeout_s = 120;                    // per command, and per chunk of message data
  std::vector<std::string> authserv_ids;  // Authentication-Results to trust; empty = the topmost
  std::string hostname;                   // in the greeting; "" = the host name
};

// When the outbound queue tries a failed fax again, by cause (docs/admin-guide.md, failure codes),
// and when it gives up.
struct RetryConfig {
  int busy_s = 180;
  int no_answer_s = 300;
  int carrier_unreachable_s = 120;
  int not_a_fax_s = 300;
  int negotiation_failed_s = 60;
  int transfer_failed_s = 60;
  int max_dials = 12;       // calls placed, whatever their outcome
  int max_tries = 3;        // calls that reached a fax machine
  int kill_time_min = 180;  // from submission
};

struct AdminConfig {
  std::string username = "admin";
  std::string password;
};

struct DemoConfig {
  bool enabled = false;
};

struct LogConfig {
  std::string level = "info";
  LogFormat format = LogFormat::text;
};

struct Config {
  DaemonConfig daemon;
  StoreConfig store;
  ClusterConfig cluster;
  HttpConfig http;
  AuthConfig auth;
  ConversionConfig conversion;
  WebhooksConfig webhooks;
  SipConfig sip;
  MediaConfig media;
  T38Config t38;
  SmtpConfig smtp;
  MailInConfig mail_in;
  RetryConfig retry;
  AdminConfig admin;
  DemoConfig demo;
  LogConfig log;
};

struct Problem {
  int line = 0;  // 1-based; 0 when the problem is not tied to a line
  std::string message;
};
using Problems = std::vector<Problem>;

// Pure: parses TOML text. Every problem found is returned, not just the first.
std::expected<Config, Problems> parse(std::string_view toml_text);
// Reads and parses a file.
std::expected<Config, Problems> load(const std::string& path);
// "FILE:LINE: message" lines, one per problem, as --check-config prints them.
std::string format_problems(std::string_view file, const Problems& problems);

// "" when `text` is an IP address or a CIDR block ("10.0.0.0/8", "2001:db8::/32"), else what is
// wrong with it.
std::string check_address_or_cidr(std::string_view text);

// "host:port", "[v6]:port"; nullopt-like error text on failure.
std::expected<HostPort, std::string> parse_host_port(std::string_view text);

}  // namespace faxd::config
