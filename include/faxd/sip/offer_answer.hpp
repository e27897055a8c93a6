#pragma once
// SDP offer/answer for fax calls (RFC 3264), pure functions over the Sdp model.
//
// What we offer: G.711 audio first (PCMU, PCMA; ptime 20; with [media] rtp_redundancy also
// RFC 2198 "red" as payload type 96, taken when the answer keeps it), then T.38 by re-INVITE as a
// single `m=image PORT udptl t38` stream. What we answer: the offer's m-lines in the same order and
// count, one accepted stream and every other stream refused with port 0. With T.38 allowed an
// image stream wins over audio (a direct T.38 offer in the initial INVITE is taken as is).
//
// T.38 negotiation (T.38 Annex D): version and bit rate are the lower of both sides; rate
// management and UDP error correction follow the offer; each side states its own MaxBuffer and
// MaxDatagram. The parameters handed to the media engine are the peer's (its MaxDatagram bounds
// what we send) with the negotiated version, bit rate, rate management and error correction.
#include <optional>
#include <string>

#include "faxd/fax/call_media.hpp"
#include "faxd/media/t38_params.hpp"
#include "faxd/sip/sdp.hpp"

namespace faxd::sip {

// Our side of the media, as the CallMedia allocated it.
struct LocalMedia {
  std::string address;  // written into c= and o= (the public address when behind NAT)
  std::uint16_t rtp_port = 0;
  std::uint16_t udptl_port = 0;
  media::T38Params t38;         // what we advertise for T.38
  bool rtp_redundancy = false;  // offer and accept RFC 2198 "red" beside G.711
};

enum class StreamKind { none, audio, t38 };

// The stream both sides agreed on.
struct Negotiated {
  StreamKind kind = StreamKind::none;
  fax::Endpoint remote;
  fax::AudioCodec codec = fax::AudioCodec::pcmu;  // audio only
  int red_pt = -1;       // audio only: the payload type of RFC 2198 "red" both sides took; -1 none
  media::T38Params t38;  // t38 only: see the header comment
  bool operator==(const Negotiated&) const = default;
};

struct Answer {
  Sdp sdp;            // the answer body (o= version left for the caller to set)
  Negotiated chosen;  // kind none: nothing acceptable (answer the request with 488)
};

// Offers (o= session version left for the caller to set).
Sdp make_audio_offer(const LocalMedia& local);
Sdp make_t38_offer(const LocalMedia& local);

// Answers an offer. `allow_t38` false refuses image streams.
Answer answer_offer(const Sdp& offer, const LocalMedia& local, bool allow_t38);

// Reads the answer to one of our offers: the first accepted stream (port != 0) we can use.
Negotiated read_answer(const Sdp& answer, const LocalMedia& local);

// True when two descriptions carry the same media (everything but the o= line): a re-INVITE
// with such a body is a refresh, not a change.
bool same_media(const Sdp& a, const Sdp& b);

}  // namespace faxd::sip
