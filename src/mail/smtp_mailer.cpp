#include "faxd/mail/smtp_mailer.hpp"

#include <cstring>
#include <memory>

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

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

// libcurl read callback: hands out the message in pieces. noexcept, nothing here throws.
extern "C" std::size_t read_upload(char* buffer, std::size_t size, std::size_t n,
                                   void* user) noexcept {
  auto* up = static_cast<Upload*>(user);
  const std::size_t room = size * n;
  const std::size_t left = up->data.size() - up->offset;
  const std::size_t take = std::min(room, left);
  std::memcpy(buffer, up->data.data() + up->offset, take);
  up->offset += take;
  return take;
}

}  // namespace

bool init_curl() noexcept {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

SmtpMailer::SmtpMailer(config::SmtpConfig config, SmtpTimeouts timeouts)
    : config_(std::move(config)), timeouts_(timeouts) {}

void SmtpMailer::reconfigure(config::SmtpConfig config) {
  std::lock_guard lock(mutex_);
  config_ = std::move(config);
}

config::SmtpConfig SmtpMailer::snapshot() const {
  std::lock_guard lock(mutex_);
  return config_;
}

bool SmtpMailer::enabled() const {
  return !snapshot().url.empty();
}
std::string SmtpMailer::sender() const {
  return snapshot().from;
}

Result<void> SmtpMailer::send(const Envelope& envelope, std::string_view message) {
  const auto cfg = snapshot();
  if (cfg.url.empty()) return fail(Errc::unsupported, "mail is disabled ([smtp] url is empty)");
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail(Errc::internal, "curl_easy_init failed");
  CURL* c = curl.get();

  const std::string mail_from = "<" + envelope.from + ">";
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + envelope.to + ">").c_str()));
  if (!rcpt) return fail(Errc::internal, "out of memory");
  Upload upload{message};
  char errbuf[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, cfg.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(timeouts_.connect.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeouts_.total.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  long ssl = CURLUSESSL_TRY;
  if (cfg.starttls == config::StartTls::always) ssl = CURLUSESSL_ALL;
  if (cfg.starttls == config::StartTls::never) ssl = CURLUSESSL_NONE;
  if (cfg.url.starts_with("smtps://")) ssl = CURLUSESSL_ALL;
  curl_easy_setopt(c, CURLOPT_USE_SSL, ssl);
  if (!cfg.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return {};
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  const auto text = reply ? fmt::format("SMTP {}: {}", reply, detail) : detail;
  // 5xx to MAIL/RCPT/DATA is the server's final word on this message. Authentication failures
  // (535) and "authentication required" (530) are configuration problems the admin can fix:
  // keep those mails and retry.
  if (reply >= 500 && reply < 600 && reply != 530 && reply != 535 && rc != CURLE_LOGIN_DENIED)
    return fail(Errc::invalid_argument, text);
  if (rc == CURLE_OPERATION_TIMEDOUT) return fail(Errc::timeout, text);
  return fail(Errc::io, text);
}

}  // namespace faxd::mail
