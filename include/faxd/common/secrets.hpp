#pragma once
// Password hashing (argon2id, libsodium's interactive limits) and token digests (SHA-256).
#include <string>
#include <string_view>

namespace faxd {

// Must be called once before any other function here (sodium_init); safe to call again.
bool init_crypto() noexcept;
// A libsodium "$argon2id$..." string, or "" if hashing failed (out of memory).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view hash, std::string_view password) noexcept;
// Lowercase hex SHA-256, for storing API tokens and session ids.
std::string sha256_hex(std::string_view data);
// A new random bearer token: "fxd_" + 40 hex characters.
std::string new_token();

}  // namespace faxd
