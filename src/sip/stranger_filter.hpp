#pragma once
// INVITEs from strangers (addresses that are no carrier's) must not be answered the way sofia's
// transaction layer would: a 100 Trying and a 403 retransmitted about ten times (RFC 3261 Timer G)
// to a source that never ACKs, because the source is forged. That turned faxd into a reflector
// (one spoofed datagram drew ~20x its size). So the engine reads such datagrams off sofia's UDP
// socket itself, before sofia sees them, and answers each at most once, statelessly
// ([sip] strangers = "reject": one 403; "drop": nothing). Pure parsing here; the socket work is
// in engine_impl.cpp.
#include <optional>
#include <string>
#include <string_view>

namespace faxd::sip::detail {

struct DatagramHead {
  bool is_request = false;
  std::string method;  // "INVITE", ...
  bool has_to_tag = false;
};

// The first line and To header of a SIP datagram; nullopt when it is not SIP at all.
std::optional<DatagramHead> peek_sip(std::string_view datagram);

// A stateless response to `request` (Via, From, To with a tag added, Call-ID and CSeq copied;
// nothing else), never larger than the request. nullopt for an ACK, a response or garbage.
std::optional<std::string> stateless_reply(std::string_view request, int status,
                                           std::string_view reason, std::string_view server);

}  // namespace faxd::sip::detail
