#include "faxd/jobs/route_selector.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace faxd;
using faxd::jobs::CarrierLoads;
using faxd::jobs::select_carriers;

namespace {

int next_id = 0;
store::Route route(std::string type, std::string prefix, std::string carrier, int priority = 1,
                   int weight = 1) {
  store::Route r;
  r.id = "R" + std::to_string(100 + next_id++);
  r.brand_id = "B";
  r.type = std::move(type);
  r.prefix = std::move(prefix);
  r.carrier_id = std::move(carrier);
  r.priority = priority;
  r.weight = weight;
  return r;
}

// A Random that always answers 0: the first route (by id) of each draw wins.
const jobs::Random first = [](std::uint64_t) { return std::uint64_t{0}; };

std::vector<std::string> ids(std::string_view number, const std::vector<store::Route>& routes,
                             const CarrierLoads& loads = {}, const jobs::Random& r = first) {
  return select_carriers(number, routes, loads, r).carrier_ids;
}

using V = std::vector<std::string>;

TEST(RouteSelector, LongestPrefixWinsAndShorterPrefixesAreNotTried) {
  std::vector<store::Route> routes{route("fax", "", "any"), route("fax", "49", "de"),
                                   route("fax", "4930", "berlin")};
  EXPECT_EQ(ids("+493012345", routes), V{"berlin"});
  EXPECT_EQ(ids("+498912345", routes), V{"de"});
  EXPECT_EQ(ids("+33123456", routes), V{"any"});
}

TEST(RouteSelector, LeadingPlusIsIgnoredOnBothSides) {
  std::vector<store::Route> routes{route("fax", "+44", "uk"), route("fax", "49", "de")};
  EXPECT_EQ(ids("+4420", routes), V{"uk"});
  EXPECT_EQ(ids("4930", routes), V{"de"});
}

TEST(RouteSelector, LowestPriorityFirstThenFailoverToTheNextPriority) {
  std::vector<store::Route> routes{route("fax", "49", "backup", 5), route("fax", "49", "main", 1),
                                   route("fax", "49", "middle", 3)};
  EXPECT_EQ(ids("+4930", routes), (V{"main", "middle", "backup"}));
}

TEST(RouteSelector, CallRoutesOnlyWhenNoFaxRouteMatches) {
  std::vector<store::Route> routes{route("call", "", "voice"), route("fax", "49", "fax-de")};
  auto de = select_carriers("+4930", routes, {}, first);
  EXPECT_EQ(de.carrier_ids, V{"fax-de"});
  EXPECT_EQ(de.route_type, "fax");
  auto fr = select_carriers("+3312", routes, {}, first);
  EXPECT_EQ(fr.carrier_ids, V{"voice"});
  EXPECT_EQ(fr.route_type, "call");
}

TEST(RouteSelector, NoRouteGivesAnEmptyListThatIsNotAllFull) {
  std::vector<store::Route> routes{route("fax", "49", "de")};
  auto s = select_carriers("+3312", routes, {}, first);
  EXPECT_TRUE(s.carrier_ids.empty());
  EXPECT_FALSE(s.all_full);
  EXPECT_EQ(s.route_type, "");
}

TEST(RouteSelector, ACarrierAppearsOnceAtItsFirstPlace) {
  std::vector<store::Route> routes{route("fax", "49", "a", 1), route("fax", "49", "b", 2),
                                   route("fax", "49", "a", 3)};
  EXPECT_EQ(ids("+49", routes), (V{"a", "b"}));
}

TEST(RouteSelector, FullCarriersAreSkippedAndAllFullIsReported) {
  std::vector<store::Route> routes{route("fax", "", "a", 1), route("fax", "", "b", 2),
                                   route("fax", "", "c", 2)};
  CarrierLoads loads{{"a", {.max_calls = 2, .in_use = 2}}, {"c", {.max_calls = 0, .in_use = 50}}};
  EXPECT_EQ(ids("+1555", routes, loads), (V{"b", "c"}));
  loads["b"] = {.max_calls = 1, .in_use = 1};
  loads["c"] = {.max_calls = 3, .in_use = 4};
  auto s = select_carriers("+1555", routes, loads, first);
  EXPECT_TRUE(s.carrier_ids.empty());
  EXPECT_TRUE(s.all_full);
  EXPECT_EQ(s.route_type, "fax");
}

TEST(RouteSelector, EveryRouteOfAPriorityStaysInTheListAsFailover) {
  std::vector<store::Route> routes{route("fax", "", "a", 1, 1), route("fax", "", "b", 1, 5),
                                   route("fax", "", "c", 1, 100), route("fax", "", "z", 2, 1)};
  auto random = jobs::seeded_random(7);
  for (int i = 0; i < 200; ++i) {
    auto list = ids("+1", routes, {}, random);
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list.back(), "z");
    std::sort(list.begin(), list.end() - 1);
    EXPECT_EQ(list, (V{"a", "b", "c", "z"}));
  }
}

// The first carrier of a priority is chosen in proportion to weight. Seeded: the result is
// the same on every run, and the tolerance is far beyond the sampling noise at this size
// (n = 60000: one standard deviation of a share is at most 0.2 percentage points).
TEST(RouteSelector, WeightsShareTheLoadInProportion) {
  std::vector<store::Route> routes{route("fax", "49", "w1", 1, 1), route("fax", "49", "w3", 1, 3),
                                   route("fax", "49", "w6", 1, 6), route("fax", "49", "p2", 2, 50)};
  auto random = jobs::seeded_random(20261125);
  std::map<std::string, int> firsts, seconds;
  constexpr int kDraws = 60000;
  for (int i = 0; i < kDraws; ++i) {
    auto list = ids("+4930", routes, {}, random);
    ++firsts[list[0]];
    ++seconds[list[1]];
  }
  EXPECT_EQ(firsts.count("p2"), 0u) << "a lower priority never goes first";
  EXPECT_NEAR(firsts["w1"] / double(kDraws), 0.1, 0.01);
  EXPECT_NEAR(firsts["w3"] / double(kDraws), 0.3, 0.01);
  EXPECT_NEAR(firsts["w6"] / double(kDraws), 0.6, 0.01);
  // Second place, sampling without replacement: P(w1) = .3*1/7 + .6*1/4 = 0.193,
  // P(w3) = .1*3/9 + .6*3/4 = 0.483, P(w6) = .1*6/9 + .3*6/7 = 0.324.
  EXPECT_NEAR(seconds["w1"] / double(kDraws), 0.193, 0.01);
  EXPECT_NEAR(seconds["w3"] / double(kDraws), 0.483, 0.01);
  EXPECT_NEAR(seconds["w6"] / double(kDraws), 0.324, 0.01);
}

TEST(RouteSelector, EqualWeightsSpreadEvenlyAndASeedReplaysExactly) {
  std::vector<store::Route> routes{route("call", "", "a"), route("call", "", "b")};
  auto r1 = jobs::seeded_random(1), r2 = jobs::seeded_random(1);
  int a = 0;
  for (int i = 0; i < 10000; ++i) {
    auto x = ids("+1", routes, {}, r1);
    EXPECT_EQ(x, ids("+1", routes, {}, r2));
    a += x[0] == "a";
  }
  EXPECT_NEAR(a / 10000.0, 0.5, 0.03);
}

}  // namespace

namespace {

store::Route company_route(std::string company, std::string type, std::string prefix,
                           std::string carrier, int priority = 1) {
  auto r = route(std::move(type), std::move(prefix), std::move(carrier), priority);
  r.company_id = std::move(company);
  return r;
}

TEST(RouteSelector, CompanyRoutesComeBeforeTheBrandsEvenWithAShorterPrefix) {
  std::vector<store::Route> routes{route("fax", "+3491", "brand-madrid"),
                                   company_route("C1", "fax", "+34", "own-es"),
                                   company_route("C2", "fax", "+3491", "other-company")};
  auto s = select_carriers("+34910000002", routes, {}, first, "C1");
  EXPECT_EQ(s.carrier_ids, (V{"own-es", "brand-madrid"})) << "the brand's route is the failover";
  EXPECT_EQ(s.route_type, "fax");
  // Another company, or a fax without a company: brand-wide routes only, never C1's.
  EXPECT_EQ(select_carriers("+34910000002", routes, {}, first, "C3").carrier_ids,
            V{"brand-madrid"});
  EXPECT_EQ(select_carriers("+34910000002", routes, {}, first).carrier_ids, V{"brand-madrid"});
}

TEST(RouteSelector, CompanyRoutesFollowTheSamePriorityAndLongestPrefixRule) {
  std::vector<store::Route> routes{company_route("C1", "fax", "+34", "es-backup", 5),
                                   company_route("C1", "fax", "+34", "es-main", 1),
                                   company_route("C1", "fax", "", "anything"),
                                   route("fax", "", "brand-any")};
  EXPECT_EQ(ids("+34910000002", routes, {}, first).size(), 1u) << "brand-wide only without C1";
  auto s = select_carriers("+34910000002", routes, {}, first, "C1");
  EXPECT_EQ(s.carrier_ids, (V{"es-main", "es-backup", "brand-any"}));
}

TEST(RouteSelector, FaxRoutesOfTheBrandBeatTheCompanysCallRoutes) {
  std::vector<store::Route> routes{company_route("C1", "call", "+34", "own-voice"),
                                   route("fax", "+34", "brand-fax")};
  auto s = select_carriers("+34910000002", routes, {}, first, "C1");
  EXPECT_EQ(s.carrier_ids, V{"brand-fax"});
  std::vector<store::Route> calls_only{company_route("C1", "call", "+34", "own-voice"),
                                       route("call", "", "brand-voice")};
  auto c = select_carriers("+34910000002", calls_only, {}, first, "C1");
  EXPECT_EQ(c.carrier_ids, (V{"own-voice", "brand-voice"}));
  EXPECT_EQ(c.route_type, "call");
}

}  // namespace
