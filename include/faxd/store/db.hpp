#pragma once
// The SQL store. `Db` is the interface the rest of faxd talks to; SQLite (WAL, one writer, a
// pool of readers) is the embedded implementation. Repositories (TenantRepo, FaxRepo, ...) hold
// the SQL and run it through Db::read / Db::write, which hand out a connection, catch database
// failures and turn them into faxd::Error. Statements are prepared once per connection and cached.
//
// Threads: any thread may call read/write; a connection is used by one thread at a time.
// Blocking: every call does file I/O; the event-loop threads must not call it (use the worker
// pool).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "faxd/common/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

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
};

// Null is bound for std::nullopt.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, std::int64_t v);
  Stmt& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Stmt& bind(int index, bool v) { return bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
  Stmt& bind(int index, double v);
  Stmt& bind(int index, std::string_view v);
  Stmt& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Stmt& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Stmt& bind(int index, std::nullopt_t);
  template <class T>
  Stmt& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }
  template <class... Args>
  Stmt& bind_all(const Args&... args) {
    int i = 1;
    (bind(i++, args), ...);
    return *this;
  }

  // Advances; true while a row is available.
  bool step();
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  int int32(int col) const { return static_cast<int>(int64(col)); }
  bool boolean(int col) const { return int64(col) != 0; }
  double real(int col) const;
  std::string text(int col) const;  // "" for NULL
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  sqlite3_stmt* s_;
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
  std::string path;  // database file; ":memory:" is not supported (readers need the file)
  int readers = 4;   // pooled read connections
  int busy_timeout_ms = 5000;
};

class Db {
 public:
  virtual ~Db() = default;

  // Opens (creating if needed) and migrates to the newest schema version.
  static Result<std::unique_ptr<Db>> open_sqlite(const Options& options);

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
  // "ok" when PRAGMA integrity_check passes.
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
