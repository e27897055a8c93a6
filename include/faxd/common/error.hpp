#pragma once
// Expected failures travel as std::expected<T, Error>: one error enum plus a human message.
// Exceptions are kept for start-up failures and bugs; never across a C callback or an Asio handler.
#include <expected>
#include <string>
#include <string_view>

namespace faxd {

enum class Errc {
  invalid_argument,  // the caller gave something malformed (maps to 4xx at the API edge)
  not_found,
  conflict,     // uniqueness or "still in use"
  unsupported,  // well-formed but not something faxd can handle (e.g. encrypted PDF)
  too_large,
  io,     // file system, socket
  store,  // database failure
  timeout,
  internal,  // a bug or an unexpected library failure
};

std::string_view to_string(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string message;
  std::string field;  // optional: which input field is wrong (for API errors)
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return fail(Errc::not_found, "no such fax");`
inline std::unexpected<Error> fail(Errc code, std::string message, std::string field = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(field)});
}

}  // namespace faxd
