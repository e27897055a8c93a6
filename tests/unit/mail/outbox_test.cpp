// The mail outbox against a real store with a fake mailer: what gets queued, retries with
// backoff while the server is down, exactly one delivery, permanent refusals, giving up.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "faxd/common/time.hpp"
#include "faxd/mail/outbox_worker.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "fixtures.hpp"
#include "mime_reader.hpp"

using namespace faxd;
using namespace faxd::mail;
using namespace std::chrono_literals;

namespace {

class FakeMailer final : public Mailer {
 public:
  bool enabled() const override { return enabled_; }
  std::string sender() const override { return "Fax <fax@example.com>"; }
  Result<void> send(const Envelope& env, std::string_view message) override {
    ++calls;
    if (next_error) {
      auto e = *next_error;
      if (!sticky) next_error.reset();
      return std::unexpected(e);
    }
    sent.push_back({env, std::string(message)});
    return {};
  }
  bool enabled_ = true;
  int calls = 0;
  std::optional<Error> next_error;
  bool sticky = false;
  std::vector<std::pair<Envelope, std::string>> sent;
};

struct OutboxTest : test::MailStore {
  void SetUp() override {
    MailStore::SetUp();
    repo = std::make_unique<store::MailOutboxRepo>(*db);
    templates = std::make_unique<store::NotificationTemplateRepo>(*db, clock);
    pdf_path = dir.file("fax.pdf");
    std::ofstream(pdf_path, std::ios::binary) << "%PDF-1.4\nfake\n%%EOF\n";
    worker = std::make_unique<OutboxWorker>(
        *repo, *templates, mailer,
        [this](const std::string& fax_id) -> Result<std::string> {
          if (fax_id == "F-missing-pdf") return fail(Errc::io, "not converted yet");
          return pdf_path;
        },
        clock);
  }
  store::OutboxMail only_mail(const std::string& fax_id) {
    auto list = repo->list_for_fax(fax_id);
    EXPECT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
    return list->empty() ? store::OutboxMail{} : list->front();
  }

  // A stored template of brand B1 (company nullopt) or of a company of it.
  void add_template(std::optional<std::string> company, std::string kind, std::string language,
                    std::string from_name, std::string from_address, std::string subject,
                    std::string text, std::optional<std::string> html) {
    store::NotificationTemplate t;
    t.brand_id = "B1";
    t.company_id = std::move(company);
    t.kind = std::move(kind);
    t.language = std::move(language);
    t.from_name = std::move(from_name);
    t.from_address = std::move(from_address);
    t.subject = std::move(subject);
    t.body_text = std::move(text);
    t.body_html = std::move(html);
    auto r = templates->create(t);
    ASSERT_TRUE(r) << r.error().message;
  }
  void set_email(const std::string& vfax, const std::string& email) {
    ASSERT_TRUE(db->write([&](store::Conn& c) {
      c.exec("UPDATE virtual_faxes SET email = ? WHERE id = ?", email, vfax);
    }));
  }

  FakeMailer mailer;
  std::unique_ptr<store::MailOutboxRepo> repo;
  std::unique_ptr<store::NotificationTemplateRepo> templates;
  std::unique_ptr<OutboxWorker> worker;
  std::string pdf_path;
};

}  // namespace

TEST_F(OutboxTest, QueuesMailOnlyForVirtualFaxesThatAskForIt) {
  add_fax("F1", "V1", "C1", "B1");
  add_fax("F2", "V2", "C1", "B1");
  auto a = repo->enqueue_for_fax("F1", "fax_received", clock.now());
  auto b = repo->enqueue_for_fax("F2", "fax_received", clock.now());
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->has_value());
  EXPECT_FALSE(b->has_value());  // V2 has send_by_email off
  // Queuing twice for the same fax and kind does not mail twice.
  auto again = repo->enqueue_for_fax("F1", "fax_received", clock.now());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(only_mail("F1").to_address, "office@acme.example");
}

TEST_F(OutboxTest, EnqueueInsideTheFaxTransactionRollsBackWithIt) {
  add_fax("F1", "V1", "C1", "B1");
  auto r = db->write([&](store::Conn& c) {
    c.exec("UPDATE faxes SET status = 'received' WHERE id = 'F1'");
    store::MailOutboxRepo::enqueue_for_fax(c, "F1", "fax_received", clock.now());
    store::abort_tx(Errc::internal, "the fax update failed");
  });
  ASSERT_FALSE(r);
  auto pending = repo->count_pending();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, 0);
}

TEST_F(OutboxTest, SendsTheFaxAsASpanishMailInTheCompanysTimeZone) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  const auto run = worker->run_once(clock.now());
  EXPECT_EQ(run.sent, 1);
  ASSERT_EQ(mailer.sent.size(), 1u);
  const auto& [env, msg] = mailer.sent.front();
  EXPECT_EQ(env.from, "fax@example.com");
  EXPECT_EQ(env.to, "office@acme.example");
  const auto p = test::parse(msg);
  EXPECT_EQ(p.subject, "Fax recibido de +34911234567 (3 páginas)");
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].first, "fax-20260702-003000-+34911234567.pdf");
  EXPECT_NE(p.text.find("Fecha: 2 de julio de 2026, 00:30 CEST"), std::string::npos);
  EXPECT_NE(msg.find("Subject: "), std::string::npos);
  const auto m = only_mail("F1");
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_TRUE(m.sent_at.has_value());
}

TEST_F(OutboxTest, KeepsTheMailWhileTheServerIsDownAndSendsItOnceLater) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  mailer.next_error = Error{Errc::io, "Couldn't connect to server"};
  mailer.sticky = true;

  EXPECT_EQ(worker->run_once(clock.now()).retried, 1);
  auto m = only_mail("F1");
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.next_attempt_at, format_rfc3339(clock.now() + 30s));
  EXPECT_EQ(*m.last_error, "Couldn't connect to server");

  // Not due yet: nothing is tried.
  clock.advance(29s);
  EXPECT_EQ(worker->run_once(clock.now()).retried, 0);
  EXPECT_EQ(mailer.calls, 1);

  clock.advance(1s);
  EXPECT_EQ(worker->run_once(clock.now()).retried, 1);
  EXPECT_EQ(only_mail("F1").next_attempt_at, format_rfc3339(clock.now() + 60s));

  mailer.next_error.reset();
  clock.advance(60s);
  EXPECT_EQ(worker->run_once(clock.now()).sent, 1);
  m = only_mail("F1");
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 3);

  clock.advance(24h);
  worker->run_once(clock.now());
  EXPECT_EQ(mailer.sent.size(), 1u);  // never twice
}

TEST_F(OutboxTest, DisabledMailLeavesTheQueueUntouched) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  mailer.enabled_ = false;
  worker->run_once(clock.now());
  EXPECT_EQ(mailer.calls, 0);
  EXPECT_EQ(only_mail("F1").attempts, 0);
}

TEST_F(OutboxTest, APermanentRefusalFailsTheMailButNotTheFax) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  mailer.next_error = Error{Errc::invalid_argument, "SMTP 550: no such mailbox"};
  EXPECT_EQ(worker->run_once(clock.now()).failed, 1);
  const auto m = only_mail("F1");
  EXPECT_EQ(m.status, "failed");
  EXPECT_EQ(*m.last_error, "SMTP 550: no such mailbox");
  auto status = db->read([](store::Conn& c) {
    auto& st = c.prepare("SELECT status FROM faxes WHERE id = 'F1'");
    st.step();
    return st.text(0);
  });
  EXPECT_EQ(*status, "received");
}

TEST_F(OutboxTest, GivesUpAfterThreeDaysOfFailures) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  mailer.next_error = Error{Errc::timeout, "timed out"};
  mailer.sticky = true;
  int tries = 0;
  for (int i = 0; i < 200 && only_mail("F1").status == "pending"; ++i) {
    worker->run_once(clock.now());
    clock.advance(1h);
    ++tries;
  }
  const auto m = only_mail("F1");
  EXPECT_EQ(m.status, "failed");
  EXPECT_TRUE(m.last_error->starts_with("gave up after")) << *m.last_error;
  EXPECT_GE(tries, 72);
  EXPECT_LE(tries, 74);
}

TEST_F(OutboxTest, AMissingPdfIsRetriedNotDropped) {
  add_fax("F-missing-pdf", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F-missing-pdf", "fax_received", clock.now()));
  EXPECT_EQ(worker->run_once(clock.now()).retried, 1);
  EXPECT_EQ(mailer.calls, 0);
  EXPECT_EQ(only_mail("F-missing-pdf").status, "pending");
}

TEST_F(OutboxTest, NotifiesTheSenderOfAFailedOutboundFaxWithTheReason) {
  add_fax("F9", "V1", "C1", "B1", "outbound", "failed");
  ASSERT_TRUE(repo->enqueue_for_fax("F9", "fax_failed", clock.now()));
  EXPECT_EQ(worker->run_once(clock.now()).sent, 1);
  ASSERT_EQ(mailer.sent.size(), 1u);
  const auto& msg = mailer.sent.front().second;
  EXPECT_NE(msg.find("Motivo: the line was busy"), std::string::npos);
  EXPECT_EQ(msg.find("application/pdf"), std::string::npos);  // no attachment for notices
}

TEST_F(OutboxTest, AClaimedMailIsNotClaimedAgainDuringItsLease) {
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  auto first = repo->claim_due(clock.now(), 600s, 10);
  auto second = repo->claim_due(clock.now(), 600s, 10);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->size(), 1u);
  EXPECT_EQ(second->size(), 0u);
  // A worker that died mid-send: the mail comes back when the lease ends.
  auto later = repo->claim_due(clock.now() + 600s, 600s, 10);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 1u);
}

TEST_F(OutboxTest, MailsEveryListedAddressOnce) {
  set_email("V1",
            "office@acme.example, Boss@Acme.example ,boss@acme.example,,archive@acme.example");
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  auto list = repo->list_for_fax("F1");
  ASSERT_TRUE(list);
  std::vector<std::string> to;
  for (const auto& m : *list) to.push_back(m.to_address);
  EXPECT_EQ(to, (std::vector<std::string>{"office@acme.example", "Boss@Acme.example",
                                          "archive@acme.example"}));
  EXPECT_EQ(worker->run_once(clock.now()).sent, 3);
  ASSERT_EQ(mailer.sent.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(mailer.sent[i].first.to, to[i]);
    EXPECT_EQ(test::parse(mailer.sent[i].second).to, to[i]);
  }
  // One refusing address does not hold up the others, nor is anyone mailed twice.
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  EXPECT_EQ(worker->run_once(clock.now() + 1h).sent, 0);
}

TEST_F(OutboxTest, UsesTheBrandsHtmlTemplateWithItsOwnFrom) {
  add_template(std::nullopt, "fax_received", "es", "Telco Fax", "fax@telco.example",
               "Fax de {from} para {company}: {pages} páginas", "Texto: {fax_name} {date}",
               "<p>Hola <b>{company}</b>, {pdf_name} ({brand})</p>");
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  EXPECT_EQ(worker->run_once(clock.now()).sent, 1);
  ASSERT_EQ(mailer.sent.size(), 1u);
  const auto& [env, raw] = mailer.sent.front();
  EXPECT_EQ(env.from, "fax@example.com");  // bounces still go to the operator's [smtp] from
  const auto p = test::parse(raw);
  EXPECT_EQ(p.from, "Telco Fax <fax@telco.example>");
  EXPECT_EQ(p.subject, "Fax de +34911234567 para Acme: 3 páginas");
  EXPECT_EQ(p.types, (std::vector<std::string>{"multipart/mixed", "multipart/alternative",
                                               "text/plain", "text/html", "application/pdf"}));
  EXPECT_EQ(p.text, "Texto: Recepción 2 de julio de 2026, 00:30 CEST");
  EXPECT_EQ(p.html, "<p>Hola <b>Acme</b>, fax-20260702-003000-+34911234567.pdf (Brand one)</p>");
  ASSERT_EQ(p.files.size(), 1u);
  EXPECT_EQ(p.files[0].first, "fax-20260702-003000-+34911234567.pdf");
  EXPECT_EQ(p.files[0].second, "%PDF-1.4\nfake\n%%EOF\n");
}

TEST_F(OutboxTest, ACompanysTemplateOverridesTheBrands) {
  add_template(std::nullopt, "fax_received", "es", "Telco", "fax@telco.example", "Marca {to}",
               "marca", std::nullopt);
  add_template("C1", "fax_received", "es", "", "", "Empresa {to}", "empresa", std::nullopt);
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  EXPECT_EQ(worker->run_once(clock.now()).sent, 1);
  const auto p = test::parse(mailer.sent.at(0).second);
  EXPECT_EQ(p.subject, "Empresa +34930000001");
  EXPECT_EQ(p.from, "Fax <fax@example.com>");  // the company's template leaves From to [smtp]
  EXPECT_EQ(p.types,
            (std::vector<std::string>{"multipart/mixed", "text/plain", "application/pdf"}));
}

TEST_F(OutboxTest, AnotherLanguageFallsBackToTheBrandsLanguageThenEnglish) {
  ASSERT_TRUE(db->write([](store::Conn& c) {
    c.exec("UPDATE companies SET language = 'fr' WHERE id = 'C1'");
    c.exec("UPDATE brands SET language = 'de' WHERE id = 'B1'");
  }));
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F1", "fax_received", clock.now()));
  worker->run_once(clock.now());
  EXPECT_EQ(test::parse(mailer.sent.at(0).second).subject,
            "Fax received from +34911234567 (3 pages)");  // no fr, no de: English
  add_template(std::nullopt, "fax_received", "de", "", "", "Fax von {from}", "Datum: {date}",
               std::nullopt);
  add_fax("F2", "V1", "C1", "B1");
  ASSERT_TRUE(repo->enqueue_for_fax("F2", "fax_received", clock.now()));
  worker->run_once(clock.now());
  const auto p = test::parse(mailer.sent.at(1).second);
  EXPECT_EQ(p.subject, "Fax von +34911234567");
  EXPECT_EQ(p.text, "Datum: 2026-07-02 00:30 CEST");
}

TEST_F(OutboxTest, TemplatesGoWithTheirCompanyAndAreUniquePerKindAndLanguage) {
  add_template("C1", "fax_received", "es", "", "", "a", "a", std::nullopt);
  store::NotificationTemplate dup;
  dup.brand_id = "B1";
  dup.company_id = "C1";
  dup.kind = "fax_received";
  dup.language = "es";
  dup.subject = dup.body_text = "b";
  auto again = templates->create(dup);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::conflict);
  EXPECT_EQ(again.error().field, "language");
  dup.company_id.reset();  // the brand's own may exist beside the company's
  EXPECT_TRUE(templates->create(dup));
  dup.company_id = "C2";  // a company of another brand
  EXPECT_EQ(templates->create(dup).error().field, "company_id");
  ASSERT_TRUE(db->write([](store::Conn& c) {
    c.exec("DELETE FROM user_virtual_faxes");
    c.exec("DELETE FROM users WHERE company_id = 'C1'");
    c.exec("DELETE FROM virtual_faxes WHERE company_id = 'C1'");
    c.exec("DELETE FROM companies WHERE id = 'C1'");
  }));
  auto left = templates->list({}, {});
  ASSERT_TRUE(left);
  ASSERT_EQ(left->items.size(), 1u);
  EXPECT_FALSE(left->items[0].company_id.has_value());
}
