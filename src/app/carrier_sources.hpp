#pragma once
// The addresses inbound SIP is taken from: every carrier's host, resolved to IP literals
// (carriers may be configured by DNS name). Blocking (store read, DNS); the App runs it on the
// worker pool every few seconds and hands the result to the SIP engine.
#include <string>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/store/carrier_repo.hpp"

namespace faxd::app {

Result<std::vector<std::string>> carrier_source_addresses(store::CarrierRepo& carriers);

}  // namespace faxd::app
