#pragma once
// Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"):
//   webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>
//
// Secrets: faxd stores and accepts secrets the way the Standard Webhooks libraries read them:
// "whsec_" followed by standard base64 of the key (24 to 64 bytes); the prefix may be left out
// (plain base64). A user who creates a webhook without a secret gets a generated one, shown once.
// So a receiver can verify with any Standard Webhooks library given the same secret string.
// Pure functions (libsodium); init_crypto() must have run.
#include <cstdint>
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"

namespace faxd::mail {

// The raw HMAC key of a secret string; invalid_argument (field "secret") when malformed.
Result<std::string> decode_webhook_secret(std::string_view secret);
// A new "whsec_" secret with a 32-byte random key.
std::string new_webhook_secret();
// "v1,<base64>" for the given key bytes.
std::string sign_webhook(std::string_view key, std::string_view msg_id, std::int64_t timestamp,
                         std::string_view body);

}  // namespace faxd::mail
