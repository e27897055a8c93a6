#include "faxd/mail/webhook_signature.hpp"

#include <sodium.h>

namespace faxd::mail {

namespace {

std::string to_base64(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

Result<std::string> decode_webhook_secret(std::string_view secret) {
  if (secret.starts_with("whsec_")) secret.remove_prefix(6);
  std::string key(secret.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (secret.empty() ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), secret.data(),
                        secret.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != secret.data() + secret.size())
    return fail(Errc::invalid_argument, "secret: must be \"whsec_\" followed by base64", "secret");
  if (len < 24 || len > 64)
    return fail(Errc::invalid_argument, "secret: the key must be 24 to 64 bytes", "secret");
  key.resize(len);
  return key;
}

std::string new_webhook_secret() {
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return "whsec_" + to_base64(key, sizeof key);
}

std::string sign_webhook(std::string_view key, std::string_view msg_id, std::int64_t timestamp,
                         std::string_view body) {
  const std::string ts = std::to_string(timestamp);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  auto update = [&](std::string_view part) {
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
  };
  update(msg_id);
  update(".");
  update(ts);
  update(".");
  update(body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return "v1," + to_base64(mac, sizeof mac);
}

}  // namespace faxd::mail
