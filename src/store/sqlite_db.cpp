// SQLite implementation of faxd::store::Db: WAL journal, one writer connection serialized by a
// mutex (SQLite allows one writer anyway; queuing here avoids SQLITE_BUSY), and a pool of reader
// connections that see the last committed state.
#include <sqlite3.h>

#include <fmt/format.h>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include <spdlog/spdlog.h>

#include "faxd/common/embedded.hpp"
#include "faxd/store/db.hpp"
#include "migration_dialect.hpp"

std::span<const faxd::EmbeddedFile> faxd_migrations();

namespace faxd::store {

namespace {

Errc classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return Errc::conflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Errc::timeout;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Errc::io;
    default:
      return Errc::store;
  }
}

[[noreturn]] void raise(sqlite3* db, int rc, std::string_view what) {
  throw Failure{classify(rc),
                fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
}

class SqliteStmt final : public Stmt {
 public:
  explicit SqliteStmt(sqlite3_stmt* s) : s_(s) {}
  ~SqliteStmt() override { sqlite3_finalize(s_); }

  Stmt& bind(int i, std::int64_t v) override {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) override {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) override {
    sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }
  Stmt& bind(int i, std::nullopt_t) override {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view bytes) override {
    sqlite3_bind_blob64(s_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    return *this;
  }
  using Stmt::bind;
  bool step() override {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    raise(sqlite3_db_handle(s_), rc, "step");
  }
  void reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int column_count() const override { return sqlite3_column_count(s_); }
  std::string column_name(int col) const override {
    const char* n = sqlite3_column_name(s_, col);
    return n ? n : "";
  }
  bool is_blob(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_BLOB; }
  bool is_null(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const override { return sqlite3_column_int64(s_, col); }
  double real(int col) const override { return sqlite3_column_double(s_, col); }
  std::string text(int col) const override {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string{};
  }
  std::string blob(int col) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string{};
  }

 private:
  sqlite3_stmt* s_;
};

class SqliteConn final : public Conn {
 public:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  ~SqliteConn() override {
    cache_.clear();
    sqlite3_close_v2(db_);
  }
  Stmt& prepare(std::string_view sql) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* s = nullptr;
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &s, nullptr);
      if (rc != SQLITE_OK) raise(db_, rc, "prepare");
      it = cache_.emplace(std::string(sql), std::make_unique<SqliteStmt>(s)).first;
    }
    it->second->reset();
    used_.push_back(it->second.get());
    return *it->second;
  }
  // Resets every statement handed out since the last call. A SELECT that was not stepped to
  // its end keeps its read snapshot open, and a pooled reader would then never see new commits.
  void release_statements() {
    for (Stmt* s : used_) s->reset();
    used_.clear();
  }
  int changes() const override { return sqlite3_changes(db_); }
  void lock_order(std::string_view) override {}  // the writer is alone
  std::string_view skip_locked() const override { return ""; }
  void exec_script(const char* sql) {
    char* err = nullptr;
    if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      throw Failure{classify(rc), msg};  // a COMMIT on a full disk is SQLITE_FULL: io
    }
  }
  sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStmt>, std::less<>> cache_;
  std::vector<Stmt*> used_;
};

std::unique_ptr<SqliteConn> open_conn(const Options& o, bool writer) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(o.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw Failure{Errc::io, fmt::format("cannot open database {}: {}", o.path, msg)};
  }
  auto c = std::make_unique<SqliteConn>(db);
  sqlite3_busy_timeout(db, o.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  if (writer) c->exec_script("PRAGMA journal_mode=WAL;");
  c->exec_script(
      "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
      "PRAGMA cache_size=-16000;");
  return c;
}

class SqliteDb final : public Db {
 public:
  explicit SqliteDb(Options o) : options_(std::move(o)) {}

  void open() {
    writer_ = open_conn(options_, true);
    migrate();
    for (int i = 0; i < options_.readers; ++i) readers_.push_back(open_conn(options_, false));
  }

  int schema_version() override {
    std::lock_guard lock(write_mutex_);
    auto& st = writer_->prepare("PRAGMA user_version");
    const int v = st.step() ? st.int32(0) : 0;
    writer_->release_statements();
    return v;
  }

  Backend backend() const override { return Backend::sqlite; }
  Result<void> resync_sequences() override { return {}; }

  Result<std::string> integrity_check() override {
    return read([](Conn& c) {
      auto& st = c.prepare("PRAGMA integrity_check");
      std::string out;
      while (st.step()) out += (out.empty() ? "" : "; ") + st.text(0);
      return out;
    });
  }

 protected:
  Result<void> with_connection(bool writer, const std::function<void(Conn&)>& body) override {
    if (writer) {
      std::lock_guard lock(write_mutex_);
      return guarded([&] {
        writer_->exec_script("BEGIN IMMEDIATE");
        try {
          body(*writer_);
          writer_->release_statements();
          writer_->exec_script("COMMIT");
        } catch (...) {
          writer_->release_statements();
          sqlite3_exec(writer_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
          throw;
        }
      });
    }
    std::unique_ptr<SqliteConn> conn;
    {
      std::unique_lock lock(pool_mutex_);
      pool_cv_.wait(lock, [&] { return !readers_.empty(); });
      conn = std::move(readers_.back());
      readers_.pop_back();
    }
    auto r = guarded([&] {
      // A read sees one consistent snapshot even across several statements.
      conn->exec_script("BEGIN");
      try {
        body(*conn);
        conn->release_statements();
        conn->exec_script("COMMIT");
      } catch (...) {
        conn->release_statements();
        sqlite3_exec(conn->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    });
    {
      std::lock_guard lock(pool_mutex_);
      readers_.push_back(std::move(conn));
    }
    pool_cv_.notify_one();
    return r;
  }

 private:
  template <class F>
  static Result<void> guarded(F&& f) {
    try {
      f();
      return {};
    } catch (const Failure& e) {
      return std::unexpected(Error{e.code, e.message, e.field});
    } catch (const std::exception& e) {
      return fail(Errc::internal, e.what());
    }
  }

  // Applies every embedded migration NNNN_name.sql not yet recorded in schema_migrations, in
  // number order, each in its own transaction together with its record. Recording each number
  // (not only the highest) means a migration that lands after a higher-numbered one is still
  // applied. PRAGMA user_version mirrors the highest number, for humans.
  void migrate() {
    writer_->exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')))");
    std::set<int> applied;
    {
      auto& st = writer_->prepare("SELECT version FROM schema_migrations");
      while (st.step()) applied.insert(st.int32(0));
      writer_->release_statements();
    }
    for (const auto& f : faxd_migrations()) {
      const int version = std::stoi(std::string(f.path.substr(0, 4)));
      if (applied.contains(version)) continue;
      writer_->exec_script("BEGIN IMMEDIATE");
      try {
        writer_->exec_script(detail::sqlite_dialect(f.data).c_str());
        writer_->exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", version,
                      f.path);
        writer_->release_statements();
        const int top = std::max(version, applied.empty() ? 0 : *applied.rbegin());
        writer_->exec_script(fmt::format("PRAGMA user_version={};", top).c_str());
        writer_->exec_script("COMMIT");
      } catch (...) {
        writer_->release_statements();
        sqlite3_exec(writer_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
      applied.insert(version);
      spdlog::info("store.migrated version={} name={}", version, f.path);
    }
  }

  Options options_;
  std::mutex write_mutex_;
  std::unique_ptr<SqliteConn> writer_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConn>> readers_;
};

}  // namespace

Result<std::unique_ptr<Db>> Db::open_sqlite(const Options& options) {
  try {
    if (const auto dir = std::filesystem::path(options.path).parent_path(); !dir.empty())
      std::filesystem::create_directories(dir);
    auto db = std::make_unique<SqliteDb>(options);
    db->open();
    return std::unique_ptr<Db>(std::move(db));
  } catch (const Failure& e) {
    return std::unexpected(Error{e.code, e.message, {}});
  } catch (const std::exception& e) {
    return fail(Errc::io, e.what());
  }
}

}  // namespace faxd::store
