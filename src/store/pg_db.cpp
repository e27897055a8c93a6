// PostgreSQL implementation of faxd::store::Db, for a cluster of faxd nodes sharing one
// database. A pool of libpq connections, opened as needed; every statement is prepared once per
// connection (the repositories' `?` placeholders numbered `$1..$n`) and run with text
// parameters whose types the server infers, so the same SQL text serves SQLite and PostgreSQL.
//
// Writes run SERIALIZABLE: a write transaction has the effect of running alone, as on SQLite's
// single writer, and one that loses a race with another node is rolled back and run again (the
// callback must therefore touch nothing but the database). Reads run REPEATABLE READ READ ONLY,
// one snapshot for the whole callback. A broken connection is reset before its next use.
#include <libpq-fe.h>

#include <fmt/format.h>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "faxd/common/embedded.hpp"
#include "faxd/store/db.hpp"
#include "migration_dialect.hpp"

std::span<const faxd::EmbeddedFile> faxd_migrations();

namespace faxd::store {

namespace {

// Thrown by a statement when the server asks for the transaction to be run again.
struct RetryTx {
  std::string message;
};

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Throws the faxd view of a failed result: constraint violations are conflicts, lost
// serialization races are retried, a lost server is an I/O failure.
[[noreturn]] void raise(const PGresult* res, PGconn* conn, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  std::string message =
      fmt::format("{}: {}", what, trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
  if (code == "40001" || code == "40P01") throw RetryTx{std::move(message)};
  Errc errc = Errc::store;
  if (code.starts_with("23"))
    errc = Errc::conflict;
  else if (code.empty() || code.starts_with("08") || code.starts_with("57P") ||
           code.starts_with("53") || code == "58030")
    errc = Errc::io;  // connection lost, server shutting down, disk full
  else if (code == "57014" || code == "55P03")
    errc = Errc::timeout;
  throw Failure{errc, std::move(message)};
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PgConn;

class PgStmt final : public Stmt {
 public:
  PgStmt(PgConn& conn, std::string name, int params)
      : conn_(conn), name_(std::move(name)), values_(params), binary_(params, 0) {}

  Stmt& bind(int i, std::int64_t v) override { return set(i, std::to_string(v), false); }
  Stmt& bind(int i, double v) override { return set(i, fmt::format("{}", v), false); }
  Stmt& bind(int i, std::string_view v) override { return set(i, std::string(v), false); }
  Stmt& bind(int i, std::nullopt_t) override {
    check(i);
    values_[i - 1].reset();
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view bytes) override {
    return set(i, std::string(bytes), true);
  }
  using Stmt::bind;

  bool step() override;
  void reset() override {
    res_.reset();
    row_ = -1;
    executed_ = false;
    for (auto& v : values_) v.reset();
    std::fill(binary_.begin(), binary_.end(), 0);
  }

  int column_count() const override { return res_ ? PQnfields(res_.get()) : 0; }
  std::string column_name(int col) const override {
    const char* n = res_ ? PQfname(res_.get(), col) : nullptr;
    return n ? n : "";
  }
  bool is_blob(int col) const override {
    constexpr Oid kBytea = 17;
    return res_ && PQftype(res_.get(), col) == kBytea;
  }
  bool is_null(int col) const override { return PQgetisnull(cell(col), row_, col) != 0; }
  std::int64_t int64(int col) const override {
    const char* v = PQgetvalue(cell(col), row_, col);
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean expression
    if (v[0] == 'f' && v[1] == '\0') return 0;
    char* end = nullptr;
    const long long n = std::strtoll(v, &end, 10);
    if (end && *end == '.') return static_cast<std::int64_t>(std::strtod(v, nullptr));  // numeric
    return n;
  }
  double real(int col) const override {
    return std::strtod(PQgetvalue(cell(col), row_, col), nullptr);
  }
  std::string text(int col) const override {
    return std::string(PQgetvalue(cell(col), row_, col),
                       static_cast<std::size_t>(PQgetlength(cell(col), row_, col)));
  }
  std::string blob(int col) const override {
    if (is_null(col)) return {};
    std::size_t n = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(cell(col), row_, col)), &n);
    if (!raw) throw Failure{Errc::store, "bytea: cannot decode a column"};
    std::string out(reinterpret_cast<const char*>(raw), n);
    PQfreemem(raw);
    return out;
  }

 private:
  void check(int i) const {
    if (i < 1 || i > static_cast<int>(values_.size()))
      throw Failure{Errc::internal, fmt::format("bind: no parameter {} in {}", i, name_)};
  }
  Stmt& set(int i, std::string v, bool binary) {
    check(i);
    values_[i - 1] = std::move(v);
    binary_[i - 1] = binary ? 1 : 0;
    return *this;
  }
  PGresult* row() const {
    if (!res_ || row_ < 0 || row_ >= PQntuples(res_.get()))
      throw Failure{Errc::internal, "column read without a current row"};
    return res_.get();
  }
  PGresult* cell(int col) const {
    PGresult* r = row();
    if (col < 0 || col >= PQnfields(r))
      throw Failure{Errc::internal, fmt::format("no column {} in the result of {}", col, name_)};
    return r;
  }

  PgConn& conn_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;
  ResultPtr res_;
  int row_ = -1;
  bool executed_ = false;
};

class PgConn final : public Conn {
 public:
  PgConn(std::string url, std::string schema) : url_(std::move(url)), schema_(std::move(schema)) {}
  ~PgConn() override {
    cache_.clear();
    if (conn_) PQfinish(conn_);
  }

  // Connects, or reconnects after a failure; throws Failure{io} when the server is not there.
  void ensure_open() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
    cache_.clear();  // prepared statements die with their session
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      throw Failure{Errc::io, fmt::format("cannot connect to PostgreSQL: {}", msg)};
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // NOTICEs of DDL
    exec_script("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
    if (!schema_.empty()) {
      char* quoted = PQescapeIdentifier(conn_, schema_.data(), schema_.size());
      const std::string name = quoted ? quoted : "";
      PQfreemem(quoted);
      exec_script(fmt::format("CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0}", name));
    }
  }
  bool broken() const { return !conn_ || PQstatus(conn_) != CONNECTION_OK; }

  Stmt& prepare(std::string_view sql) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      int params = 0;
      const std::string text = number_placeholders(sql, &params);
      std::string name = fmt::format("s{}", next_name_++);
      ResultPtr res(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) raise(res.get(), conn_, "prepare");
      it = cache_.emplace(std::string(sql), std::make_unique<PgStmt>(*this, name, params)).first;
    }
    it->second->reset();
    return *it->second;
  }
  int changes() const override { return changes_; }
  void lock_order(std::string_view name) override {
    auto& st = prepare("SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT)))");
    st.bind(1, name);
    while (st.step()) {
    }
  }

  std::string_view skip_locked() const override { return " FOR UPDATE SKIP LOCKED"; }

  void exec_script(const std::string& sql) {
    ResultPtr res(PQexec(conn_, sql.c_str()));
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) raise(res.get(), conn_, "exec");
  }
  // For ROLLBACK after a failure: never throws.
  void exec_quietly(const char* sql) noexcept {
    if (conn_) PQclear(PQexec(conn_, sql));
  }

  PGconn* raw() const { return conn_; }
  void set_changes(int n) { changes_ = n; }

  // `?` -> `$n` outside string literals, quoted identifiers and comments.
  static std::string number_placeholders(std::string_view sql, int* count) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
      const char c = sql[i];
      if (c == '\'' || c == '"') {
        const std::size_t end = sql.find(c, i + 1);
        const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
        out.append(sql.substr(i, stop - i));  // a doubled quote reads as two literals: same text
        i = stop - 1;
      } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
        const std::size_t end = sql.find('\n', i);
        const std::size_t stop = end == std::string_view::npos ? sql.size() : end;
        out.append(sql.substr(i, stop - i));
        i = stop - 1;
      } else if (c == '?') {
        out += fmt::format("${}", ++n);
      } else {
        out += c;
      }
    }
    *count = n;
    return out;
  }

 private:
  std::string url_;
  std::string schema_;
  PGconn* conn_ = nullptr;
  std::map<std::string, std::unique_ptr<PgStmt>, std::less<>> cache_;
  int next_name_ = 1;
  int changes_ = 0;
};

bool PgStmt::step() {
  if (!executed_) {
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      values[i] = values_[i] ? values_[i]->data() : nullptr;
      lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
    }
    res_.reset(PQexecPrepared(conn_.raw(), name_.c_str(), static_cast<int>(values.size()),
                              values.data(), lengths.data(), binary_.data(), 0));
    const auto status = PQresultStatus(res_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      raise(res_.get(), conn_.raw(), "step");
    const char* tuples = PQcmdTuples(res_.get());
    conn_.set_changes(tuples && *tuples ? std::atoi(tuples) : 0);
    executed_ = true;
    row_ = -1;
  }
  return ++row_ < PQntuples(res_.get());
}

class PgDb final : public Db {
 public:
  explicit PgDb(PgOptions o) : options_(std::move(o)) {}

  void open() {
    auto conn = std::make_unique<PgConn>(options_.url, options_.schema);
    conn->ensure_open();
    migrate(*conn);
    idle_.push_back(std::move(conn));
    open_count_ = 1;
  }

  Backend backend() const override { return Backend::postgresql; }

  Result<void> resync_sequences() override {
    return write([](Conn& c) {
      std::vector<std::pair<std::string, std::string>> serials;
      {
        auto& st = c.prepare(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND column_default LIKE 'nextval(%'");
        while (st.step()) serials.emplace_back(st.text(0), st.text(1));
      }
      for (const auto& [table, column] : serials) {
        auto& st = c.prepare(
            fmt::format("SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS TEXT)), "
                        "COALESCE((SELECT max(\"{}\") FROM \"{}\"), 0) + 1, false)",
                        column, table));
        st.bind_all(table, column);
        while (st.step()) {
        }
      }
    });
  }

  int schema_version() override {
    auto v = read([](Conn& c) {
      auto& st = c.prepare("SELECT COALESCE(max(version), 0) FROM schema_migrations");
      return st.step() ? st.int32(0) : 0;
    });
    return v.value_or(0);
  }

  Result<std::string> integrity_check() override {
    return read([](Conn& c) {
      auto& st = c.prepare("SELECT 1");
      return std::string(st.step() && st.int64(0) == 1 ? "ok" : "no answer");
    });
  }

 protected:
  Result<void> with_connection(bool writer, const std::function<void(Conn&)>& body) override {
    std::unique_ptr<PgConn> conn;
    try {
      conn = take();
    } catch (const Failure& e) {
      return std::unexpected(Error{e.code, e.message, e.field});
    }
    auto r = run(*conn, writer, body);
    give_back(std::move(conn));
    return r;
  }

 private:
  Result<void> run(PgConn& conn, bool writer, const std::function<void(Conn&)>& body) {
    std::mt19937 rng(std::random_device{}());
    for (int attempt = 0;; ++attempt) {
      bool committing = false;
      try {
        conn.ensure_open();
        conn.exec_script(writer ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        try {
          body(conn);
          committing = true;
          conn.exec_script("COMMIT");
          return {};
        } catch (...) {
          conn.exec_quietly("ROLLBACK");
          throw;
        }
      } catch (const RetryTx& e) {
        if (attempt >= options_.max_retries)
          return fail(Errc::timeout,
                      fmt::format("gave up after {} retries: {}", attempt, e.message));
        // Back off a little, more each time, at random, so the racers do not meet again.
        std::uniform_int_distribution<int> jitter(0, 1 + std::min(attempt, 10) * 4);
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
      } catch (const Failure& e) {
        // A connection lost before COMMIT was sent (so nothing was committed): reconnect once
        // and run again. Lost during COMMIT, the outcome is unknown: report it.
        if (conn.broken() && attempt == 0 && !committing) continue;
        return std::unexpected(Error{e.code, e.message, e.field});
      } catch (const std::exception& e) {
        return fail(Errc::internal, e.what());
      }
    }
  }

  std::unique_ptr<PgConn> take() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_count_ < options_.connections; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_count_;
    lock.unlock();
    auto c = std::make_unique<PgConn>(options_.url, options_.schema);
    try {
      c->ensure_open();
    } catch (...) {
      std::lock_guard again(mutex_);
      --open_count_;
      cv_.notify_one();
      throw;
    }
    return c;
  }
  void give_back(std::unique_ptr<PgConn> c) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  // Applies every embedded migration not yet recorded, in number order, each in its own
  // transaction with its record. An advisory lock makes nodes that start together take turns.
  void migrate(PgConn& c) {
    // Per schema, so that tests migrating their own schemas do not wait for each other.
    const std::string lock =
        "SELECT pg_advisory_lock(hashtext('faxd.migrations.' || current_schema()))";
    const std::string unlock =
        "SELECT pg_advisory_unlock(hashtext('faxd.migrations.' || current_schema()))";
    c.exec_script(lock);
    try {
      c.exec_script(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
          "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')))");
      std::set<int> applied;
      {
        auto& st = c.prepare("SELECT version FROM schema_migrations");
        while (st.step()) applied.insert(st.int32(0));
      }
      for (const auto& f : faxd_migrations()) {
        const int version = std::stoi(std::string(f.path.substr(0, 4)));
        if (applied.contains(version)) continue;
        c.exec_script("BEGIN");
        try {
          c.exec_script(detail::postgresql_dialect(f.data));
          c.exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", version, f.path);
          c.exec_script("COMMIT");
        } catch (...) {
          c.exec_quietly("ROLLBACK");
          throw;
        }
        applied.insert(version);
        spdlog::info("store.migrated version={} name={} backend=postgresql", version, f.path);
      }
    } catch (...) {
      c.exec_quietly(unlock.c_str());
      throw;
    }
    c.exec_script(unlock);
  }

  PgOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int open_count_ = 0;
};

}  // namespace

Result<std::unique_ptr<Db>> Db::open_postgresql(const PgOptions& options) {
  try {
    auto db = std::make_unique<PgDb>(options);
    db->open();
    return std::unique_ptr<Db>(std::move(db));
  } catch (const Failure& e) {
    return std::unexpected(Error{e.code, e.message, {}});
  } catch (const RetryTx& e) {
    return fail(Errc::store, e.message);
  } catch (const std::exception& e) {
    return fail(Errc::io, e.what());
  }
}

}  // namespace faxd::store
