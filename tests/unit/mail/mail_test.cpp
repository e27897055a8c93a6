// Pure parts of mail and webhooks: retry schedule, MIME building, templates and dates in the
// company's time zone and language, Standard Webhooks signatures, URL checks.
#include <gtest/gtest.h>

#include <sodium.h>

#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"
#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/retry_policy.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/mail/webhook_transport.hpp"

using namespace faxd;
using namespace faxd::mail;
using namespace std::chrono_literals;

namespace {

SysTime at(const char* rfc3339) {
  return *parse_rfc3339(rfc3339);
}

std::string decode_base64(std::string_view b64) {
  std::string out(b64.size(), '\0');
  std::size_t len = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.data(),
                              b64.size(), "\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  out.resize(len);
  return out;
}

std::string binary_pdf() {
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 3000; ++i) pdf += static_cast<char>(i % 256);
  return pdf + "\n%%EOF\n";
}

}  // namespace

TEST(RetryPolicy, DoublesFromTheFirstDelayUpToTheCap) {
  EXPECT_EQ(retry_delay(kMailRetry, 1), 30s);
  EXPECT_EQ(retry_delay(kMailRetry, 2), 60s);
  EXPECT_EQ(retry_delay(kMailRetry, 3), 120s);
  EXPECT_EQ(retry_delay(kMailRetry, 8), 3600s);    // 30 * 128 = 3840 > cap
  EXPECT_EQ(retry_delay(kMailRetry, 500), 3600s);  // no overflow for huge counts
  EXPECT_EQ(retry_delay(kWebhookRetry, 1), 5s);
  EXPECT_EQ(retry_delay(kWebhookRetry, 0), 5s);
}

TEST(RetryPolicy, GivesUpAfterThreeDays) {
  const auto t0 = at("2026-07-01T00:00:00Z");
  EXPECT_FALSE(gives_up(kMailRetry, t0, t0 + 71h));
  EXPECT_TRUE(gives_up(kMailRetry, t0, t0 + 72h));
}

TEST(Mime, EncodesNonAsciiSubjectsAsEncodedWordsOnShortLines) {
  const auto s =
      encode_header_text("Fax recibido de +34911234567 (3 páginas) — Recepción de Ñandú S.L.", 9);
  EXPECT_TRUE(s.starts_with("=?UTF-8?B?"));
  std::size_t start = 0;
  std::string decoded;
  while (start < s.size()) {
    auto end = s.find("\r\n", start);
    if (end == std::string::npos) end = s.size();
    auto line = std::string_view(s).substr(start, end - start);
    EXPECT_LE(line.size() + (start == 0 ? 9 : 0), 76u) << line;
    if (line.front() == ' ') line.remove_prefix(1);
    ASSERT_TRUE(line.starts_with("=?UTF-8?B?") && line.ends_with("?="));
    decoded += decode_base64(line.substr(10, line.size() - 12));
    start = end + 2;
  }
  EXPECT_EQ(decoded, "Fax recibido de +34911234567 (3 páginas) — Recepción de Ñandú S.L.");
}

TEST(Mime, LeavesPlainAsciiSubjectsReadable) {
  EXPECT_EQ(encode_header_text("Fax received from +1555", 9), "Fax received from +1555");
}

TEST(Mime, QuotedPrintableKeepsUtf8AndLineLengths) {
  EXPECT_EQ(quoted_printable("Páginas: 3\nFin = sí"), "P=C3=A1ginas: 3\r\nFin =3D s=C3=AD");
  EXPECT_EQ(quoted_printable("trailing \n"), "trailing=20\r\n");
  const auto long_line = quoted_printable(std::string(200, 'a'));
  for (std::size_t pos = 0; pos < long_line.size();) {
    auto end = long_line.find("\r\n", pos);
    if (end == std::string::npos) end = long_line.size();
    EXPECT_LE(end - pos, 76u);
    pos = end + 2;
  }
}

TEST(Mime, BuildsAMultipartMessageWithTheAttachmentIntact) {
  MailMessage m;
  m.from = "Fax service <fax@example.com>";
  m.to = "office@acme.example";
  m.subject = "Fax recibido de +34911234567 (3 páginas)";
  m.text = "Hola.\nDe: +34911234567\n";
  m.date = at("2026-07-01T22:30:00Z");
  m.message_id = "01ABC.faxd@example.com";
  const auto pdf = binary_pdf();
  m.attachments.push_back({"fax-20260702-003000-+34911234567.pdf", "application/pdf", pdf});
  auto out = build_mime(m, "=_faxd_b1");
  ASSERT_TRUE(out) << out.error().message;
  const auto& s = *out;
  EXPECT_NE(s.find("Date: Wed, 01 Jul 2026 22:30:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(s.find("From: \"Fax service\" <fax@example.com>\r\n"), std::string::npos);
  EXPECT_NE(s.find("To: office@acme.example\r\n"), std::string::npos);
  EXPECT_NE(s.find("Message-ID: <01ABC.faxd@example.com>\r\n"), std::string::npos);
  EXPECT_NE(s.find("Content-Type: multipart/mixed; boundary=\"=_faxd_b1\"\r\n"), std::string::npos);
  EXPECT_NE(s.find("filename=\"fax-20260702-003000-+34911234567.pdf\""), std::string::npos);
  EXPECT_TRUE(s.ends_with("--=_faxd_b1--\r\n"));
  // Every line ends in CRLF and fits SMTP's limit.
  for (std::size_t pos = 0; pos < s.size();) {
    const auto end = s.find('\n', pos);
    ASSERT_NE(end, std::string::npos);
    ASSERT_GT(end, pos);
    EXPECT_EQ(s[end - 1], '\r');
    EXPECT_LE(end - pos, 80u);
    pos = end + 1;
  }
  // The attachment decodes back to the same bytes.
  const auto head = s.find("Content-Disposition: attachment");
  const auto data_start = s.find("\r\n\r\n", head) + 4;
  const auto data_end = s.find("--=_faxd_b1--", data_start);
  EXPECT_EQ(decode_base64(std::string_view(s).substr(data_start, data_end - data_start)), pdf);
}

TEST(Mime, RefusesHeaderInjectionInAddresses) {
  MailMessage m;
  m.from = "fax@example.com";
  m.to = "victim@example.com\r\nBcc: everyone@example.com";
  m.message_id = "x@y";
  EXPECT_FALSE(build_mime(m, "b"));
  EXPECT_FALSE(address_spec("no-at-sign"));
  EXPECT_FALSE(address_spec("a@b, c@d"));
  EXPECT_EQ(*address_spec("Fax <fax@example.com>"), "fax@example.com");
  EXPECT_EQ(address_domain("Fax <fax@example.com>"), "example.com");
}

TEST(Templates, WriteTheDateInTheCompanysTimeZoneAndLanguage) {
  const auto t = at("2026-07-01T22:30:00Z");
  EXPECT_EQ(format_local_date(t, "UTC", "en"), "1 July 2026, 22:30 UTC");
  EXPECT_EQ(format_local_date(t, "Europe/Madrid", "en"), "2 July 2026, 00:30 CEST");
  EXPECT_EQ(format_local_date(t, "Europe/Madrid", "es"), "2 de julio de 2026, 00:30 CEST");
  // Winter time: one hour ahead of UTC.
  EXPECT_EQ(format_local_date(at("2026-01-15T09:05:00Z"), "Europe/Madrid", "es"),
            "15 de enero de 2026, 10:05 CET");
  EXPECT_EQ(format_local_date(t, "Not/AZone", "en"), "1 July 2026, 22:30 UTC");
}

TEST(Templates, NameTheAttachmentAfterTheLocalTimeAndTheCaller) {
  const auto t = at("2026-07-01T22:30:05Z");
  EXPECT_EQ(attachment_filename(t, "Europe/Madrid", "+34 911-234-567"),
            "fax-20260702-003005-+34911234567.pdf");
  EXPECT_EQ(attachment_filename(t, "UTC", ""), "fax-20260701-223005-unknown.pdf");
  EXPECT_EQ(attachment_filename(t, "UTC", "../../etc"), "fax-20260701-223005-etc.pdf");
}

TEST(Templates, FillEveryPlaceholderInEnglishAndSpanish) {
  FaxMailFields f{
      "Reception", 3, "+34911234567", "+34930000001", at("2026-07-01T22:30:00Z"), "Europe/Madrid",
      "es",        ""};
  const auto es = default_template(MailKind::fax_received, "es");
  EXPECT_EQ(render_template(es.subject, f), "Fax recibido de +34911234567 (3 páginas)");
  const auto body = render_template(es.body, f);
  EXPECT_NE(body.find("Ha recibido un fax en Reception."), std::string::npos);
  EXPECT_NE(body.find("Fecha: 2 de julio de 2026, 00:30 CEST"), std::string::npos);
  EXPECT_NE(body.find("Para: +34930000001"), std::string::npos);
  f.language = "en";
  f.timezone = "UTC";
  const auto en = default_template(MailKind::fax_received, "en");
  EXPECT_EQ(render_template(en.subject, f), "Fax received from +34911234567 (3 pages)");
  EXPECT_NE(render_template(en.body, f).find("Date: 1 July 2026, 22:30 UTC"), std::string::npos);
  EXPECT_EQ(render_template("{fax_name} {unknown} {pages", f), "Reception {unknown} {pages");
  // Unknown languages fall back to English.
  EXPECT_EQ(default_template(MailKind::fax_failed, "de").subject, "Fax to {to} not delivered");
}

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  ASSERT_TRUE(init_crypto());
  auto key = decode_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(
      sign_webhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // The prefix is optional; a changed body changes the signature.
  EXPECT_EQ(*decode_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), *key);
  EXPECT_NE(
      sign_webhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232315})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, RejectsMalformedOrShortSecretsAndGeneratesGoodOnes) {
  ASSERT_TRUE(init_crypto());
  EXPECT_FALSE(decode_webhook_secret(""));
  EXPECT_FALSE(decode_webhook_secret("whsec_not base64!"));
  EXPECT_FALSE(decode_webhook_secret("whsec_c2hvcnQ="));  // "short": 5 bytes
  const auto a = new_webhook_secret();
  EXPECT_TRUE(a.starts_with("whsec_"));
  ASSERT_TRUE(decode_webhook_secret(a));
  EXPECT_EQ(decode_webhook_secret(a)->size(), 32u);
  EXPECT_NE(a, new_webhook_secret());
}

TEST(WebhookUrl, AcceptsHttpAndHttpsOnly) {
  EXPECT_TRUE(validate_webhook_url("http://127.0.0.1:8080/hook"));
  EXPECT_TRUE(validate_webhook_url("https://hooks.example.com/faxd?x=1"));
  EXPECT_TRUE(validate_webhook_url("http://[::1]:9000/"));
  EXPECT_FALSE(validate_webhook_url(""));
  EXPECT_FALSE(validate_webhook_url("ftp://example.com/"));
  EXPECT_FALSE(validate_webhook_url("file:///etc/passwd"));
  EXPECT_FALSE(validate_webhook_url("gopher://example.com"));
  EXPECT_FALSE(validate_webhook_url("example.com/hook"));
  EXPECT_FALSE(validate_webhook_url("http://user:pw@example.com/"));
  EXPECT_FALSE(validate_webhook_url("http://exa mple.com/"));
  const auto e = validate_webhook_url("ftp://example.com/");
  EXPECT_EQ(e.error().field, "url");
}
