#pragma once
// The fields of a fax submission (POST /faxes, POST /faxes/preview) read from multipart parts,
// checked field by field. POST /faxes is strict (api.md): a field it does not know, or one given
// twice where one is allowed, is an error; the preview reads the same fields and ignores others.
// Pure; any thread.
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/http/multipart.hpp"

namespace faxd::api {

inline constexpr std::size_t kMaxRecipients = 100;  // `to` parts in one broadcast
inline constexpr auto kMaxSchedule = std::chrono::hours(24 * 30);

struct Submission {
  std::string virtual_fax_id;
  std::vector<std::string> to;         // as given, in order
  std::optional<std::string> country;  // for national numbers
  std::string quality = "fine";
  std::optional<std::string> header;  // unset: the virtual fax's
  std::string cover_to;
  std::string cover_subject;
  std::string cover_note;
  std::optional<SysTime> send_at;
  std::vector<const http::Part*> files;

  bool has_cover() const {
    return !cover_to.empty() || !cover_subject.empty() || !cover_note.empty();
  }
};

// Errors are invalid_argument naming the field. `now` bounds send_at (not more than 30 days
// ahead; more than 5 minutes past is refused, less is "now").
Result<Submission> read_submission(const std::vector<http::Part>& parts, SysTime now, bool strict);

}  // namespace faxd::api
