// load_tls: the server's TLS context from the PEM certificate and key files.
#include "tls_context.hpp"

#include <fmt/format.h>

namespace faxd::http {

namespace ssl = boost::asio::ssl;

// A server TLS context from PEM files: TLS 1.2 or newer, the key checked against the certificate.
Result<std::shared_ptr<ssl::context>> load_tls(const std::string& cert, const std::string& key) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec)
    return fail(Errc::invalid_argument, fmt::format("http.tls_cert {}: {}", cert, ec.message()));
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec)
    return fail(Errc::invalid_argument, fmt::format("http.tls_key {}: {}", key, ec.message()));
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return fail(Errc::invalid_argument,
                fmt::format("http.tls_key {} does not match the certificate {}", key, cert));
  return ctx;
}

}  // namespace faxd::http
