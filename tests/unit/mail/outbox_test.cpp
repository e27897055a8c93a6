// The mail outbox against a real store with a fake mailer: what gets queued, retries with
// backoff while the server is down, exactly one delivery, permanent refusals, giving up.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "faxd/common/time.hpp"
#include "faxd/mail/outbox_worker.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "fixtures.hpp"

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
    pdf_path = dir.file("fax.pdf");
    std::ofstream(pdf_path, std::ios::binary) << "%PDF-1.4\nfake\n%%EOF\n";
    worker = std::make_unique<OutboxWorker>(
        *repo, mailer,
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

  FakeMailer mailer;
  std::unique_ptr<store::MailOutboxRepo> repo;
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
  EXPECT_NE(msg.find("Subject: =?UTF-8?B?"), std::string::npos);  // "páginas" is not ASCII
  EXPECT_NE(msg.find("fax-20260702-003000-+34911234567.pdf"), std::string::npos);
  EXPECT_NE(msg.find("2 de julio de 2026, 00:30 CEST"), std::string::npos);
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
