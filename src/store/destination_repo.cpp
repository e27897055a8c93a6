#include "faxd/store/destination_repo.hpp"

#include "faxd/common/time.hpp"

namespace faxd::store {

Result<std::optional<std::string>> DestinationRepo::mode(std::string_view number) {
  return db_.read([&](Conn& c) -> std::optional<std::string> {
    auto& st = c.prepare("SELECT mode FROM destination_modes WHERE number = ?");
    st.bind_all(number);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

Result<void> DestinationRepo::set_mode(std::string_view number, std::string_view mode) {
  return db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO destination_modes (number, mode, updated_at) VALUES (?,?,?) "
        "ON CONFLICT (number) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at",
        number, mode, format_rfc3339(clock_.now()));
  });
}

Result<std::optional<DestinationRecord>> DestinationRepo::record(std::string_view number) {
  return db_.read([&](Conn& c) -> std::optional<DestinationRecord> {
    auto& st = c.prepare(
        "SELECT mode, strikes, last_strike_at, stepped_at FROM destination_modes WHERE number = ?");
    st.bind_all(number);
    if (!st.step()) return std::nullopt;
    DestinationRecord r;
    r.mode = st.text(0);
    r.strikes = static_cast<int>(st.int64(1));
    if (!st.is_null(2)) r.last_strike_at = st.text(2);
    if (!st.is_null(3)) r.stepped_at = st.text(3);
    return r;
  });
}

Result<void> DestinationRepo::save(std::string_view number, const DestinationRecord& r) {
  return db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO destination_modes (number, mode, strikes, last_strike_at, stepped_at, "
        "updated_at) VALUES (?,?,?,?,?,?) ON CONFLICT (number) DO UPDATE SET mode = "
        "excluded.mode, strikes = excluded.strikes, last_strike_at = excluded.last_strike_at, "
        "stepped_at = excluded.stepped_at, updated_at = excluded.updated_at",
        number, r.mode, static_cast<std::int64_t>(r.strikes), r.last_strike_at, r.stepped_at,
        format_rfc3339(clock_.now()));
  });
}

}  // namespace faxd::store
