#include "fax_submission.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "faxd/common/time.hpp"
#include "validate.hpp"

namespace faxd::api {

namespace {

// The fields given at most once; `to` and `file` repeat.
constexpr std::array<std::string_view, 8> kSingle{"virtual_fax_id", "country",  "quality",
                                                  "header",         "cover_to", "cover_subject",
                                                  "cover_note",     "send_at"};

bool is_single(std::string_view name) {
  return std::find(kSingle.begin(), kSingle.end(), name) != kSingle.end();
}

// Text a person typed: valid UTF-8 is not checked here (the renderer repairs it), control
// characters are refused except line breaks and tabs where `multiline`.
bool is_text(std::string_view s, bool multiline) {
  return std::none_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < ' ' || u == 0x7f;
  });
}

std::size_t utf8_length(std::string_view s) {
  return std::size_t(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

Result<Submission> read_submission(const std::vector<http::Part>& parts, SysTime now, bool strict) {
  Submission s;
  std::vector<std::string_view> seen;
  for (const auto& p : parts) {
    const std::string_view name = p.name;
    if (name == "file") {
      s.files.push_back(&p);
      continue;
    }
    if (name == "to") {
      if (s.to.size() >= kMaxRecipients)
        return fail(Errc::invalid_argument,
                    fmt::format("to: at most {} numbers in one broadcast", kMaxRecipients), "to");
      s.to.emplace_back(p.data);
      continue;
    }
    if (!is_single(name)) {
      if (strict)
        return fail(Errc::invalid_argument, fmt::format("{}: not a field of a fax", name),
                    std::string(name));
      continue;
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      if (strict)
        return fail(Errc::invalid_argument, fmt::format("{}: given twice", name),
                    std::string(name));
      continue;
    }
    seen.push_back(name);
    std::string value(p.data);
    if (name == "virtual_fax_id")
      s.virtual_fax_id = std::move(value);
    else if (name == "country")
      s.country = std::move(value);
    else if (name == "quality")
      s.quality = std::move(value);
    else if (name == "header")
      s.header = std::move(value);
    else if (name == "cover_to")
      s.cover_to = std::move(value);
    else if (name == "cover_subject")
      s.cover_subject = std::move(value);
    else if (name == "cover_note")
      s.cover_note = std::move(value);
    else if (name == "send_at" && !value.empty()) {
      auto t = parse_rfc3339(value);
      if (!t)
        return fail(Errc::invalid_argument,
                    "send_at: not an RFC 3339 time (like 2026-12-24T09:00:00+01:00)", "send_at");
      if (*t > now + kMaxSchedule)
        return fail(Errc::invalid_argument, "send_at: at most 30 days ahead", "send_at");
      if (*t < now - std::chrono::minutes(5))
        return fail(Errc::invalid_argument, "send_at: in the past", "send_at");
      s.send_at = std::max(*t, now);
    }
  }
  if (s.header && (utf8_length(*s.header) > 50 || !is_printable(*s.header)))
    return fail(Errc::invalid_argument, "header: at most 50 printable characters", "header");
  if (utf8_length(s.cover_to) > 100 || !is_text(s.cover_to, false))
    return fail(Errc::invalid_argument, "cover_to: at most 100 characters on one line", "cover_to");
  if (utf8_length(s.cover_subject) > 200 || !is_text(s.cover_subject, false))
    return fail(Errc::invalid_argument, "cover_subject: at most 200 characters on one line",
                "cover_subject");
  if (utf8_length(s.cover_note) > 3000 || !is_text(s.cover_note, true))
    return fail(Errc::invalid_argument, "cover_note: at most 3000 characters", "cover_note");
  return s;
}

}  // namespace faxd::api
