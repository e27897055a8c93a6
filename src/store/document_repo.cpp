#include "faxd/store/document_repo.hpp"

#include "faxd/common/time.hpp"

namespace faxd::store {

Result<void> DocumentRepo::put(std::string_view path, std::string_view bytes, SysTime now) {
  return db_.write([&](Conn& c) {
    auto& st = c.prepare(
        "INSERT INTO documents (path, data, size, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (path) DO UPDATE SET data = excluded.data, size = excluded.size, "
        "updated_at = excluded.updated_at");
    st.bind(1, path);
    st.bind_blob(2, bytes);
    st.bind(3, static_cast<std::int64_t>(bytes.size()));
    st.bind(4, format_rfc3339(now));
    while (st.step()) {
    }
  });
}

Result<std::optional<std::string>> DocumentRepo::get(std::string_view path) {
  return db_.read([&](Conn& c) -> std::optional<std::string> {
    auto& st = c.prepare("SELECT data FROM documents WHERE path = ?");
    st.bind(1, path);
    if (!st.step()) return std::nullopt;
    return st.blob(0);
  });
}

Result<std::optional<std::int64_t>> DocumentRepo::size(std::string_view path) {
  return db_.read([&](Conn& c) -> std::optional<std::int64_t> {
    auto& st = c.prepare("SELECT size FROM documents WHERE path = ?");
    st.bind(1, path);
    if (!st.step()) return std::nullopt;
    return st.int64(0);
  });
}

Result<void> DocumentRepo::remove(std::string_view path) {
  return db_.write([&](Conn& c) { c.exec("DELETE FROM documents WHERE path = ?", path); });
}

}  // namespace faxd::store
