#pragma once
// A small SDP model (RFC 4566) with a tolerant parser and a printer, plus the T.38 attribute
// mapping of ITU-T T.38 Annex D. Pure: no I/O, no sofia. faxd owns its SDP (nua runs with media
// disabled), so everything the peer sends goes through `parse_sdp` and everything we send comes
// out of `print_sdp`.
//
// Tolerance (see ../shared/design/engine-notes.md): CRLF or LF line ends, unknown lines kept,
// `udptl`/`UDPTL` compared case-insensitively, T.38 attribute names case-insensitive and in
// their known alternative spellings, booleans bare or `:0`/`:1`, and `m=image` with no
// attributes at all (the defaults of T38Params apply).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/media/t38_params.hpp"

namespace faxd::sip {

struct SdpAttribute {
  std::string name;
  std::string value;
  bool has_value = false;  // `a=name:value` vs a bare `a=name`
};

struct SdpMedia {
  std::string media;  // "audio", "image", ...
  std::uint16_t port = 0;
  std::string proto;  // "RTP/AVP", "udptl", ...
  std::vector<std::string> formats;
  std::string connection;  // media-level c= address; empty = the session's
  std::vector<SdpAttribute> attributes;
  std::vector<std::string> other_lines;  // b=, i=, k= lines kept verbatim ("b=AS:64")

  bool is_audio() const;
  bool is_t38() const;                                    // m=image ... udptl t38 (any case)
  const SdpAttribute* find(std::string_view name) const;  // case-insensitive
};

struct Sdp {
  std::string origin_user = "-";
  std::string session_id = "0";
  std::uint64_t session_version = 0;
  std::string origin_address = "0.0.0.0";
  std::string session_name = "-";
  std::string connection;                // session-level c= address
  std::vector<SdpAttribute> attributes;  // session-level
  std::vector<SdpMedia> media;

  // The address media `index` is sent to: its own c= line, else the session's.
  const std::string& address_of(std::size_t index) const;
};

// Parses an SDP body. Fails on missing v=/m= essentials or malformed m= lines; ignores what it
// does not know.
Result<Sdp> parse_sdp(std::string_view text);
// Prints with CRLF line ends; IP4/IP6 chosen from each address.
std::string print_sdp(const Sdp& sdp);

// The T.38 parameters a media description states. Missing attributes take the defaults a bare
// `m=image` implies: version 0, 14400, transferredTCF, redundancy.
media::T38Params parse_t38_params(const SdpMedia& media);
// Appends our T.38 attributes (false booleans and zero sizes are left out).
void add_t38_attributes(SdpMedia& media, const media::T38Params& params);

bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace faxd::sip
