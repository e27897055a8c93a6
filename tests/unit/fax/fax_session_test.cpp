// Whole faxes between two FaxSessions on simulated time: T.38 and audio, sender and receiver,
// ECM on and off, with seeded packet loss.
#include <gtest/gtest.h>

#include <spandsp.h>

#include "back_to_back.hpp"
#include "faxd/fax/t30_outcome.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace faxd::fax {
namespace {

using test::BackToBack;
using test::LinkOptions;

struct Jobs {
  FaxJob sender;
  FaxJob receiver;
};

Jobs jobs(const test::TempDir& dir, int pages, bool ecm, const std::string& header = "") {
  const std::string doc = dir.file("out.tif");
  if (pages > 0) {
    EXPECT_TRUE(test::write_tiff_f(doc, pages));
  }
  Jobs j;
  j.sender.direction = Direction::send;
  j.sender.tiff_path = doc;
  j.sender.local_station_id = "+1 555 0100";
  j.sender.header = header;
  j.sender.ecm = ecm;
  j.sender.call_id = "tx";
  j.receiver.direction = Direction::receive;
  j.receiver.tiff_path = dir.file("in.tif");
  j.receiver.local_station_id = "+49 30 1234";
  j.receiver.ecm = ecm;
  j.receiver.call_id = "rx";
  return j;
}

SessionOptions sim_options() {
  SessionOptions o;
  o.t38_pacing = false;  // simulated time only: no line-time pacing of IFPs
  return o;
}

void start_t38(BackToBack& b2b, const media::T38Params& params = {}) {
  ASSERT_TRUE(b2b.a.start_t38(params));
  ASSERT_TRUE(b2b.b.start_t38(params));
}

void expect_delivered(const BackToBack& b2b, const std::string& rx_path, int pages) {
  ASSERT_TRUE(b2b.a_sink.result) << "sender never finished";
  ASSERT_TRUE(b2b.b_sink.result) << "receiver never finished";
  const FaxResult& tx = *b2b.a_sink.result;
  const FaxResult& rx = *b2b.b_sink.result;
  EXPECT_TRUE(tx.ok) << tx.message;
  EXPECT_TRUE(rx.ok) << rx.message;
  EXPECT_EQ(tx.pages, pages);
  EXPECT_EQ(rx.pages, pages);
  EXPECT_EQ(tx.remote_station_id, "+49 30 1234");
  EXPECT_EQ(rx.remote_station_id, "+1 555 0100");
  EXPECT_EQ(b2b.a_sink.done_calls, 1);
  EXPECT_EQ(b2b.b_sink.done_calls, 1);
  const auto got = test::read_tiff_summary(rx_path);
  EXPECT_EQ(got.pages, pages);
  EXPECT_EQ(got.width, test::kFaxWidth);
}

class T38Fax : public ::testing::TestWithParam<bool> {};

TEST_P(T38Fax, ThreePagesArriveWithStationIdsAndProgress) {
  const bool ecm = GetParam();
  test::TempDir dir;
  auto j = jobs(dir, 3, ecm);
  BackToBack b2b(j.sender, j.receiver, sim_options());
  start_t38(b2b);
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 3);
  EXPECT_EQ(b2b.a_sink.result->ecm, ecm);
  EXPECT_EQ(b2b.a_sink.result->bit_rate, 14400);
  EXPECT_EQ(b2b.a_sink.result->transport, Transport::t38);
  ASSERT_EQ(b2b.a_sink.progress.size(), 3u);
  EXPECT_EQ(b2b.a_sink.progress.back().pages_done, 3);
}

TEST_P(T38Fax, TenPercentLossIsCarriedByRedundancy) {
  const bool ecm = GetParam();
  test::TempDir dir;
  auto j = jobs(dir, 3, ecm);
  // Paced as in production: IFPs of line-time chunks, so the loss hits data as it would.
  BackToBack b2b(j.sender, j.receiver, SessionOptions{}, LinkOptions{0.10, 1234});
  start_t38(b2b);
  b2b.run();
  EXPECT_GT(b2b.lost, 100u);
  EXPECT_GT(b2b.b.udptl_stats().recovered, 0u);
  expect_delivered(b2b, j.receiver.tiff_path, 3);
}

INSTANTIATE_TEST_SUITE_P(EcmOnAndOff, T38Fax, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "ecm" : "no_ecm"; });

TEST(T38Fax, PacedLikeProductionStillDeliversOnSimulatedTime) {
  test::TempDir dir;
  auto j = jobs(dir, 1, true);
  BackToBack b2b(j.sender, j.receiver, SessionOptions{}, LinkOptions{0.10, 99});
  start_t38(b2b);
  const int ticks = b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 1);
  EXPECT_GT(ticks, 5 * 50);  // paced: the page takes line time, several seconds of ticks
}

TEST(T38Fax, FecRequestedByThePeerAlsoSurvivesLoss) {
  test::TempDir dir;
  auto j = jobs(dir, 2, true);
  BackToBack b2b(j.sender, j.receiver, SessionOptions{}, LinkOptions{0.05, 7});
  media::T38Params fec;
  fec.error_correction = media::UdptlErrorCorrection::fec;
  start_t38(b2b, fec);
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 2);
}

TEST(T38Fax, PeerMaxDatagramIsNeverExceeded) {
  test::TempDir dir;
  auto j = jobs(dir, 1, true);
  BackToBack b2b(j.sender, j.receiver, SessionOptions{});  // paced: IFPs of ~60 bytes
  media::T38Params small;
  small.max_datagram = 176;
  start_t38(b2b, small);
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 1);
  EXPECT_LE(b2b.a_sink.max_udptl, 176u);
  EXPECT_GT(b2b.a_sink.max_udptl, 100u);  // redundancy was used, just trimmed
}

TEST(T38Fax, PeerMaxBitRateCapsTheModem) {
  test::TempDir dir;
  auto j = jobs(dir, 1, true);
  BackToBack b2b(j.sender, j.receiver, sim_options());
  media::T38Params slow;
  slow.max_bit_rate = 9600;
  start_t38(b2b, slow);
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 1);
  EXPECT_EQ(b2b.a_sink.result->bit_rate, 9600);
}

TEST(T38Fax, PageHeaderLineIsPrintedOnTheReceivedPage) {
  test::TempDir dir;
  auto with = jobs(dir, 1, true, "ACME Corp  +1 555 0100");
  BackToBack b2b(with.sender, with.receiver, sim_options());
  start_t38(b2b);
  b2b.run();
  expect_delivered(b2b, with.receiver.tiff_path, 1);
  const auto headed = test::read_tiff_summary(with.receiver.tiff_path);

  test::TempDir dir2;
  auto without = jobs(dir2, 1, true);
  BackToBack plain(without.sender, without.receiver, sim_options());
  start_t38(plain);
  plain.run();
  expect_delivered(plain, without.receiver.tiff_path, 1);
  const auto bare = test::read_tiff_summary(without.receiver.tiff_path);
  EXPECT_EQ(bare.black_top_pixels, 0);
  EXPECT_GT(headed.black_top_pixels, 500);
}

class CorpusPage : public ::testing::TestWithParam<bool> {};

TEST_P(CorpusPage, GhostscriptG4PageIsDelivered) {
  const bool t38 = GetParam();
  test::TempDir dir;
  auto j = jobs(dir, 0, true);
  j.sender.tiff_path = std::string(FAXD_CORPUS_DIR) + "/tiff/one-page-g4-204x196.tiff";
  BackToBack b2b(j.sender, j.receiver, sim_options());
  if (t38) {
    start_t38(b2b);
  } else {
    ASSERT_TRUE(b2b.a.start_audio(AudioCodec::pcmu));
    ASSERT_TRUE(b2b.b.start_audio(AudioCodec::pcmu));
  }
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 1);
}

INSTANTIATE_TEST_SUITE_P(T38AndAudio, CorpusPage, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "t38" : "audio"; });

class AudioFax : public ::testing::TestWithParam<std::tuple<AudioCodec, bool>> {};

TEST_P(AudioFax, PagesArriveOverG711) {
  const auto [codec, ecm] = GetParam();
  test::TempDir dir;
  auto j = jobs(dir, 2, ecm);
  BackToBack b2b(j.sender, j.receiver, sim_options());
  ASSERT_TRUE(b2b.a.start_audio(codec));
  ASSERT_TRUE(b2b.b.start_audio(codec));
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 2);
  EXPECT_EQ(b2b.a_sink.result->transport, Transport::g711);
  EXPECT_EQ(b2b.a_sink.result->ecm, ecm);
  EXPECT_EQ(b2b.b_sink.result->bit_rate, 14400);
}

INSTANTIATE_TEST_SUITE_P(
    CodecsAndEcm, AudioFax,
    ::testing::Values(std::tuple{AudioCodec::pcma, true}, std::tuple{AudioCodec::pcmu, false}),
    [](const auto& info) {
      return std::string(std::get<0>(info.param) == AudioCodec::pcma ? "alaw" : "ulaw") +
             (std::get<1>(info.param) ? "_ecm" : "_no_ecm");
    });

TEST(AudioFax, SwitchingALiveCallToT38RestartsT30AndDelivers) {
  test::TempDir dir;
  auto j = jobs(dir, 2, true);
  BackToBack b2b(j.sender, j.receiver, sim_options());
  ASSERT_TRUE(b2b.a.start_audio(AudioCodec::pcma));
  ASSERT_TRUE(b2b.b.start_audio(AudioCodec::pcma));
  for (int i = 0; i < 100; ++i) b2b.step();  // 2 s of tones: CNG/CED, maybe a DIS
  EXPECT_FALSE(b2b.a_sink.result);
  start_t38(b2b);
  b2b.run();
  expect_delivered(b2b, j.receiver.tiff_path, 2);
  EXPECT_EQ(b2b.a_sink.result->transport, Transport::t38);
  EXPECT_EQ(b2b.a.transport(), Transport::t38);
}

TEST(FaxHangup, BeforePhaseEReportsOnceWithTheGivenFailure) {
  test::TempDir dir;
  auto j = jobs(dir, 3, true);
  BackToBack b2b(j.sender, j.receiver, SessionOptions{});
  start_t38(b2b);
  for (int i = 0; i < 20; ++i) b2b.step();  // 0.4 s: still in phase B
  ASSERT_FALSE(b2b.a_sink.result);
  b2b.a.hangup(FailureCode::canceled);
  ASSERT_EQ(b2b.a_sink.done_calls, 1);
  EXPECT_FALSE(b2b.a_sink.result->ok);
  EXPECT_EQ(b2b.a_sink.result->failure, FailureCode::canceled);
  EXPECT_EQ(b2b.a_sink.result->t30_code, T30_ERR_CALLDROPPED);
  b2b.a.hangup(FailureCode::transfer_failed);
  for (int i = 0; i < 10; ++i) b2b.step();
  EXPECT_EQ(b2b.a_sink.done_calls, 1);
  b2b.b.hangup(FailureCode::transfer_failed);
  ASSERT_EQ(b2b.b_sink.done_calls, 1);
  EXPECT_EQ(b2b.b_sink.result->failure, FailureCode::transfer_failed);
}

TEST(FaxHangup, BeforeAnyMediaStillReportsOnce) {
  test::TempDir dir;
  auto j = jobs(dir, 1, true);
  test::RecordingSink sink;
  FaxSession s(j.sender, sim_options(), sink);
  s.hangup(FailureCode::transfer_failed);
  s.hangup(FailureCode::canceled);
  ASSERT_EQ(sink.done_calls, 1);
  EXPECT_EQ(sink.result->failure, FailureCode::transfer_failed);
  EXPECT_EQ(sink.result->pages, 0);
}

TEST(FaxFailure, MissingDocumentIsDocumentInvalidWithoutRetry) {
  test::TempDir dir;
  auto j = jobs(dir, 0, true);
  test::RecordingSink sink;
  FaxSession s(j.sender, sim_options(), sink);
  ASSERT_TRUE(s.start_t38({}));
  ASSERT_EQ(sink.done_calls, 1);
  EXPECT_EQ(sink.result->failure, FailureCode::document_invalid);
  EXPECT_FALSE(classify_t30_completion(sink.result->t30_code).retry);
}

TEST(FaxFailure, NobodyFaxingAtTheOtherEndIsNotAFax) {
  test::TempDir dir;
  auto j = jobs(dir, 1, true);
  LinkOptions deaf;
  deaf.deliver = false;
  BackToBack b2b(j.sender, j.receiver, sim_options(), deaf);
  start_t38(b2b);
  b2b.run(60 * 50);  // T1 is 35 s
  ASSERT_TRUE(b2b.a_sink.result);
  EXPECT_FALSE(b2b.a_sink.result->ok);
  EXPECT_EQ(b2b.a_sink.result->failure, FailureCode::not_a_fax) << b2b.a_sink.result->message;
  EXPECT_TRUE(classify_t30_completion(b2b.a_sink.result->t30_code).retry);
}

}  // namespace
}  // namespace faxd::fax
