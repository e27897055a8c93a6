#include "faxd/mail/webhook_transport.hpp"

#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <fmt/format.h>

namespace faxd::mail {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const noexcept { curl_slist_free_all(s); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};

// Discards the receiver's answer, but stops a receiver that streams without end.
extern "C" std::size_t discard_body(char*, std::size_t size, std::size_t n, void* user) noexcept {
  auto* total = static_cast<std::size_t*>(user);
  *total += size * n;
  return *total > 64 * 1024 ? 0 : size * n;
}

std::string url_part(CURLU* u, CURLUPart part) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, 0) != CURLUE_OK || out == nullptr) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

// Refuses to open a socket to anything but the pinned address: a last check that no
// resolution, redirect or proxy slipped past WebhookTargets.
struct Pin {
  IpAddress address;
  std::uint16_t port;
};

extern "C" curl_socket_t open_pinned(void* user, curlsocktype purpose,
                                     curl_sockaddr* addr) noexcept {
  const auto* pin = static_cast<const Pin*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  IpAddress peer;
  std::uint16_t port = 0;
  if (addr->family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&addr->addr);
    peer = boost::asio::ip::address_v4(ntohl(sin->sin_addr.s_addr));
    port = ntohs(sin->sin_port);
  } else if (addr->family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&addr->addr);
    boost::asio::ip::address_v6::bytes_type b;
    std::copy(std::begin(sin6->sin6_addr.s6_addr), std::end(sin6->sin6_addr.s6_addr), b.begin());
    peer = boost::asio::ip::address_v6(b);
    port = ntohs(sin6->sin6_port);
  } else {
    return CURL_SOCKET_BAD;
  }
  if (unwrap_v4(peer) != unwrap_v4(pin->address) || port != pin->port) return CURL_SOCKET_BAD;
  return ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

}  // namespace

Result<void> validate_webhook_url(std::string_view url) {
  auto bad = [](std::string message) {
    return fail(Errc::invalid_argument, "url: " + message, "url");
  };
  if (url.empty()) return bad("required");
  if (url.size() > 2048) return bad("longer than 2048 characters");
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7f) return bad("must not contain spaces or control characters");
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return fail(Errc::internal, "out of memory");
  const std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK)
    return bad("not a valid absolute URL");
  const auto scheme = url_part(u.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return bad("must be http:// or https://");
  if (!url.starts_with(scheme + "://")) return bad("must be http:// or https://");
  if (url_part(u.get(), CURLUPART_HOST).empty()) return bad("needs a host");
  if (!url_part(u.get(), CURLUPART_USER).empty())
    return bad("must not carry a user name or password");
  return {};
}

Result<int> CurlWebhookTransport::post(const WebhookRequest& req) {
  auto target = targets_.resolve(req.url);
  if (!target) return std::unexpected(target.error());
  Pin pin{target->address, target->port};
  // "host:port:address": curl uses this address for the host instead of resolving it again.
  const auto addr_text = target->address.is_v6()
                             ? fmt::format("[{}]", target->address.to_v6().to_string())
                             : target->address.to_string();
  std::unique_ptr<curl_slist, SlistDeleter> resolve(curl_slist_append(
      nullptr, fmt::format("{}:{}:{}",
                           target->host.find(':') != std::string::npos ? "[" + target->host + "]"
                                                                       : target->host,
                           target->port, addr_text)
                   .c_str()));
  if (!resolve) return fail(Errc::internal, "out of memory");
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail(Errc::internal, "curl_easy_init failed");
  CURL* c = curl.get();
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : req.headers) {
    auto* next = curl_slist_append(raw, fmt::format("{}: {}", name, value).c_str());
    if (!next) {
      curl_slist_free_all(raw);
      return fail(Errc::internal, "out of memory");
    }
    raw = next;
  }
  // "Expect: 100-continue" would add a round trip for bodies over 1 KB.
  raw = curl_slist_append(raw, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  std::size_t received = 0;
  char errbuf[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never an http_proxy from the environment
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &open_pinned);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &pin);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(timeouts_.connect.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeouts_.total.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "faxd-webhooks/1");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status > 0)) {
    const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    return fail(rc == CURLE_OPERATION_TIMEDOUT ? Errc::timeout : Errc::io, detail);
  }
  return static_cast<int>(status);
}

}  // namespace faxd::mail
