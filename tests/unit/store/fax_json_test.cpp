// append_json writes exactly the bytes the nlohmann tree (to_json(fax).dump with `replace`)
// writes, for plain, missing and awkward values alike.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faxd/store/fax_json.hpp"

using namespace faxd::store;

namespace {

std::string tree(const Fax& f) {
  return to_json(f).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string fast(const Fax& f) {
  std::string out;
  append_json(out, f);
  return out;
}

TEST(FaxJson, SameBytesAsTheTreeForAFullFax) {
  Fax f{.id = "01J9ZQ4T6W8Y2C4E6G8J0M2P4R",
        .direction = "outbound",
        .brand_id = "B1",
        .company_id = "C1",
        .virtual_fax_id = "V1",
        .from_number = "+34910000001",
        .to_number = "+34910000002",
        .status = FaxStatus::failed,
        .pages = 2,
        .pages_total = 3,
        .header = "Acme / Sales",
        .attempts = 3,
        .dials = 4,
        .calls = 5,
        .bit_rate = 14400,
        .ecm = true,
        .transport = "t38",
        .remote_station_id = "+34 91 000 0002",
        .failure_code = "busy",
        .failure_message = "busy after 3 tries",
        .created_at = "2026-01-02T03:04:05.678Z",
        .updated_at = "2026-01-02T03:05:05.678Z",
        .started_at = "2026-01-02T03:04:06.000Z",
        .completed_at = "2026-01-02T03:05:05.678Z",
        .next_attempt_at = "2026-01-02T03:10:05.678Z"};
  EXPECT_EQ(fast(f), tree(f));
  f.ecm = false;
  f.failure_message.reset();
  EXPECT_EQ(fast(f), tree(f));
}

TEST(FaxJson, SameBytesWithNullsAndEscapes) {
  Fax f{.id = "01J9ZQ4T6W8Y2C4E6G8J0M2P4S", .direction = "inbound", .status = FaxStatus::received};
  EXPECT_EQ(fast(f), tree(f)) << "every optional missing";
  for (std::string odd : {std::string("quote \" and \\ backslash"), std::string("tab\tnew\nline"),
                          std::string("\x01\x1f\x7f"), std::string("Müller Überweisung ✓"),
                          std::string("bad \xff\xfe utf-8"), std::string("nul\0inside", 10)}) {
    f.remote_station_id = odd;
    f.header = odd;
    f.failure_code = odd;
    EXPECT_EQ(fast(f), tree(f)) << odd;
  }
}

}  // namespace
