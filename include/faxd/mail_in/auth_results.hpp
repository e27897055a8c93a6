#pragma once
// Authentication-Results (RFC 8601) as a relay writes them ("mx.example.com; spf=pass
// smtp.mailfrom=a@b.example; dkim=fail (bad signature) header.d=b.example; dmarc=none"), and
// the verdict faxd draws from them for email-to-fax.
//
// Which headers are trusted: those whose authserv-id is in `trusted_ids` (case-insensitive), or,
// with no ids configured, only the topmost header (the one the relay in front of faxd added;
// anything below it came with the message and may be forged). A message is refused when a
// trusted header says spf=fail, dmarc=fail, or dkim=fail with no dkim=pass beside it (a message
// may carry several signatures). Softfail, neutral, none, temperror and permerror are not
// refusals; nor is the absence of any header (the relay may not check).
//
// Pure functions; any thread.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faxd::mail_in {

struct AuthResult {
  std::string method;  // lower case: "spf", "dkim", "dmarc", ...
  std::string result;  // lower case: "pass", "fail", ...
  std::vector<std::pair<std::string, std::string>> properties;  // "smtp.mailfrom", "header.d"
};

struct AuthResults {
  std::string authserv_id;
  std::vector<AuthResult> results;  // empty for "none"
};

// nullopt for a header that does not follow the grammar.
std::optional<AuthResults> parse_auth_results(std::string_view value);

struct AuthVerdict {
  bool refused = false;
  std::string reason;  // "SPF failed for sender.example", for the 5xx reply
};

// `headers`: the values of every Authentication-Results header, topmost first.
AuthVerdict judge_auth_results(std::span<const std::string> headers,
                               std::span<const std::string> trusted_ids);

}  // namespace faxd::mail_in
