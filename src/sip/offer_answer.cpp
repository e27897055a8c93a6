#include "faxd/sip/offer_answer.hpp"

#include <algorithm>

namespace faxd::sip {
namespace {

Sdp base_sdp(const LocalMedia& local) {
  Sdp s;
  s.origin_user = "faxd";
  s.origin_address = local.address;
  s.session_name = "faxd";
  s.connection = local.address;
  return s;
}

constexpr int kRedPayloadType = 96;  // what we offer RFC 2198 "red" as

SdpMedia audio_media(const LocalMedia& local, std::optional<fax::AudioCodec> only, int red_pt) {
  SdpMedia m;
  m.media = "audio";
  m.port = local.rtp_port;
  m.proto = "RTP/AVP";
  auto add_codec = [&](fax::AudioCodec c) {
    const int pt = static_cast<int>(c);
    m.formats.push_back(std::to_string(pt));
    m.attributes.push_back(SdpAttribute{
        "rtpmap", std::to_string(pt) + (c == fax::AudioCodec::pcmu ? " PCMU/8000" : " PCMA/8000"),
        true});
  };
  if (only) {
    add_codec(*only);
  } else {
    add_codec(fax::AudioCodec::pcmu);
    add_codec(fax::AudioCodec::pcma);
  }
  if (red_pt >= 0) {
    // No fmtp: the blocks may be of any payload type of the m= line (RFC 2198 section 5); ours
    // are all of the agreed G.711 codec.
    m.formats.push_back(std::to_string(red_pt));
    m.attributes.push_back(SdpAttribute{"rtpmap", std::to_string(red_pt) + " red/8000", true});
  }
  m.attributes.push_back(SdpAttribute{"ptime", "20", true});
  m.attributes.push_back(SdpAttribute{"sendrecv", "", false});
  return m;
}

SdpMedia image_media(const LocalMedia& local, const media::T38Params& params) {
  SdpMedia m;
  m.media = "image";
  m.port = local.udptl_port;
  m.proto = "udptl";
  m.formats = {"t38"};
  add_t38_attributes(m, params);
  return m;
}

SdpMedia refused(const SdpMedia& offered) {
  SdpMedia m;
  m.media = offered.media;
  m.port = 0;
  m.proto = offered.proto;
  m.formats = offered.formats;
  if (m.formats.empty()) m.formats = {"0"};
  return m;
}

// The first G.711 payload type the media offers (by static number or by rtpmap name).
std::optional<fax::AudioCodec> pick_codec(const SdpMedia& m) {
  if (!iequals(m.proto, "RTP/AVP") && !iequals(m.proto, "RTP/AVPF")) return std::nullopt;
  for (const auto& f : m.formats) {
    if (f == "0") return fax::AudioCodec::pcmu;
    if (f == "8") return fax::AudioCodec::pcma;
  }
  return std::nullopt;
}

// The dynamic payload type the media gives RFC 2198 "red" at 8000 Hz, or -1.
int pick_red(const SdpMedia& m) {
  for (const auto& a : m.attributes) {
    if (!iequals(a.name, "rtpmap")) continue;
    const auto space = a.value.find(' ');
    if (space == std::string::npos) continue;
    const std::string pt = a.value.substr(0, space);
    std::string_view enc = std::string_view(a.value).substr(space + 1);
    while (!enc.empty() && enc.back() == ' ') enc.remove_suffix(1);
    if (!iequals(enc, "red/8000") && !iequals(enc, "red/8000/1")) continue;
    if (std::find(m.formats.begin(), m.formats.end(), pt) == m.formats.end()) continue;
    if (pt.empty() || pt.size() > 3 || pt.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const int n = std::stoi(pt);
    if (n >= 96 && n <= 127) return n;
  }
  return -1;
}

fax::Endpoint endpoint_of(const Sdp& sdp, std::size_t index) {
  return fax::Endpoint{sdp.address_of(index), sdp.media[index].port};
}

// What we run with, from the peer's parameters and ours (see the header comment).
media::T38Params negotiated_peer(const media::T38Params& peer, const media::T38Params& ours) {
  media::T38Params p = peer;
  p.version = std::min(peer.version, ours.version);
  p.max_bit_rate = std::min(peer.max_bit_rate, ours.max_bit_rate);
  p.fill_bit_removal = false;
  p.transcoding_mmr = false;
  p.transcoding_jbig = false;
  return p;
}

}  // namespace

Sdp make_audio_offer(const LocalMedia& local) {
  Sdp s = base_sdp(local);
  s.media.push_back(audio_media(local, std::nullopt, local.rtp_redundancy ? kRedPayloadType : -1));
  return s;
}

Sdp make_t38_offer(const LocalMedia& local) {
  Sdp s = base_sdp(local);
  s.media.push_back(image_media(local, local.t38));
  return s;
}

Answer answer_offer(const Sdp& offer, const LocalMedia& local, bool allow_t38) {
  Answer ans;
  ans.sdp = base_sdp(local);
  std::optional<std::size_t> chosen;
  if (allow_t38) {
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
      if (offer.media[i].port != 0 && offer.media[i].is_t38()) {
        chosen = i;
        break;
      }
    }
  }
  if (!chosen) {
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
      if (offer.media[i].port != 0 && offer.media[i].is_audio() && pick_codec(offer.media[i])) {
        chosen = i;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const SdpMedia& m = offer.media[i];
    if (!chosen || i != *chosen) {
      ans.sdp.media.push_back(refused(m));
      continue;
    }
    if (m.is_t38()) {
      const media::T38Params peer = parse_t38_params(m);
      media::T38Params ours = local.t38;
      ours.version = std::min(peer.version, local.t38.version);
      ours.max_bit_rate = std::min(peer.max_bit_rate, local.t38.max_bit_rate);
      ours.transferred_tcf = peer.transferred_tcf;
      ours.error_correction = peer.error_correction;
      ours.fill_bit_removal = false;
      ours.transcoding_mmr = false;
      ours.transcoding_jbig = false;
      ans.sdp.media.push_back(image_media(local, ours));
      ans.chosen.kind = StreamKind::t38;
      ans.chosen.t38 = negotiated_peer(peer, local.t38);
    } else {
      const fax::AudioCodec codec = *pick_codec(m);
      const int red_pt = local.rtp_redundancy ? pick_red(m) : -1;
      ans.sdp.media.push_back(audio_media(local, codec, red_pt));
      ans.chosen.kind = StreamKind::audio;
      ans.chosen.codec = codec;
      ans.chosen.red_pt = red_pt;
    }
    ans.chosen.remote = endpoint_of(offer, i);
  }
  return ans;
}

Negotiated read_answer(const Sdp& answer, const LocalMedia& local) {
  Negotiated n;
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const SdpMedia& m = answer.media[i];
    if (m.port == 0) continue;
    if (m.is_t38()) {
      n.kind = StreamKind::t38;
      n.t38 = negotiated_peer(parse_t38_params(m), local.t38);
    } else if (auto codec = m.is_audio() ? pick_codec(m) : std::nullopt) {
      n.kind = StreamKind::audio;
      n.codec = *codec;
      n.red_pt = local.rtp_redundancy ? pick_red(m) : -1;
    } else {
      continue;
    }
    n.remote = endpoint_of(answer, i);
    return n;
  }
  return n;
}

bool same_media(const Sdp& a, const Sdp& b) {
  Sdp x = a;
  Sdp y = b;
  x.origin_user = y.origin_user;
  x.session_id = y.session_id;
  x.session_version = y.session_version;
  x.origin_address = y.origin_address;
  return print_sdp(x) == print_sdp(y);
}

}  // namespace faxd::sip
