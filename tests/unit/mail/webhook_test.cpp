// Event feed scope, webhook fan-out and delivery against a real store with a fake transport.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faxd/common/time.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/mail/webhook_worker.hpp"
#include "faxd/store/event_feed.hpp"
#include "faxd/store/webhook_repo.hpp"
#include "fixtures.hpp"

using namespace faxd;
using namespace faxd::mail;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class FakeTransport final : public WebhookTransport {
 public:
  Result<int> post(const WebhookRequest& r) override {
    requests.push_back(r);
    if (!answers.empty()) {
      auto a = answers.front();
      answers.erase(answers.begin());
      return a;
    }
    return 204;
  }
  std::vector<Result<int>> answers;
  std::vector<WebhookRequest> requests;
};

std::string header(const WebhookRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

struct WebhookTest : test::MailStore {
  void SetUp() override {
    MailStore::SetUp();
    add_fax("FA", "V1", "C1", "B1");  // brand 1, company 1, V1 (not linked to the clerk)
    add_fax("FB", "V2", "C1", "B1");  // brand 1, company 1, V2 (linked to the clerk)
    add_fax("FC", "V3", "C2", "B2");  // brand 2, company 2
    repo = std::make_unique<store::WebhookRepo>(*db);
    worker = std::make_unique<WebhookWorker>(*repo, transport, clock);
  }
  void event(const std::string& type, const std::string& fax, const std::string& brand,
             const std::string& company, const std::string& vfax) {
    auto r = db->write([&](store::Conn& c) {
      store::EventFeed::append(c,
                               {type, fax, brand, company, vfax,
                                nlohmann::json{{"id", fax}, {"status", "received"}}.dump()},
                               clock.now());
    });
    ASSERT_TRUE(r) << r.error().message;
  }
  void three_events() {
    event("fax.received", "FA", "B1", "C1", "V1");
    event("fax.received", "FB", "B1", "C1", "V2");
    event("fax.received", "FC", "B2", "C2", "V3");
  }
  std::string hook(const std::string& user, std::vector<std::string> types = {}) {
    auto w =
        repo->create({user, "http://127.0.0.1:9/hook", kSecret, std::move(types)}, clock.now());
    EXPECT_TRUE(w);
    return w ? w->id : "";
  }
  std::vector<std::string> faxes_seen(const store::EventScope& scope) {
    store::EventFeed feed(*db);
    auto events = feed.after(0, scope, 100);
    EXPECT_TRUE(events);
    std::vector<std::string> out;
    for (const auto& e : *events) out.push_back(e.fax_id);
    return out;
  }

  FakeTransport transport;
  std::unique_ptr<store::WebhookRepo> repo;
  std::unique_ptr<WebhookWorker> worker;
};

using V = std::vector<std::string>;

}  // namespace

TEST_F(WebhookTest, EventFeedShowsEachRoleItsOwnFaxesOnly) {
  three_events();
  using store::Role;
  EXPECT_EQ(faxes_seen(store::EventScope::of(Role::platform_admin, "UP", {}, {})),
            (V{"FA", "FB", "FC"}));
  EXPECT_EQ(faxes_seen(store::EventScope::of(Role::brand_admin, "UB", "B1", {})), (V{"FA", "FB"}));
  EXPECT_EQ(faxes_seen(store::EventScope::of(Role::company_admin, "UC", "B2", "C2")), (V{"FC"}));
  EXPECT_EQ(faxes_seen(store::EventScope::of(Role::user, "UU", "B1", "C1")), (V{"FB"}));
  // A broken admin row without its tenant sees nothing rather than everything.
  EXPECT_EQ(faxes_seen(store::EventScope::of(Role::brand_admin, "UX", {}, {})), V{});
  store::EventFeed feed(*db);
  auto after = feed.after(2, {}, 100);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().fax_id, "FC");
  EXPECT_EQ(*feed.last_seq(), 3);
}

TEST_F(WebhookTest, FanOutFollowsTheOwnersScopeAndEventTypes) {
  const auto all = hook("UP");
  const auto brand = hook("UB");
  const auto clerk = hook("UU");
  const auto only_failed = hook("UP", {"fax.failed"});
  three_events();
  event("fax.failed", "FC", "B2", "C2", "V3");
  auto q = repo->fan_out(clock.now(), 100);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, 4 + 2 + 1 + 1);
  EXPECT_EQ(repo->deliveries(all, 10)->size(), 4u);
  EXPECT_EQ(repo->deliveries(brand, 10)->size(), 2u);
  EXPECT_EQ(repo->deliveries(clerk, 10)->size(), 1u);
  ASSERT_EQ(repo->deliveries(only_failed, 10)->size(), 1u);
  EXPECT_EQ(repo->deliveries(only_failed, 10)->front().event_type, "fax.failed");
  // Running again queues nothing new.
  EXPECT_EQ(*repo->fan_out(clock.now(), 100), 0);
}

TEST_F(WebhookTest, ANewWebhookGetsOnlyEventsAfterItsCreation) {
  three_events();
  const auto late = hook("UP");
  EXPECT_EQ(*repo->fan_out(clock.now(), 100), 0);
  event("fax.received", "FA", "B1", "C1", "V1");
  EXPECT_EQ(*repo->fan_out(clock.now(), 100), 1);
  EXPECT_EQ(repo->deliveries(late, 10)->size(), 1u);
}

TEST_F(WebhookTest, FanOutWorksThroughLongBacklogsInPages) {
  hook("UP");
  for (int i = 0; i < 7; ++i) event("fax.page", "FA", "B1", "C1", "V1");
  EXPECT_EQ(*repo->fan_out(clock.now(), 3), 3);
  EXPECT_EQ(*repo->fan_out(clock.now(), 3), 3);
  EXPECT_EQ(*repo->fan_out(clock.now(), 3), 1);
  EXPECT_EQ(*repo->fan_out(clock.now(), 3), 0);
}

TEST_F(WebhookTest, DeliversSignedRequestsAndRetriesAfterServerErrors) {
  const auto id = hook("UB");
  event("fax.received", "FA", "B1", "C1", "V1");
  transport.answers = {Result<int>(500), fail(Errc::io, "Connection refused")};

  auto run = worker->run_once(clock.now());
  EXPECT_EQ(run.queued, 1);
  EXPECT_EQ(run.retried, 1);
  auto d = repo->deliveries(id, 10)->front();
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.last_status, 500);
  EXPECT_EQ(d.next_attempt_at, format_rfc3339(clock.now() + 5s));

  clock.advance(5s);
  EXPECT_EQ(worker->run_once(clock.now()).retried, 1);
  clock.advance(10s);
  EXPECT_EQ(worker->run_once(clock.now()).delivered, 1);
  d = repo->deliveries(id, 10)->front();
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 3);
  clock.advance(1h);
  worker->run_once(clock.now());
  ASSERT_EQ(transport.requests.size(), 3u);  // delivered once, never again

  // Every try carries the same id and body, signed for its own timestamp.
  const auto key = *decode_webhook_secret(kSecret);
  for (const auto& r : transport.requests) {
    EXPECT_EQ(header(r, "webhook-id"), d.id);
    EXPECT_EQ(header(r, "Content-Type"), "application/json");
    const auto ts = std::stoll(header(r, "webhook-timestamp"));
    EXPECT_EQ(header(r, "webhook-signature"), sign_webhook(key, d.id, ts, r.body));
    EXPECT_EQ(r.body, transport.requests.front().body);
  }
  const auto body = nlohmann::json::parse(transport.requests.front().body);
  EXPECT_EQ(body["type"], "fax.received");
  EXPECT_EQ(body["data"]["id"], "FA");
}

TEST_F(WebhookTest, AnEventEnvelopeIsUnwrappedSoDataIsTheFaxObject) {
  hook("UP");
  ASSERT_TRUE(db->write([&](store::Conn& c) {
    store::EventFeed::append(
        c,
        {"fax.delivered", "FA", "B1", "C1", "V1",
         R"({"id":"EV1","type":"fax.delivered","created_at":"t","data":{"id":"FA","pages":3}})"},
        clock.now());
  }));
  EXPECT_EQ(worker->run_once(clock.now()).delivered, 1);
  const auto body = nlohmann::json::parse(transport.requests.front().body);
  EXPECT_EQ(body["type"], "fax.delivered");
  EXPECT_EQ(body["data"], nlohmann::json({{"id", "FA"}, {"pages", 3}}));
}

TEST_F(WebhookTest, GoneReceiversFailAtOnceAndOldDeliveriesAreAbandoned) {
  const auto id = hook("UP");
  event("fax.received", "FA", "B1", "C1", "V1");
  transport.answers = {Result<int>(410)};
  EXPECT_EQ(worker->run_once(clock.now()).failed, 1);
  EXPECT_EQ(repo->deliveries(id, 10)->front().status, "failed");

  event("fax.received", "FB", "B1", "C1", "V2");
  transport.answers.assign(1000, Result<int>(503));
  for (int i = 0; i < 100 && transport.requests.size() < 1000; ++i) {
    worker->run_once(clock.now());
    clock.advance(1h);
  }
  const auto list = *repo->deliveries(id, 10);
  ASSERT_EQ(list.size(), 2u);
  for (const auto& d : list) EXPECT_EQ(d.status, "failed");
}

TEST_F(WebhookTest, OnlyTheOwnerSeesChangesOrDeletesAWebhook) {
  const auto id = hook("UB");
  EXPECT_TRUE(*repo->find("UB", id));
  EXPECT_FALSE(*repo->find("UP", id));  // not even the platform admin: webhooks are personal
  EXPECT_FALSE(*repo->update("UP", id, {.url = "http://evil.example/"}, clock.now()));
  EXPECT_FALSE(*repo->remove("UP", id));
  auto changed =
      repo->update("UB", id, {.events = std::vector<std::string>{"fax.failed"}}, clock.now());
  ASSERT_TRUE(changed && *changed);
  EXPECT_EQ((*changed)->events, V{"fax.failed"});
  EXPECT_EQ((*changed)->url, "http://127.0.0.1:9/hook");
  EXPECT_TRUE(*repo->remove("UB", id));
  EXPECT_FALSE(*repo->find("UB", id));
}

TEST_F(WebhookTest, OldEventsAndFinishedDeliveriesArePrunedButPendingOnesStay) {
  const auto id = hook("UP");
  event("fax.received", "FA", "B1", "C1", "V1");
  event("fax.received", "FB", "B1", "C1", "V2");
  transport.answers = {Result<int>(204), Result<int>(503)};
  worker->run_once(clock.now());  // one delivered, one waiting for a retry
  clock.advance(24h * 8);
  transport.answers.assign(10, Result<int>(503));
  worker->run_once(clock.now());  // prunes, then retries the pending one (gave up: > 3 days)
  store::EventFeed feed(*db);
  EXPECT_EQ(feed.after(0, {}, 100)->size(), 0u);
  const auto left = *repo->deliveries(id, 10);
  ASSERT_EQ(left.size(), 1u);  // the delivered one is gone; the other was pending at prune time
  EXPECT_EQ(left.front().status, "failed");
}
