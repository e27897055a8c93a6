#include <gtest/gtest.h>

#include <set>

#include "faxd/media/port_allocator.hpp"

namespace faxd::media {
namespace {

TEST(PortAllocator, HandsOutEvenPortsInRangeUntilExhausted) {
  PortAllocator ports(20001, 20010);  // even ports 20002..20010
  std::set<std::uint16_t> got;
  while (auto p = ports.allocate()) {
    EXPECT_EQ(*p % 2, 0);
    EXPECT_GE(*p, 20001);
    EXPECT_LE(*p, 20010);
    got.insert(*p);
  }
  EXPECT_EQ(got.size(), 5u);
  EXPECT_EQ(ports.in_use(), 5u);
  ports.release(20006);
  EXPECT_EQ(ports.allocate(), 20006);
}

TEST(PortAllocator, ReleasedPortsAreNotReusedAtOnce) {
  PortAllocator ports(30000, 30100);
  const auto a = ports.allocate();
  ports.release(*a);
  EXPECT_NE(ports.allocate(), a);
}

TEST(PortAllocator, ForeignPortsAreIgnoredOnRelease) {
  PortAllocator ports(30000, 30004);
  ports.release(30001);
  ports.release(40000);
  EXPECT_EQ(ports.in_use(), 0u);
}

}  // namespace
}  // namespace faxd::media
