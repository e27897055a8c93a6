// Inbound decisions and what a call's end records, against a real SQLite store.
#include <gtest/gtest.h>

#include "faxd/jobs/inbound_faxes.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::jobs;

namespace {

struct InboundTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](store::Conn& c) {
      for (auto b : {"B1", "B2"})
        c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES (?,?,'t','t')", b, b);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','c','t','t')");
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, email, send_by_email, station_id, "
          "created_at, updated_at) VALUES ('V1','C1','Sales','sales@example.com',1,'+34 91 "
          "000','t','t')");
      c.exec(
          "INSERT INTO ddis (id, brand_id, company_id, number, virtual_fax_id, created_at, "
          "updated_at) "
          "VALUES ('D1','B1','C1','+34910000002','V1','t','t')");
      c.exec(
          "INSERT INTO ddis (id, brand_id, company_id, number, created_at, updated_at) "
          "VALUES ('D2','B1','C1','+34910000003','t','t')");
      c.exec(
          "INSERT INTO carriers (id, brand_id, name, host, created_at, updated_at) VALUES "
          "('K1','B1','k','10.0.0.5','t','t')");
      c.exec(
          "INSERT INTO carriers (id, brand_id, name, host, created_at, updated_at) VALUES "
          "('K2','B2','k','10.0.0.9','t','t')");
    }));
    faxes = std::make_unique<store::FaxRepo>(*db, clock);
    ddis = std::make_unique<store::DdiRepo>(*db, clock);
    vfaxes = std::make_unique<store::VirtualFaxRepo>(*db, clock);
    carriers = std::make_unique<store::CarrierRepo>(*db, clock);
    tenants = std::make_unique<store::TenantRepo>(*db, clock);
    spool = std::make_unique<Spool>(dir.path() / "spool");
    ASSERT_TRUE(spool->prepare());
    inbound = std::make_unique<InboundFaxes>(
        *faxes, *ddis, *vfaxes, *carriers, *tenants, *spool, [](std::function<void()> f) { f(); },
        clock, InboundOptions{});
  }

  sip::InboundCall call(std::string number, std::string source = "10.0.0.5") {
    return {.call_id = "c1",
            .source_address = std::move(source),
            .request_user = std::move(number),
            .from_user = "34915550000"};
  }

  int mails(const std::string& fax_id) {
    return *db->read([&](store::Conn& c) {
      auto& st =
          c.prepare("SELECT count(*) FROM mail_outbox WHERE fax_id = ? AND kind = 'fax_received'");
      st.bind_all(fax_id);
      st.step();
      return st.int32(0);
    });
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::FaxRepo> faxes;
  std::unique_ptr<store::DdiRepo> ddis;
  std::unique_ptr<store::VirtualFaxRepo> vfaxes;
  std::unique_ptr<store::CarrierRepo> carriers;
  std::unique_ptr<store::TenantRepo> tenants;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<InboundFaxes> inbound;
};

TEST_F(InboundTest, UnknownUnroutedAndForeignBrandDdisAllAnswer404) {
  EXPECT_EQ(inbound->decide_now(call("34919999999")).status, 404);
  EXPECT_EQ(inbound->decide_now(call("+34910000003")).status, 404) << "DDI without a virtual fax";
  EXPECT_EQ(inbound->decide_now(call("34910000002", "10.0.0.9")).status, 404)
      << "another brand's carrier may not deliver to this DDI, and learns nothing of it";
  EXPECT_EQ(*faxes->count_with_status(store::FaxStatus::receiving), 0) << "nothing recorded";
}

TEST_F(InboundTest, AHostileCallerIdIsStoredNormalisedWithTheRawValueApart) {
  auto c = call("34910000002");
  c.from_user =
      "<img src=x onerror=alert(1)>+34 91\x01"
      "555-0000";
  ASSERT_EQ(inbound->decide_now(c).status, 0);
  auto list = faxes->list({});
  ASSERT_EQ(list->data.size(), 1u);
  EXPECT_EQ(list->data[0].from_number, "") << "markup is not a number: no number";
  auto raw = db->read([&](store::Conn& conn) {
    auto& st = conn.prepare("SELECT from_raw FROM faxes WHERE id = ?");
    st.bind_all(list->data[0].id);
    st.step();
    return st.text(0);
  });
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "<img src=x onerror=alert(1)>+34 91?555-0000") << "kept apart, printable";
  auto anonymous = call("34910000002");
  anonymous.from_user = "anonymous";
  ASSERT_EQ(inbound->decide_now(anonymous).status, 0);
  auto endless = call("34910000002");
  endless.from_user = std::string(200, '9');  // longer than any number
  ASSERT_EQ(inbound->decide_now(endless).status, 0);
  list = faxes->list({});
  ASSERT_EQ(list->data.size(), 3u);
  for (const auto& f : list->data) EXPECT_EQ(f.from_number, "") << "none of these is a number";
}

TEST_F(InboundTest, AcceptedCallRecordsAReceivingFaxForTheVirtualFax) {
  auto d = inbound->decide_now(call("34910000002"));  // digits only: "+" is added
  ASSERT_EQ(d.status, 0);
  EXPECT_EQ(d.job.direction, fax::Direction::receive);
  EXPECT_EQ(d.job.local_station_id, "+34 91 000");
  auto list = faxes->list({});
  ASSERT_EQ(list->data.size(), 1u);
  const auto& f = list->data[0];
  EXPECT_EQ(f.status, store::FaxStatus::receiving);
  EXPECT_EQ(f.to_number, "+34910000002");
  EXPECT_EQ(f.from_number, "+34915550000");
  EXPECT_EQ(f.virtual_fax_id, "V1");
  EXPECT_EQ(spool->path(*f.document).string(), d.job.tiff_path);
}

TEST_F(InboundTest, NationalNumbersOfACarrierWithACountryReachTheirDdi) {
  // Without a country "910000002" is read as +910000002: no such DDI.
  EXPECT_EQ(inbound->decide_now(call("910000002")).status, 404);
  ASSERT_TRUE(carriers->update_carrier("K1", {.country = "ES"}));
  auto c = call("910000002");
  c.from_user = "915550000";  // the caller's national number, read the same way
  auto d = inbound->decide_now(c);
  ASSERT_EQ(d.status, 0);
  const auto f = faxes->list({})->data.at(0);
  EXPECT_EQ(f.to_number, "+34910000002");
  EXPECT_EQ(f.from_number, "+34915550000");
  // The same carrier's E.164 and 00-prefixed forms still work.
  EXPECT_EQ(inbound->decide_now(call("0034910000002")).status, 0);
  EXPECT_EQ(inbound->decide_now(call("+34910000002")).status, 0);
}

TEST_F(InboundTest, SwitchedOffCompanyOrBrandIsRefusedWith403AndNothingRecorded) {
  store::TenantRepo t(*db, clock);
  ASSERT_TRUE(t.update_company("C1", {.enabled = false}));
  auto d = inbound->decide_now(call("34910000002"));
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(faxes->list({})->data.size(), 0u);
  ASSERT_TRUE(t.update_company("C1", {.enabled = true}));
  ASSERT_TRUE(t.update_brand("B1", {.enabled = false}));
  EXPECT_EQ(inbound->decide_now(call("34910000002")).status, 403);
  ASSERT_TRUE(t.update_brand("B1", {.enabled = true}));
  EXPECT_EQ(inbound->decide_now(call("34910000002")).status, 0);
}

TEST_F(InboundTest, ReceivedFaxIsMailedOnceAndAPartialOneKeepsItsPages) {
  auto d = inbound->decide_now(call("+34910000002"));
  const auto id = faxes->list({})->data[0].id;
  fax::FaxResult r{.ok = true,
                   .pages = 2,
                   .bit_rate = 9600,
                   .ecm = true,
                   .transport = fax::Transport::t38,
                   .remote_station_id = "SENDER"};
  d.callbacks.on_end(
      {.ok = true, .message = "OK", .sip_status = 200, .fax = r, .transport = fax::Transport::t38});
  auto f = **faxes->find(id);
  EXPECT_EQ(f.status, store::FaxStatus::received);
  EXPECT_EQ(f.pages, 2);
  EXPECT_EQ(f.remote_station_id, "SENDER");
  EXPECT_EQ(mails(id), 1);

  auto d2 = inbound->decide_now(call("+34910000002"));
  const auto id2 = faxes->list({})->data[0].id;
  fax::FaxResult partial{.ok = false,
                         .pages = 1,
                         .failure = FailureCode::transfer_failed,
                         .message = "Call disconnected"};
  d2.callbacks.on_end({.ok = false,
                       .failure = FailureCode::transfer_failed,
                       .message = "Call disconnected",
                       .sip_status = 200,
                       .fax = partial});
  auto g = **faxes->find(id2);
  EXPECT_EQ(g.status, store::FaxStatus::failed);
  EXPECT_EQ(g.pages, 1);
  EXPECT_EQ(g.failure_message, "partial: 1 page received; Call disconnected");
  EXPECT_EQ(mails(id2), 0);
}

}  // namespace
