// The tenancy repositories: consistency rules the store enforces whoever calls it (the API, the
// send and receive paths): references inside one tenant, unique names, no deleting what is in use.
#include <gtest/gtest.h>

#include "faxd/common/secrets.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/login_throttle.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace std::chrono_literals;

namespace {

struct TenancyTest : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    tenants.emplace(*db, clock);
    carriers.emplace(*db, clock);
    ddis.emplace(*db, clock);
    vfaxes.emplace(*db, clock);
    users.emplace(*db, clock);
  }
  store::Brand brand(std::string name) { return tenants->create_brand(name).value(); }
  store::Company company(const store::Brand& b, std::string name) {
    return tenants->create_company({.brand_id = b.id, .name = std::move(name)}).value();
  }
  store::Carrier carrier(const store::Brand& b, std::string name) {
    store::Carrier k;
    k.brand_id = b.id;
    k.name = std::move(name);
    k.host = "192.0.2.1";
    return carriers->create_carrier(k).value();
  }
  store::VirtualFax vfax(const store::Company& c, std::string name) {
    store::VirtualFax v;
    v.company_id = c.id;
    v.name = std::move(name);
    return vfaxes->create_virtual_fax(v).value();
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
  std::optional<store::TenantRepo> tenants;
  std::optional<store::CarrierRepo> carriers;
  std::optional<store::DdiRepo> ddis;
  std::optional<store::VirtualFaxRepo> vfaxes;
  std::optional<store::UserRepo> users;
};

TEST_F(TenancyTest, NamesAreUniqueWhereTheyMustBe) {
  auto b1 = brand("One");
  auto dup = tenants->create_brand("One");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::conflict);
  EXPECT_EQ(dup.error().field, "name");
  auto b2 = brand("Two");
  auto c1 = company(b1, "Acme");
  company(b2, "Acme");  // same name in another brand: fine
  auto v = vfax(c1, "Sales");
  store::VirtualFax again;
  again.company_id = c1.id;
  again.name = "Sales";
  auto r = vfaxes->create_virtual_fax(again);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  auto renamed = vfaxes->update_virtual_fax(v.id, {.name = "Support"});
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->name, "Support");
  EXPECT_TRUE(vfaxes->create_virtual_fax(again));
}

TEST_F(TenancyTest, ARouteCannotUseAnotherBrandsCarrier) {
  auto b1 = brand("One"), b2 = brand("Two");
  auto k2 = carrier(b2, "theirs");
  store::Route r;
  r.brand_id = b1.id;
  r.carrier_id = k2.id;
  auto created = carriers->create_route(r);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::invalid_argument);
  EXPECT_EQ(created.error().field, "carrier_id");
  r.carrier_id = carrier(b1, "ours").id;
  auto ok = carriers->create_route(r);
  ASSERT_TRUE(ok);
  auto moved = carriers->update_route(ok->id, {.carrier_id = k2.id});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().field, "carrier_id");
  auto listed = carriers->routes_for_brand(b1.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().carrier_id, r.carrier_id);
}

TEST_F(TenancyTest, CarrierWithRoutesAndOutgoingDdiCannotBeDeleted) {
  auto b = brand("One");
  auto c = company(b, "Acme");
  auto k = carrier(b, "trunk");
  store::Route r;
  r.brand_id = b.id;
  r.carrier_id = k.id;
  auto route = carriers->create_route(r).value();
  EXPECT_EQ(carriers->delete_carrier(k.id).error().code, Errc::conflict);
  ASSERT_TRUE(carriers->delete_route(route.id));
  EXPECT_TRUE(carriers->delete_carrier(k.id));

  auto d = ddis->create_ddi({.brand_id = b.id, .company_id = c.id, .number = "+4930123"}).value();
  auto v = vfax(c, "Sales");
  ASSERT_TRUE(vfaxes->update_virtual_fax(v.id, {.outgoing_ddi_id = std::optional(d.id)}));
  EXPECT_EQ(ddis->delete_ddi(d.id).error().code, Errc::conflict);
  auto moved = ddis->update_ddi(d.id, {.company_id = std::optional<std::string>{}});
  EXPECT_EQ(moved.error().code, Errc::conflict);
  ASSERT_TRUE(vfaxes->update_virtual_fax(v.id, {.outgoing_ddi_id = std::optional<std::string>{}}));
  EXPECT_TRUE(ddis->delete_ddi(d.id));
  EXPECT_EQ(tenants->delete_company(c.id).error().code, Errc::conflict);  // still has Sales
}

TEST_F(TenancyTest, DdiChainStaysInsideOneTenantAndMovingUnroutes) {
  auto b1 = brand("One"), b2 = brand("Two");
  auto c11 = company(b1, "A"), c12 = company(b1, "B"), c21 = company(b2, "C");
  auto v11 = vfax(c11, "Sales"), v12 = vfax(c12, "Sales");
  auto bad = ddis->create_ddi({.brand_id = b1.id, .company_id = c21.id, .number = "+1555"});
  EXPECT_EQ(bad.error().field, "company_id");
  bad = ddis->create_ddi({.brand_id = b1.id, .number = "+1555", .virtual_fax_id = v11.id});
  EXPECT_EQ(bad.error().field, "virtual_fax_id");
  auto d = ddis->create_ddi(
      {.brand_id = b1.id, .company_id = c11.id, .number = "+1555", .virtual_fax_id = v11.id});
  ASSERT_TRUE(d) << d.error().message;
  auto wrong = ddis->update_ddi(d->id, {.virtual_fax_id = std::optional(v12.id)});
  EXPECT_EQ(wrong.error().field, "virtual_fax_id");
  auto moved = ddis->update_ddi(d->id, {.company_id = std::optional(c12.id)});
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->company_id, c12.id);
  EXPECT_FALSE(moved->virtual_fax_id);
  ASSERT_TRUE(ddis->update_ddi(d->id, {.virtual_fax_id = std::optional(v12.id)}));
  auto found = ddis->find_ddi_by_number("+1555");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->virtual_fax_id, v12.id);
  // Another brand's number: not_found, as if unknown (no "exists" that names a tenant's DDIs).
  auto dup = ddis->create_ddi({.brand_id = b2.id, .number = "+1555"});
  EXPECT_EQ(dup.error().code, Errc::not_found);
  EXPECT_EQ(dup.error().message.find("exists"), std::string::npos);
  EXPECT_EQ(ddis->create_ddi({.brand_id = b1.id, .number = "+1555"}).error().code, Errc::conflict)
      << "in its own brand the clash is named";
  // Deleting the virtual fax unroutes the DDI (the number stays with the company).
  ASSERT_TRUE(vfaxes->delete_virtual_fax(v12.id));
  found = ddis->find_ddi_by_number("+1555");
  EXPECT_FALSE((*found)->virtual_fax_id);
}

TEST_F(TenancyTest, ListsPageByCursorAndFilterByTenant) {
  auto b1 = brand("One"), b2 = brand("Two");
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i) {
    made.push_back(company(b1, "c" + std::to_string(i)).id);
    company(b2, "x" + std::to_string(i));
    clock.advance(1ms);
  }
  std::vector<std::string> seen;
  store::Page page{.limit = 2};
  for (int guard = 0; guard < 10; ++guard) {
    auto s = tenants->list_companies({.brand_id = b1.id}, page).value();
    for (auto& c : s.items) seen.push_back(c.id);
    if (!s.next_cursor) break;
    page.after = *s.next_cursor;
  }
  EXPECT_EQ(seen, made);
}

TEST_F(TenancyTest, UserLinksOnlyToVirtualFaxesOfItsCompany) {
  auto b = brand("One");
  auto c1 = company(b, "A"), c2 = company(b, "B");
  auto v1 = vfax(c1, "Sales"), v2 = vfax(c2, "Sales");
  auto u = users
               ->create({.username = "u",
                         .password_hash = "x",
                         .role = store::Role::user,
                         .brand_id = b.id,
                         .company_id = c1.id})
               .value();
  auto bad = users->set_virtual_fax_ids(u.id, {v1.id, v2.id});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "virtual_fax_ids");
  EXPECT_TRUE(users->virtual_fax_ids(u.id)->empty()) << "a refused change changes nothing";
  ASSERT_TRUE(users->set_virtual_fax_ids(u.id, {v1.id}));
  EXPECT_EQ(*users->virtual_fax_ids(u.id), std::vector<std::string>{v1.id});
  auto linked = vfaxes->list_virtual_faxes({.linked_user_id = u.id}, {}).value();
  ASSERT_EQ(linked.items.size(), 1u);
  EXPECT_EQ(linked.items[0].id, v1.id);
  EXPECT_EQ(linked.items[0].brand_id, b.id);
  // Promoted to company admin, the links go (they only mean something for `user`).
  ASSERT_TRUE(users->update(u.id, {.role = store::Role::company_admin}));
  EXPECT_TRUE(users->virtual_fax_ids(u.id)->empty());
}

TEST_F(TenancyTest, LoginThrottleDelaysGrowPerUserAndAddressAndNeverReachOtherAddresses) {
  store::LoginThrottle t(*db, clock,
                         {.free_failures_per_user = 3,
                          .free_failures_per_address = 5,
                          .first_delay = std::chrono::seconds(1),
                          .max_delay = std::chrono::seconds(60),
                          .window = std::chrono::seconds(600)});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.retry_after("alice", "10.0.0.1").value().count(), 0);
    ASSERT_TRUE(t.record_failure("alice", "10.0.0.1"));
  }
  // The stranger at 10.0.0.1 now waits; alice from her own address does not.
  EXPECT_EQ(t.retry_after("alice", "10.0.0.1").value().count(), 1);
  EXPECT_EQ(t.retry_after("alice", "10.0.0.9").value().count(), 0) << "another address";
  EXPECT_EQ(t.retry_after("bob", "10.0.0.1").value().count(), 0) << "another user";
  // Each further failure doubles the delay, up to max_delay.
  std::vector<long> delays;
  for (int i = 0; i < 8; ++i) {
    clock.advance(t.retry_after("alice", "10.0.0.1").value());
    ASSERT_TRUE(t.record_failure("alice", "10.0.0.1"));
    delays.push_back(t.retry_after("alice", "10.0.0.1").value().count());
  }
  EXPECT_EQ(delays, (std::vector<long>{2, 4, 8, 16, 32, 60, 60, 60}));
  // Forgotten a window after the last failure.
  clock.advance(std::chrono::seconds(600));
  ASSERT_TRUE(t.record_failure("alice", "10.0.0.1"));
  EXPECT_EQ(t.retry_after("alice", "10.0.0.1").value().count(), 0);
  // One address probing many users is slowed down at the address limit.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(t.record_failure("user" + std::to_string(i), "10.0.0.2"));
  EXPECT_GT(t.retry_after("carol", "10.0.0.2").value().count(), 0);
  EXPECT_EQ(t.retry_after("carol", "10.0.0.3").value().count(), 0);
  // Success clears the (user, address) count, not the address's.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(t.record_failure("dave", "10.0.0.4"));
  EXPECT_GT(t.retry_after("dave", "10.0.0.4").value().count(), 0);
  ASSERT_TRUE(t.record_success("dave", "10.0.0.4"));
  EXPECT_EQ(t.retry_after("dave", "10.0.0.4").value().count(), 0);
}

TEST_F(TenancyTest, CarrierPasswordsAreSealedAtRestAndOldPlainRowsAreSealedOnce) {
  auto b = brand("B");
  store::Carrier legacy;
  legacy.brand_id = b.id;
  legacy.name = "old";
  legacy.host = "10.0.0.1";
  legacy.password = "plain-from-before";
  const auto old = carriers->create_carrier(legacy).value();  // a repo without a key
  SecretBox::Key key{};
  key.fill(7);
  const auto box = SecretBox::from_key(key);
  store::CarrierRepo sealed(*db, clock, &box);
  auto raw = [&](const std::string& id) {
    return db
        ->read([&](store::Conn& c) {
          auto& st = c.prepare("SELECT password FROM carriers WHERE id = ?");
          st.bind_all(id);
          st.step();
          return st.text(0);
        })
        .value();
  };
  EXPECT_EQ(raw(old.id), "plain-from-before");
  EXPECT_EQ(sealed.seal_plaintext_secrets().value(), 1);
  EXPECT_EQ(sealed.seal_plaintext_secrets().value(), 0) << "once";
  EXPECT_TRUE(SecretBox::is_sealed(raw(old.id)));
  EXPECT_EQ(sealed.find_carrier(old.id).value()->password, "plain-from-before");
  store::Carrier k;
  k.brand_id = b.id;
  k.name = "new";
  k.host = "10.0.0.2";
  k.password = "trunk-secret";
  const auto made = sealed.create_carrier(k).value();
  EXPECT_EQ(raw(made.id).find("trunk-secret"), std::string::npos);
  EXPECT_EQ(sealed.carriers_for_brand(b.id).value()[1].password, "trunk-secret");
  // A change of another field keeps the password (not sealed twice).
  ASSERT_TRUE(sealed.update_carrier(made.id, {.max_calls = 3}));
  EXPECT_EQ(sealed.find_carrier(made.id).value()->password, "trunk-secret");
}

}  // namespace
