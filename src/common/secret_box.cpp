#include "faxd/common/secret_box.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <sodium.h>

namespace faxd {

namespace {

constexpr std::string_view kPrefix = "enc1:";

std::string to_base64(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

}  // namespace

Result<SecretBox> SecretBox::load_or_create(const std::string& path) {
  if (sodium_init() < 0) return fail(Errc::internal, "libsodium cannot start");
  Key key{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key.data(), key.size());
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      return fail(Errc::io,
                  fmt::format("cannot create the key file {}: {}", path, std::strerror(errno)));
    const bool ok = ::write(fd, key.data(), key.size()) == ssize_t(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return fail(Errc::io, fmt::format("cannot write the key file {}", path));
    }
    return SecretBox(key);
  }
  if (fd < 0)
    return fail(Errc::io,
                fmt::format("cannot read the key file {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return fail(Errc::invalid_argument,
                fmt::format("the key file {} may be read by others: chmod 600 it", path));
  }
  const ssize_t n = ::read(fd, key.data(), key.size());
  char extra;
  const ssize_t more = ::read(fd, &extra, 1);
  ::close(fd);
  if (n != ssize_t(key.size()) || more != 0)
    return fail(Errc::invalid_argument,
                fmt::format("the key file {} must hold exactly {} bytes", path, kKeyBytes));
  return SecretBox(key);
}

bool SecretBox::is_sealed(std::string_view stored) noexcept {
  return stored.starts_with(kPrefix);
}

std::string SecretBox::seal(std::string_view plaintext) const {
  if (plaintext.empty()) return {};
  std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  return std::string(kPrefix) +
         to_base64(reinterpret_cast<const unsigned char*>(buf.data()), buf.size());
}

Result<std::string> SecretBox::open(std::string_view stored) const {
  if (!is_sealed(stored)) return std::string(stored);
  stored.remove_prefix(kPrefix.size());
  std::string bin(stored.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), stored.data(),
                        stored.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return fail(Errc::invalid_argument, "a stored secret is damaged");
  const auto* nonce = reinterpret_cast<const unsigned char*>(bin.data());
  std::string out(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 nonce + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, nonce, key_.data()) != 0)
    return fail(Errc::invalid_argument,
                "a stored secret does not open with this key ([daemon] key_file changed?)");
  return out;
}

}  // namespace faxd
