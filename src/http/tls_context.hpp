#pragma once
// load_tls: the server's TLS context from the PEM certificate and key files (used by server.cpp).
#include <memory>
#include <string>

#include <boost/asio/ssl.hpp>

#include "faxd/common/error.hpp"

namespace faxd::http {

// A server TLS context from PEM files: TLS 1.2 or newer, the key checked against the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> load_tls(const std::string& cert,
                                                            const std::string& key);

}  // namespace faxd::http
