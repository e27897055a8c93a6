#include "faxd/store/store_copy.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <set>

#include "faxd/store/document_repo.hpp"

namespace faxd::store {

namespace {

struct ForeignKey {
  std::string column;
  std::string references;
  bool nullable = true;  // only a nullable column can be copied as NULL and set afterwards
};

struct Table {
  std::string name;
  std::vector<ForeignKey> keys;
  std::string primary_key;         // single-column primary key, "" if none or composite
  std::set<std::string> deferred;  // columns copied as NULL, then set once every row exists
};

constexpr int kBatch = 500;

std::string ident(std::string_view name) {
  return fmt::format("\"{}\"", name);
}

Result<std::vector<Table>> read_catalogue(Db& from) {
  return from.read([](Conn& c) {
    std::vector<Table> tables;
    {
      auto& st = c.prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND "
          "name <> 'schema_migrations' ORDER BY name");
      while (st.step()) tables.push_back({.name = st.text(0)});
    }
    for (auto& t : tables) {
      auto& keys = c.prepare("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)");
      keys.bind(1, t.name);
      while (keys.step())
        if (keys.text(1) != t.name) t.keys.push_back({keys.text(0), keys.text(1), true});
      auto& cols = c.prepare("SELECT name, pk, \"notnull\" FROM pragma_table_info(?)");
      cols.bind(1, t.name);
      int pk_columns = 0;
      while (cols.step()) {
        if (cols.int64(1) > 0) {
          ++pk_columns;
          t.primary_key = cols.text(0);
        }
        for (auto& k : t.keys)
          if (k.column == cols.text(0)) k.nullable = cols.int64(2) == 0;
      }
      if (pk_columns != 1) t.primary_key.clear();
    }
    return tables;
  });
}

// Whether `target` can be reached from `from` by following keys to tables not copied yet.
bool reaches(const std::vector<Table>& left, const std::string& from, const std::string& target) {
  std::set<std::string> seen;
  std::vector<std::string> stack{from};
  while (!stack.empty()) {
    const auto name = stack.back();
    stack.pop_back();
    auto t = std::find_if(left.begin(), left.end(), [&](const Table& x) { return x.name == name; });
    if (t == left.end()) continue;
    for (const auto& k : t->keys) {
      if (t->deferred.contains(k.column)) continue;
      if (k.references == target) return true;
      if (seen.insert(k.references).second) stack.push_back(k.references);
    }
  }
  return false;
}

// Tables in an order where each comes after the tables it references. When only cycles are
// left, a table on one of them (with a primary key) whose keys back into the cycle are all
// nullable gets those keys deferred: copied as NULL, set once every row exists. A table that
// merely waits for a cycle is never deferred (its NOT NULL keys could not be).
Result<std::vector<Table>> copy_order(std::vector<Table> tables) {
  std::vector<Table> ordered;
  std::set<std::string> done;
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const Table& t) {
      return std::all_of(t.keys.begin(), t.keys.end(), [&](const ForeignKey& k) {
        return done.contains(k.references) || t.deferred.contains(k.column);
      });
    });
    if (ready == tables.end()) {
      bool broke = false;
      for (auto& t : tables) {
        if (t.primary_key.empty()) continue;
        std::vector<std::string> back;  // keys that lead back to t
        bool deferrable = true;
        for (const auto& k : t.keys) {
          if (done.contains(k.references) || t.deferred.contains(k.column)) continue;
          if (k.references != t.name && !reaches(tables, k.references, t.name)) continue;
          back.push_back(k.column);
          deferrable = deferrable && k.nullable;
        }
        if (back.empty() || !deferrable) continue;
        t.deferred.insert(back.begin(), back.end());
        broke = true;
        break;
      }
      if (!broke)
        return fail(Errc::unsupported,
                    "store copy: a foreign-key cycle with no nullable key to break it");
      continue;
    }
    done.insert(ready->name);
    ordered.push_back(std::move(*ready));
    tables.erase(ready);
  }
  return ordered;
}

Result<void> check_empty(Db& to, const std::vector<Table>& tables) {
  return to.read([&](Conn& c) -> Result<void> {
    for (const auto& t : tables) {
      auto& st = c.prepare(fmt::format("SELECT count(*) FROM {}", ident(t.name)));
      st.step();
      if (const auto n = st.int64(0); n > 0)
        return fail(Errc::conflict,
                    fmt::format("store copy: the target is not empty ({} holds {} row{}): copy "
                                "into a new database",
                                t.name, n, n == 1 ? "" : "s"));
    }
    return {};
  });
}

// One row as read from the source, each value bound the way it came.
struct Value {
  enum class Kind { null, text, blob } kind = Kind::null;
  std::string bytes;
};
using Row = std::vector<Value>;

Result<void> insert_rows(Db& to, const std::string& sql, const std::vector<Row>& rows) {
  return to.write([&](Conn& c) {
    for (const auto& row : rows) {
      auto& st = c.prepare(sql);
      for (std::size_t i = 0; i < row.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        switch (row[i].kind) {
          case Value::Kind::null:
            st.bind(index, std::nullopt);
            break;
          case Value::Kind::text:
            st.bind(index, row[i].bytes);
            break;
          case Value::Kind::blob:
            st.bind_blob(index, row[i].bytes);
            break;
        }
      }
      while (st.step()) {
      }
    }
  });
}

Result<std::int64_t> copy_table(Db& from, Db& to, const Table& t) {
  std::int64_t copied = 0;
  std::string insert;
  std::vector<Row> batch;
  Result<void> written;
  auto flush = [&] {
    if (!batch.empty() && written) written = insert_rows(to, insert, batch);
    batch.clear();
  };
  auto read = from.read([&](Conn& c) {
    auto& st = c.prepare(fmt::format("SELECT * FROM {}", ident(t.name)));
    while (st.step() && written) {
      const int n = st.column_count();
      if (insert.empty()) {
        std::string cols, marks;
        for (int i = 0; i < n; ++i) {
          cols += (i ? ", " : "") + ident(st.column_name(i));
          marks += i ? ", ?" : "?";
        }
        insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", ident(t.name), cols, marks);
      }
      Row row(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        if (st.is_null(i) || t.deferred.contains(st.column_name(i))) continue;
        row[i] = st.is_blob(i) ? Value{Value::Kind::blob, st.blob(i)}
                               : Value{Value::Kind::text, st.text(i)};
      }
      batch.push_back(std::move(row));
      ++copied;
      if (batch.size() >= kBatch) flush();
    }
    flush();
  });
  if (!read) return std::unexpected(read.error());
  if (!written) return std::unexpected(written.error());
  return copied;
}

Result<void> copy_deferred(Db& from, Db& to, const Table& t) {
  for (const auto& column : t.deferred) {
    auto pairs = from.read([&](Conn& c) {
      std::vector<std::pair<std::string, std::string>> out;
      auto& st =
          c.prepare(fmt::format("SELECT {}, {} FROM {} WHERE {} IS NOT NULL", ident(t.primary_key),
                                ident(column), ident(t.name), ident(column)));
      while (st.step()) out.emplace_back(st.text(0), st.text(1));
      return out;
    });
    if (!pairs) return std::unexpected(pairs.error());
    auto r = to.write([&](Conn& c) {
      for (const auto& [key, value] : *pairs)
        c.exec(fmt::format("UPDATE {} SET {} = ? WHERE {} = ?", ident(t.name), ident(column),
                           ident(t.primary_key)),
               value, key);
    });
    if (!r) return r;
  }
  return {};
}

Result<int> copy_documents(Db& from, Db& to, const DocumentReader& read_document, SysTime now) {
  auto names = from.read([](Conn& c) {
    std::vector<std::string> out;
    auto& st = c.prepare("SELECT document FROM faxes WHERE document IS NOT NULL");
    while (st.step()) out.push_back(st.text(0));
    return out;
  });
  if (!names) return std::unexpected(names.error());
  DocumentRepo documents(to);
  int copied = 0;
  for (const auto& tiff : *names) {
    std::string pdf = tiff;
    if (const auto dot = pdf.rfind('.'); dot != std::string::npos)
      pdf.replace(dot, pdf.npos, ".pdf");
    for (const auto& name : {tiff, pdf}) {
      auto bytes = read_document(name);
      if (!bytes) continue;  // a PDF not made yet, or a document already gone
      if (auto r = documents.put(name, *bytes, now); !r) return std::unexpected(r.error());
      ++copied;
    }
  }
  return copied;
}

}  // namespace

Result<CopyReport> copy_store(Db& from, Db& to, const DocumentReader& read_document, SysTime now) {
  if (from.backend() != Backend::sqlite)
    return fail(Errc::unsupported, "store copy: the source must be a SQLite store");
  if (from.schema_version() != to.schema_version())
    return fail(Errc::conflict, fmt::format("store copy: schema versions differ ({} and {})",
                                            from.schema_version(), to.schema_version()));
  auto catalogue = read_catalogue(from);
  if (!catalogue) return std::unexpected(catalogue.error());
  auto ordered = copy_order(std::move(*catalogue));
  if (!ordered) return std::unexpected(ordered.error());
  if (auto empty = check_empty(to, *ordered); !empty) return std::unexpected(empty.error());
  CopyReport report;
  for (const auto& t : *ordered) {
    auto n = copy_table(from, to, t);
    if (!n) return std::unexpected(n.error());
    report.rows.emplace_back(t.name, *n);
  }
  for (const auto& t : *ordered)
    if (auto r = copy_deferred(from, to, t); !r) return std::unexpected(r.error());
  if (to.backend() != Backend::sqlite) {  // an embedded target keeps documents as files
    auto docs = copy_documents(from, to, read_document, now);
    if (!docs) return std::unexpected(docs.error());
    report.documents = *docs;
  }
  if (auto r = to.resync_sequences(); !r) return std::unexpected(r.error());
  return report;
}

}  // namespace faxd::store
