// Pure parts of mail and webhooks: retry schedule, MIME building (read back with GMime's
// parser), templates, their variables and which one a mail uses, dates in the company's time
// zone and language, Standard Webhooks signatures, URL checks.
#include <gtest/gtest.h>

#include <sodium.h>

#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"
#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/retry_policy.hpp"
#include "faxd/mail/template_choice.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/mail/webhook_transport.hpp"
#include "mime_reader.hpp"

using namespace faxd;
using namespace faxd::mail;
using namespace std::chrono_literals;

namespace {

SysTime at(const char* rfc3339) {
  return *parse_rfc3339(rfc3339);
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

namespace {

void expect_smtp_lines(const std::string& s) {
  for (std::size_t pos = 0; pos < s.size();) {
    const auto end = s.find('\n', pos);
    ASSERT_NE(end, std::string::npos);
    ASSERT_GT(end, pos);
    EXPECT_EQ(s[end - 1], '\r') << "bare LF at " << pos;
    EXPECT_LE(end - pos, 998u);
    pos = end + 1;
  }
}

MailMessage sample_message() {
  MailMessage m;
  m.from = {"Fax service", "fax@example.com"};
  m.to = {{"", "office@acme.example"}};
  m.subject = "Fax recibido de +34911234567 (3 páginas) — Recepción de Ñandú S.L.";
  m.text = "Hola.\nDe: +34911234567\n";
  m.date = at("2026-07-01T22:30:00Z");
  m.message_id = "01ABC.faxd@example.com";
  return m;
}

}  // namespace

TEST(Mime, BuildsATextOnlyMessage) {
  auto m = sample_message();
  auto out = build_mime(m);
  ASSERT_TRUE(out) << out.error().message;
  expect_smtp_lines(*out);
  EXPECT_NE(out->find("Date: Wed, 01 Jul 2026 22:30:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(out->find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  const auto p = test::parse(*out);
  EXPECT_EQ(p.subject, m.subject);  // encoded words decode back to the UTF-8 text
  EXPECT_EQ(p.from, "Fax service <fax@example.com>");
  EXPECT_EQ(p.to, "office@acme.example");
  EXPECT_EQ(p.message_id, "01ABC.faxd@example.com");
  EXPECT_EQ(p.types, std::vector<std::string>{"text/plain"});
  EXPECT_EQ(p.text, "Hola.\r\nDe: +34911234567\r\n");
}

TEST(Mime, BuildsHtmlWithATextAlternativeAndTheAttachmentIntact) {
  auto m = sample_message();
  m.from = {"Fáx Señor S.L.", "fax@example.com"};
  m.html = "<p>Hola <b>señor</b></p>";
  m.in_reply_to = "orig-1@client.example";
  const auto pdf = binary_pdf();
  m.attachments.push_back({"fax-20260702-003000-+34911234567.pdf", "application/pdf", pdf});
  m.attachments.push_back({"página ñ.pdf", "application/pdf", "%PDF-1.4 second"});
  auto out = build_mime(m);
  ASSERT_TRUE(out) << out.error().message;
  expect_smtp_lines(*out);
  const auto p = test::parse(*out);
  EXPECT_EQ(p.types,
            (std::vector<std::string>{"multipart/mixed", "multipart/alternative", "text/plain",
                                      "text/html", "application/pdf", "application/pdf"}));
  EXPECT_EQ(p.from, "\"Fáx Señor S.L.\" <fax@example.com>");  // "." asks for quotes
  EXPECT_EQ(p.html, "<p>Hola <b>señor</b></p>");
  EXPECT_NE(p.text.find("De: +34911234567"), std::string::npos);
  EXPECT_EQ(p.in_reply_to, "<orig-1@client.example>");
  ASSERT_EQ(p.files.size(), 2u);
  EXPECT_EQ(p.files[0].first, "fax-20260702-003000-+34911234567.pdf");
  EXPECT_EQ(p.files[0].second, pdf);
  EXPECT_EQ(p.files[1].first, "página ñ.pdf");
}

TEST(Mime, RefusesHeaderInjectionAndMalformedAddresses) {
  auto m = sample_message();
  m.to = {{"", "victim@example.com\r\nBcc: everyone@example.com"}};
  EXPECT_FALSE(build_mime(m));
  m = sample_message();
  m.from.name = "Evil\r\nBcc: x@y.example";
  EXPECT_FALSE(build_mime(m));
  m = sample_message();
  m.message_id = "a b";
  EXPECT_FALSE(build_mime(m));
  EXPECT_FALSE(address_spec("no-at-sign"));
  EXPECT_FALSE(address_spec("a@b, c@d"));
  EXPECT_EQ(*address_spec("Fax <fax@example.com>"), "fax@example.com");
  EXPECT_EQ(address_domain("Fax <fax@example.com>"), "example.com");
}

TEST(Mime, ParsesOneMailboxWithItsName) {
  auto a = parse_mailbox("Fax service <fax@example.com>");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Fax service");
  EXPECT_EQ(a->address, "fax@example.com");
  EXPECT_EQ(parse_mailbox("\"Doe, Jane\" <jane@example.com>")->name, "Doe, Jane");
  EXPECT_EQ(parse_mailbox("faxd@localhost")->address, "faxd@localhost");
  EXPECT_FALSE(parse_mailbox("a@example.com, b@example.com"));
  EXPECT_FALSE(parse_mailbox("nobody"));
  EXPECT_FALSE(parse_mailbox("a@example.com\r\nBcc: b@example.com"));
}

TEST(Templates, WriteTheDateInTheCompanysTimeZoneAndLanguage) {
  const auto t = at("2026-07-01T22:30:00Z");
  EXPECT_EQ(format_local_date(t, "UTC", "en"), "1 July 2026, 22:30 UTC");
  EXPECT_EQ(format_local_date(t, "Europe/Madrid", "en"), "2 July 2026, 00:30 CEST");
  EXPECT_EQ(format_local_date(t, "Europe/Madrid", "es"), "2 de julio de 2026, 00:30 CEST");
  EXPECT_EQ(format_local_date(t, "America/Mexico_City", "es-MX"), "1 de julio de 2026, 16:30 CST");
  // Winter time: one hour ahead of UTC.
  EXPECT_EQ(format_local_date(at("2026-01-15T09:05:00Z"), "Europe/Madrid", "es"),
            "15 de enero de 2026, 10:05 CET");
  EXPECT_EQ(format_local_date(t, "Not/AZone", "en"), "1 July 2026, 22:30 UTC");
  // A language without month names here gets numbers.
  EXPECT_EQ(format_local_date(t, "Europe/Berlin", "de"), "2026-07-02 00:30 CEST");
}

TEST(Templates, NameTheAttachmentAfterTheLocalTimeAndTheCaller) {
  const auto t = at("2026-07-01T22:30:05Z");
  EXPECT_EQ(attachment_filename(t, "Europe/Madrid", "+34 911-234-567"),
            "fax-20260702-003005-+34911234567.pdf");
  EXPECT_EQ(attachment_filename(t, "UTC", ""), "fax-20260701-223005-unknown.pdf");
  EXPECT_EQ(attachment_filename(t, "UTC", "../../etc"), "fax-20260701-223005-etc.pdf");
}

namespace {
FaxMailFields sample_fields() {
  FaxMailFields f;
  f.fax_name = "Reception";
  f.pages = 3;
  f.from = "+34911234567";
  f.to = "+34930000001";
  f.date = at("2026-07-01T22:30:00Z");
  f.timezone = "Europe/Madrid";
  f.language = "es";
  f.company = "Acme <& Sons>";
  f.brand = "Telco";
  f.failure = "busy";
  return f;
}
}  // namespace

TEST(Templates, FillEveryVariableInEnglishAndSpanish) {
  auto f = sample_fields();
  const auto es = default_template(MailKind::fax_received, "es");
  EXPECT_EQ(render_template(es.subject, f), "Fax recibido de +34911234567 (3 páginas)");
  const auto body = render_template(es.body_text, f);
  EXPECT_NE(body.find("Ha recibido un fax en Reception."), std::string::npos);
  EXPECT_NE(body.find("Fecha: 2 de julio de 2026, 00:30 CEST"), std::string::npos);
  EXPECT_NE(body.find("Para: +34930000001"), std::string::npos);
  EXPECT_NE(body.find("(fax-20260702-003000-+34911234567.pdf)"), std::string::npos);
  f.language = "en";
  f.timezone = "UTC";
  const auto en = default_template(MailKind::fax_received, "en");
  EXPECT_EQ(render_template(en.subject, f), "Fax received from +34911234567 (3 pages)");
  EXPECT_NE(render_template(en.body_text, f).find("Date: 1 July 2026, 22:30 UTC"),
            std::string::npos);
  EXPECT_EQ(render_template("{company}/{brand}: {failure} {pdf_name}", f),
            "Acme <& Sons>/Telco: busy fax-20260701-223000-+34911234567.pdf");
  EXPECT_EQ(render_template("{fax_name} {unknown} {pages", f), "Reception {unknown} {pages");
  // CSS and other braces are text.
  EXPECT_EQ(render_template("p { color: red } {pages}", f), "p { color: red } 3");
  EXPECT_EQ(default_template(MailKind::fax_failed, "de").subject, "Fax to {to} not delivered");
  EXPECT_NE(default_template(MailKind::fax_failed, "es").body_text.find("{failure}"),
            std::string::npos);
}

TEST(Templates, EscapeValuesInHtmlAndKeepSubjectsOnOneLine) {
  auto f = sample_fields();
  f.fax_name = "<script>alert('x')</script>";
  EXPECT_EQ(render_template("<b>{fax_name}</b> {company}", f, Escape::html),
            "<b>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</b> Acme &lt;&amp; Sons&gt;");
  f.fax_name = "a\r\nBcc: x@y";
  EXPECT_EQ(render_template("Fax {fax_name}", f, Escape::header), "Fax a  Bcc: x@y");
  MailTemplate t{"", "", "Fax de {from}", "Texto {fax_name}", "<p>{company}</p>"};
  const auto r = render_mail(t, sample_fields());
  EXPECT_EQ(r.subject, "Fax de +34911234567");
  EXPECT_EQ(r.text, "Texto Reception");
  EXPECT_EQ(r.html, "<p>Acme &lt;&amp; Sons&gt;</p>");
}

TEST(Templates, NameTheFirstUnknownVariable) {
  EXPECT_EQ(unknown_variable("{fax_name} {pages} {from} {to} {date} {pdf_name} {company} {brand} "
                             "{failure} p { margin: 0 } {} {Fax}"),
            std::nullopt);
  EXPECT_EQ(unknown_variable("Hola {fax_nmae} {reason}"), "fax_nmae");
  EXPECT_EQ(unknown_variable("{status}"), "status");
  EXPECT_EQ(template_variables().size(), 9u);
}

TEST(Templates, LookForTheCompanysLanguageThenTheBrandsThenEnglish) {
  EXPECT_EQ(language_candidates("pt-BR", "es"),
            (std::vector<std::string>{"pt-BR", "pt", "es", "en"}));
  EXPECT_EQ(language_candidates("es", "es"), (std::vector<std::string>{"es", "en"}));
  EXPECT_EQ(language_candidates("en", "de"), (std::vector<std::string>{"en", "de"}));
}

namespace {
store::NotificationTemplate stored(std::string id, std::optional<std::string> company,
                                   std::string kind, std::string language) {
  store::NotificationTemplate t;
  t.id = std::move(id);
  t.brand_id = "B1";
  t.company_id = std::move(company);
  t.kind = std::move(kind);
  t.language = std::move(language);
  t.subject = "subject of " + t.id;
  t.body_text = "text";
  return t;
}
}  // namespace

TEST(TemplateChoice, CompanyBeforeBrandBeforeBuiltIn) {
  const std::vector<store::NotificationTemplate> rows = {
      stored("brand-es", std::nullopt, "fax_received", "es"),
      stored("co-es", "C1", "fax_received", "es"), stored("other-co", "C2", "fax_received", "es"),
      stored("brand-failed-de", std::nullopt, "fax_failed", "de"),
      stored("brand-de", std::nullopt, "fax_received", "de")};
  EXPECT_EQ(choose_template(rows, MailKind::fax_received, "C1", "es", "en").id, "co-es");
  auto c = choose_template(rows, MailKind::fax_received, "C3", "es", "en");
  EXPECT_EQ(c.id, "brand-es");
  EXPECT_EQ(c.source, "brand");
  EXPECT_EQ(c.tmpl.subject, "subject of brand-es");
  // No template in the company's language (fr): the brand's default language (de).
  c = choose_template(rows, MailKind::fax_received, "C1", "fr", "de");
  EXPECT_EQ(c.id, "brand-de");
  EXPECT_EQ(c.language, "de");
  // The kind must match; a Spanish company with nothing stored gets the built-in Spanish one.
  c = choose_template(rows, MailKind::fax_delivered, "C1", "es", "de");
  EXPECT_EQ(c.source, "builtin");
  EXPECT_EQ(c.language, "es");
  EXPECT_EQ(c.tmpl.subject, "Fax entregado a {to}");
  // A regional tag finds the language's template; nothing at all ends in English.
  EXPECT_EQ(choose_template(rows, MailKind::fax_received, "C1", "es-MX", "en").id, "co-es");
  c = choose_template(rows, MailKind::fax_failed, "C1", "fr", "it");
  EXPECT_EQ(c.source, "builtin");
  EXPECT_EQ(c.language, "en");
  EXPECT_EQ(c.tmpl.subject, "Fax to {to} not delivered");
}

TEST(TemplateChoice, FromIsTheTemplatesOwnOrTheConfiguredOne) {
  const Mailbox smtp{"Fax", "fax@provider.example"};
  EXPECT_EQ(template_sender({"Acme fax", "fax@acme.example", "", "", {}}, smtp).address,
            "fax@acme.example");
  auto m = template_sender({"Acme fax", "", "", "", {}}, smtp);
  EXPECT_EQ(m.name, "Acme fax");
  EXPECT_EQ(m.address, "fax@provider.example");
  EXPECT_EQ(template_sender({}, smtp).name, "Fax");
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
