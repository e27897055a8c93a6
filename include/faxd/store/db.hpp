#pragma once
// The SQL store. `Db` is the interface the rest of faxd talks to, with two implementations:
// SQLite (embedded default: WAL, one writer, a pool of readers) and PostgreSQL (a cluster of
// faxd nodes sharing one database; src/store/pg_db.cpp). Repositories (TenantRepo, FaxRepo, ...)
// hold the SQL and run it through Db::read / Db::write, which hand out a connection, catch
// database failures and turn them into faxd::Error. Statements are prepared once per connection
// and cached.
//
// One SQL text runs on both: `?` placeholders (PostgreSQL's backend numbers them), portable
// functions only, booleans as INTEGER 0/1, timestamps as RFC 3339 TEXT. What must differ lives
// in the backends (Conn::lock_order, the migration dialect), nowhere else.
//
// Transactions: a write is one transaction with the effect of running alone (SQLite: the one
// writer; PostgreSQL: SERIALIZABLE, re-run on a serialization failure), so the callback may run
// more than once and must not touch anything outside the database but its own result. A read sees
// one consistent snapshot.
//
// Threads: any thread may call read/write; a connection is used by one thread at a time.
// Blocking: every call does I/O; the event-loop threads must not call it (use the worker pool).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "faxd/common/error.hpp"

namespace faxd::store {

class Conn;

// Thrown inside the store layer only; Db::read/write convert it to faxd::Error.
struct Failure {
  Errc code;
  std::string message;
  std::string field;
};

template <class T>
struct ResultOf {  // Result<T> for a plain T; Result<U> stays Result<U> (flattened)
  using type = Result<T>;
  static constexpr bool flat = false;
};
template <class U>
struct ResultOf<std::expected<U, Error>> {
  using type = std::expected<U, Error>;
  static constexpr bool flat = true;
};
template <class F>
using ResultFor = typename ResultOf<std::invoke_result_t<F, Conn&>>::type;

class Stmt;
class Conn;

// One open connection. Only valid inside a read/write callback.
class Conn {
 public:
  virtual ~Conn() = default;
  // Prepared (and cached) statement, reset and unbound, ready for bind().
  virtual Stmt& prepare(std::string_view sql) = 0;
  // Runs a statement with the given arguments; returns the number of changed rows.
  template <class... Args>
  int exec(std::string_view sql, const Args&... args);
  virtual int changes() const = 0;
  // Serialises, until the end of this transaction, every transaction that takes the same lock:
  // for rows whose order must be their commit order (a sequence-numbered log such as `events`,
  // read by cursors on other nodes). A no-op on SQLite, whose writer is alone anyway.
  virtual void lock_order(std::string_view name) = 0;
  // Appended to a SELECT that picks rows to claim (a queue): on PostgreSQL " FOR UPDATE SKIP
  // LOCKED", so that nodes claiming at once take different rows instead of waiting for each
  // other; "" on SQLite, whose writer is alone.
  virtual std::string_view skip_locked() const = 0;
};

// A prepared statement of one connection. Null is bound for std::nullopt.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  virtual ~Stmt() = default;

  virtual Stmt& bind(int index, std::int64_t v) = 0;
  Stmt& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Stmt& bind(int index, bool v) { return bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
  virtual Stmt& bind(int index, double v) = 0;
  virtual Stmt& bind(int index, std::string_view v) = 0;
  Stmt& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Stmt& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  virtual Stmt& bind(int index, std::nullopt_t) = 0;
  template <class T>
  Stmt& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }
  // Binary data (a BLOB / BYTEA column).
  virtual Stmt& bind_blob(int index, std::string_view bytes) = 0;
  template <class... Args>
  Stmt& bind_all(const Args&... args) {
    int i = 1;
    (bind(i++, args), ...);
    return *this;
  }

  // Advances; true while a row is available.
  virtual bool step() = 0;
  virtual void reset() = 0;

  // The result's shape (after the first step()): for generic copies such as `faxd store copy`.
  virtual int column_count() const = 0;
  virtual std::string column_name(int col) const = 0;
  virtual bool is_blob(int col) const = 0;

  virtual bool is_null(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;
  int int32(int col) const { return static_cast<int>(int64(col)); }
  bool boolean(int col) const { return int64(col) != 0; }
  virtual double real(int col) const = 0;
  virtual std::string text(int col) const = 0;  // "" for NULL
  virtual std::string blob(int col) const = 0;  // the bytes of a BLOB / BYTEA column
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::optional<std::int64_t> opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
};

template <class... Args>
int Conn::exec(std::string_view sql, const Args&... args) {
  Stmt& st = prepare(sql);
  st.bind_all(args...);
  while (st.step()) {
  }
  return changes();
}

struct Options {
  std::string path;  // SQLite database file; ":memory:" is not supported (readers need the file)
  int readers = 4;   // SQLite: pooled read connections
  int busy_timeout_ms = 5000;
};

struct PgOptions {
  std::string url;       // a libpq connection URI: postgresql://user:pass@host:port/db?...
  int connections = 8;   // pooled connections, opened as needed
  int max_retries = 30;  // a write re-run after serialization failures before giving up
  std::string schema;    // non-empty: create this schema if missing and work in it (tests)
};

enum class Backend { sqlite, postgresql };

// What `[store] url` names: "" or "sqlite:PATH" (PATH relative to data_dir; default faxd.db
// there), or "postgresql://..." / "postgres://...". An error names the url.
struct StoreUrl {
  Backend backend = Backend::sqlite;
  std::string target;  // the SQLite file path, or the libpq URI
  static Result<StoreUrl> parse(std::string_view url, const std::filesystem::path& data_dir);
  // The URL with any password replaced by "***", for logs and messages.
  static std::string redact(std::string_view url);
};

class Db {
 public:
  virtual ~Db() = default;

  // Opens (creating if needed) and migrates to the newest schema version.
  static Result<std::unique_ptr<Db>> open_sqlite(const Options& options);
  static Result<std::unique_ptr<Db>> open_postgresql(const PgOptions& options);
  static Result<std::unique_ptr<Db>> open(const StoreUrl& url);

  virtual Backend backend() const = 0;

  // Runs fn(Conn&) on a read connection. fn returns a value T, or a Result<T> (not nested).
  template <class F>
  ResultFor<F> read(F&& fn) {
    return run(false, std::forward<F>(fn));
  }
  // Runs fn(Conn&) on the writer inside one transaction: committed when fn returns normally
  // (and, for a Result, holds a value); rolled back when it throws a Failure (see abort_tx) or
  // returns an error.
  template <class F>
  ResultFor<F> write(F&& fn) {
    return run(true, std::forward<F>(fn));
  }

  virtual int schema_version() = 0;
  // After rows were copied in with their ids (faxd store copy): generated keys (events.seq)
  // continue after the highest copied value. A no-op on SQLite, which keeps track itself.
  virtual Result<void> resync_sequences() = 0;
  // "ok" when the database checks out (SQLite: PRAGMA integrity_check; PostgreSQL: reachable).
  virtual Result<std::string> integrity_check() = 0;

 protected:
  // Lends a connection for the duration of `body`; for the writer, wraps it in BEGIN IMMEDIATE
  // ... COMMIT/ROLLBACK. Translates Failure and std::exception into Error.
  virtual Result<void> with_connection(bool writer, const std::function<void(Conn&)>& body) = 0;

 private:
  template <class F>
  ResultFor<F> run(bool writer, F&& fn) {
    using T = std::invoke_result_t<F, Conn&>;
    if constexpr (std::is_void_v<T>) {
      return with_connection(writer, [&](Conn& c) { fn(c); });
    } else if constexpr (ResultOf<T>::flat) {
      std::optional<T> out;
      auto r = with_connection(writer, [&](Conn& c) {
        out.emplace(fn(c));
        if (!*out) throw Failure{out->error().code, out->error().message, out->error().field};
      });
      if (!r) return std::unexpected(r.error());
      return std::move(*out);
    } else {
      std::optional<T> out;
      auto r = with_connection(writer, [&](Conn& c) { out.emplace(fn(c)); });
      if (!r) return std::unexpected(r.error());
      return std::move(*out);
    }
  }
};

[[noreturn]] inline void abort_tx(Errc code, std::string message) {
  throw Failure{code, std::move(message)};
}

}  // namespace faxd::store
