// SDP parsing/printing and offer/answer, with the real bodies in shared/corpus/sdp.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "faxd/sip/offer_answer.hpp"
#include "faxd/sip/sdp.hpp"

namespace faxd::sip {
namespace {

std::string corpus(const std::string& name) {
  std::ifstream in(std::string(FAXD_CORPUS_DIR) + "/sdp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

LocalMedia local() {
  LocalMedia l;
  l.address = "127.0.0.1";
  l.rtp_port = 20000;
  l.udptl_port = 20002;
  l.t38.max_datagram = 400;
  l.t38.max_buffer = 1800;
  return l;
}

TEST(Sdp, ParsesBroadworksOffer) {
  auto sdp = parse_sdp(corpus("broadworks-t38-offer.sdp"));
  ASSERT_TRUE(sdp) << sdp.error().message;
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_TRUE(sdp->media[0].is_t38());
  EXPECT_EQ(sdp->media[0].port, 16834);
  EXPECT_EQ(sdp->address_of(0), "162.244.97.41");
  EXPECT_EQ(sdp->session_version, 3u);
  auto p = parse_t38_params(sdp->media[0]);
  EXPECT_EQ(p.version, 0);
  EXPECT_EQ(p.max_bit_rate, 14400);
  EXPECT_TRUE(p.transferred_tcf);
  EXPECT_EQ(p.max_buffer, 262);
  EXPECT_EQ(p.max_datagram, 176);
  EXPECT_EQ(p.error_correction, media::UdptlErrorCorrection::redundancy);
}

TEST(Sdp, ParsesVegaAnswerWithLocalTcfAndZeroBooleans) {
  auto sdp = parse_sdp(corpus("vega-t38-answer.sdp"));
  ASSERT_TRUE(sdp);
  auto p = parse_t38_params(sdp->media[0]);
  EXPECT_FALSE(p.transferred_tcf);
  EXPECT_FALSE(p.fill_bit_removal);
  EXPECT_FALSE(p.transcoding_mmr);
  EXPECT_FALSE(p.transcoding_jbig);
  EXPECT_EQ(p.max_datagram, 200);
  EXPECT_EQ(p.max_buffer, 200);
}

TEST(Sdp, BareImageTakesDefaults) {
  auto sdp = parse_sdp(corpus("bare-image-reinvite.sdp"));
  ASSERT_TRUE(sdp);
  ASSERT_TRUE(sdp->media[0].is_t38());
  auto p = parse_t38_params(sdp->media[0]);
  EXPECT_EQ(p.version, 0);
  EXPECT_EQ(p.max_bit_rate, 14400);
  EXPECT_TRUE(p.transferred_tcf);
  EXPECT_EQ(p.max_datagram, 0);
  EXPECT_EQ(media::effective_max_datagram(p.max_datagram), 400);
  EXPECT_EQ(p.error_correction, media::UdptlErrorCorrection::redundancy);
}

TEST(Sdp, AttributeSpellingsAndCase) {
  const std::string body =
      "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
      "m=image 4000 UDPTL T38\n"
      "a=t38faxversion:1\na=T38FaxMaxBitRate:9600\na=T38FaxFillBitRemoval\n"
      "a=T38FaxTranscodingMMR:1\na=T38FaxTranscodingJBIG:0\na=T38MaxDatagram: 300\n"
      "a=T38FaxUdpEC:t38UDPFEC\n";
  auto sdp = parse_sdp(body);
  ASSERT_TRUE(sdp);
  ASSERT_TRUE(sdp->media[0].is_t38());
  auto p = parse_t38_params(sdp->media[0]);
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.max_bit_rate, 9600);
  EXPECT_TRUE(p.fill_bit_removal);
  EXPECT_TRUE(p.transcoding_mmr);
  EXPECT_FALSE(p.transcoding_jbig);
  EXPECT_EQ(p.max_datagram, 300);
  EXPECT_EQ(p.error_correction, media::UdptlErrorCorrection::fec);
}

TEST(Sdp, RejectsGarbage) {
  EXPECT_FALSE(parse_sdp("hello world"));
  EXPECT_FALSE(parse_sdp("v=0\nm=audio\n"));
  EXPECT_FALSE(parse_sdp("v=0\nm=audio notaport RTP/AVP 0\n"));
  EXPECT_FALSE(parse_sdp("o=- 1 1 IN IP4 1.2.3.4\n"));  // no v=
}

TEST(Sdp, PrintParsesBack) {
  Sdp s = make_t38_offer(local());
  s.session_version = 7;
  const std::string text = print_sdp(s);
  EXPECT_NE(text.find("m=image 20002 udptl t38\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=T38FaxMaxDatagram:400\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=T38FaxUdpEC:t38UDPRedundancy\r\n"), std::string::npos);
  EXPECT_NE(text.find("c=IN IP4 127.0.0.1\r\n"), std::string::npos);
  auto back = parse_sdp(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->session_version, 7u);
  EXPECT_TRUE(same_media(*back, s));
  auto p = parse_t38_params(back->media[0]);
  EXPECT_EQ(p.max_datagram, 400);
  EXPECT_EQ(p.max_buffer, 1800);
}

TEST(Sdp, PrintsIpv6) {
  LocalMedia l = local();
  l.address = "::1";
  const std::string text = print_sdp(make_audio_offer(l));
  EXPECT_NE(text.find("c=IN IP6 ::1\r\n"), std::string::npos);
}

TEST(OfferAnswer, AudioOfferHasBothG711) {
  const std::string text = print_sdp(make_audio_offer(local()));
  EXPECT_NE(text.find("m=audio 20000 RTP/AVP 0 8\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtpmap:8 PCMA/8000"), std::string::npos);
}

TEST(OfferAnswer, AnswersBroadworksT38WithOurDatagramAndKeepsTheirsForMedia) {
  auto offer = parse_sdp(corpus("broadworks-t38-offer.sdp"));
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, local(), true);
  ASSERT_EQ(a.chosen.kind, StreamKind::t38);
  EXPECT_EQ(a.chosen.remote.address, "162.244.97.41");
  EXPECT_EQ(a.chosen.remote.port, 16834);
  EXPECT_EQ(a.chosen.t38.max_datagram, 176);  // what bounds our datagrams
  ASSERT_EQ(a.sdp.media.size(), 1u);
  EXPECT_EQ(a.sdp.media[0].port, 20002);
  auto ours = parse_t38_params(a.sdp.media[0]);
  EXPECT_EQ(ours.max_datagram, 400);
  EXPECT_TRUE(ours.transferred_tcf);
}

TEST(OfferAnswer, AnswerEchoesLocalTcf) {
  auto offer = parse_sdp(corpus("vega-t38-answer.sdp"));  // used as an offer here
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, local(), true);
  ASSERT_EQ(a.chosen.kind, StreamKind::t38);
  EXPECT_FALSE(parse_t38_params(a.sdp.media[0]).transferred_tcf);
  EXPECT_FALSE(a.chosen.t38.transferred_tcf);
}

TEST(OfferAnswer, BareImageIsAccepted) {
  auto offer = parse_sdp(corpus("bare-image-reinvite.sdp"));
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, local(), true);
  ASSERT_EQ(a.chosen.kind, StreamKind::t38);
  EXPECT_EQ(a.chosen.remote.port, 16756);
  EXPECT_EQ(a.chosen.t38.max_bit_rate, 14400);
  const std::string text = print_sdp(a.sdp);
  EXPECT_NE(text.find("a=T38FaxVersion:0"), std::string::npos);
  EXPECT_NE(text.find("a=T38FaxRateManagement:transferredTCF"), std::string::npos);
}

TEST(OfferAnswer, KeepsOrderAndRefusesOthersWithPortZero) {
  const std::string body =
      "v=0\r\no=x 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
      "m=video 5000 RTP/AVP 96\r\n"
      "m=audio 6000 RTP/AVP 18 8 101\r\n"
      "m=image 7000 udptl t38\r\nc=IN IP4 10.0.0.10\r\n";
  auto offer = parse_sdp(body);
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, local(), true);
  ASSERT_EQ(a.sdp.media.size(), 3u);
  EXPECT_EQ(a.sdp.media[0].media, "video");
  EXPECT_EQ(a.sdp.media[0].port, 0);
  EXPECT_EQ(a.sdp.media[1].media, "audio");
  EXPECT_EQ(a.sdp.media[1].port, 0);  // T.38 wins when allowed
  EXPECT_EQ(a.sdp.media[2].media, "image");
  EXPECT_EQ(a.sdp.media[2].port, 20002);
  EXPECT_EQ(a.chosen.kind, StreamKind::t38);
  EXPECT_EQ(a.chosen.remote.address, "10.0.0.10");  // media-level c= wins

  Answer no_t38 = answer_offer(*offer, local(), false);
  ASSERT_EQ(no_t38.chosen.kind, StreamKind::audio);
  EXPECT_EQ(no_t38.chosen.codec, fax::AudioCodec::pcma);
  EXPECT_EQ(no_t38.sdp.media[1].port, 20000);
  EXPECT_EQ(no_t38.sdp.media[1].formats, std::vector<std::string>{"8"});
  EXPECT_EQ(no_t38.sdp.media[2].port, 0);
  EXPECT_EQ(no_t38.chosen.remote.address, "10.0.0.9");
}

TEST(OfferAnswer, NothingUsable) {
  auto offer = parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 6000 RTP/AVP 18 9\r\n");
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, local(), true);
  EXPECT_EQ(a.chosen.kind, StreamKind::none);
  ASSERT_EQ(a.sdp.media.size(), 1u);
  EXPECT_EQ(a.sdp.media[0].port, 0);
}

TEST(OfferAnswer, ReadsAnswers) {
  auto vega = parse_sdp(corpus("vega-t38-answer.sdp"));
  ASSERT_TRUE(vega);
  Negotiated n = read_answer(*vega, local());
  ASSERT_EQ(n.kind, StreamKind::t38);
  EXPECT_EQ(n.remote.address, "192.168.3.15");
  EXPECT_EQ(n.remote.port, 10340);
  EXPECT_EQ(n.t38.max_datagram, 200);

  auto refused = parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=image 0 udptl t38\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(read_answer(*refused, local()).kind, StreamKind::none);

  auto audio = parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/AVP 8 0\r\n");
  ASSERT_TRUE(audio);
  Negotiated na = read_answer(*audio, local());
  EXPECT_EQ(na.kind, StreamKind::audio);
  EXPECT_EQ(na.codec, fax::AudioCodec::pcma);
}

TEST(OfferAnswer, NegotiatesLowerVersionAndRate) {
  auto offer = parse_sdp(
      "v=0\r\nc=IN IP4 1.1.1.1\r\nm=image 4000 udptl t38\r\na=T38FaxVersion:3\r\n"
      "a=T38MaxBitRate:33600\r\n");
  ASSERT_TRUE(offer);
  LocalMedia l = local();
  l.t38.max_bit_rate = 9600;
  Answer a = answer_offer(*offer, l, true);
  EXPECT_EQ(a.chosen.t38.version, 0);
  EXPECT_EQ(a.chosen.t38.max_bit_rate, 9600);
  auto ours = parse_t38_params(a.sdp.media[0]);
  EXPECT_EQ(ours.version, 0);
  EXPECT_EQ(ours.max_bit_rate, 9600);
}

TEST(OfferAnswer, RedundancyIsOfferedAndTakenOnlyWhenConfigured) {
  LocalMedia l = local();
  EXPECT_EQ(print_sdp(make_audio_offer(l)).find("red/8000"), std::string::npos) << "off by default";
  l.rtp_redundancy = true;
  const std::string offer_text = print_sdp(make_audio_offer(l));
  EXPECT_NE(offer_text.find("m=audio 20000 RTP/AVP 0 8 96\r\n"), std::string::npos) << offer_text;
  EXPECT_NE(offer_text.find("a=rtpmap:96 red/8000"), std::string::npos);

  // A peer's offer with red under its own payload type: answered with that type.
  auto offer = parse_sdp(
      "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/AVP 8 101 121\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:121 RED/8000\r\n");
  ASSERT_TRUE(offer);
  Answer a = answer_offer(*offer, l, false);
  ASSERT_EQ(a.chosen.kind, StreamKind::audio);
  EXPECT_EQ(a.chosen.codec, fax::AudioCodec::pcma);
  EXPECT_EQ(a.chosen.red_pt, 121);
  EXPECT_EQ(a.sdp.media[0].formats, (std::vector<std::string>{"8", "121"}));
  Answer off = answer_offer(*offer, local(), false);
  EXPECT_EQ(off.chosen.red_pt, -1) << "not configured: red refused";
  EXPECT_EQ(off.sdp.media[0].formats, std::vector<std::string>{"8"});

  // Answers: red taken only when the answer kept it.
  auto with =
      parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 red/8000\r\n");
  auto without = parse_sdp("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/AVP 0\r\n");
  ASSERT_TRUE(with && without);
  EXPECT_EQ(read_answer(*with, l).red_pt, 96);
  EXPECT_EQ(read_answer(*without, l).red_pt, -1);
  EXPECT_EQ(read_answer(*with, local()).red_pt, -1);
}

}  // namespace
}  // namespace faxd::sip
