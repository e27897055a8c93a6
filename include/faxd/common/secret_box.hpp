#pragma once
// Secrets at rest: carrier passwords and webhook signing secrets are stored sealed with a key
// that lives outside the database (libsodium secretbox: XSalsa20-Poly1305, a random nonce per
// value), so a copied database or backup does not give them away. Stored form:
// "enc1:" + base64(nonce | MAC | ciphertext). Values without the prefix are plaintext from
// before (open() passes them through; App seals them at start).
//
// The key file holds 32 random bytes; it is created with mode 0600 on first start, and a key
// file that others may read is refused.
//
// Threads: any (immutable after construction).
#include <array>
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"

namespace faxd {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  static Result<SecretBox> load_or_create(const std::string& path);
  static SecretBox from_key(const Key& key) { return SecretBox(key); }

  // "" stays "" (no secret set).
  std::string seal(std::string_view plaintext) const;
  // The plaintext; invalid_argument when a sealed value does not open with this key.
  Result<std::string> open(std::string_view stored) const;
  static bool is_sealed(std::string_view stored) noexcept;

 private:
  explicit SecretBox(const Key& key) : key_(key) {}
  Key key_;
};

}  // namespace faxd
