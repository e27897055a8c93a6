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

}  // namespace faxd::store
