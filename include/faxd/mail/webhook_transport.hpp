#pragma once
// Posts one webhook request. CurlWebhookTransport is the real one (libcurl, no redirects,
// bounded time, response body discarded beyond a few KB); tests may use fakes.
// Threads: post() may run on several workers at once.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/mail/webhook_target.hpp"

namespace faxd::mail {

struct WebhookRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  // The HTTP status the receiver answered, or an error when no answer came (connection refused,
  // TLS failure, timeout).
  virtual Result<int> post(const WebhookRequest& request) = 0;
};

struct WebhookTimeouts {
  std::chrono::seconds connect{5};
  std::chrono::seconds total{15};
};

// Every post resolves its target once through `targets` (internal addresses refused, see
// webhook_target.hpp) and connects only to the address checked: curl gets it pinned with
// CURLOPT_RESOLVE, proxies from the environment are off, and the socket callback refuses any
// other peer. A refused target is Errc::unsupported (the worker gives the delivery up).
class CurlWebhookTransport final : public WebhookTransport {
 public:
  explicit CurlWebhookTransport(WebhookTargets targets, WebhookTimeouts timeouts = {})
      : targets_(std::move(targets)), timeouts_(timeouts) {}
  Result<int> post(const WebhookRequest& request) override;

 private:
  WebhookTargets targets_;
  WebhookTimeouts timeouts_;
};

// Checks a webhook URL's syntax: absolute http:// or https:// with a host, no user info, at most
// 2048 characters. invalid_argument with field "url" otherwise. Where it may point is
// WebhookTargets' business.
Result<void> validate_webhook_url(std::string_view url);

}  // namespace faxd::mail
