// The media engine on real UDP sockets: port allocation, hang-up reporting, and the one real-time
// test: a whole one-page T.38 fax between two calls over loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "faxd/fax/media_engine.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace faxd::fax {
namespace {

using namespace std::chrono_literals;

config::MediaConfig media_range(std::uint16_t min, std::uint16_t max) {
  config::MediaConfig m;
  m.address = "127.0.0.1";
  m.port_min = min;
  m.port_max = max;
  return m;
}

struct Done {
  std::promise<FaxResult> promise;
  std::atomic<int> calls{0};
  CallMediaCallbacks callbacks() {
    return {nullptr, [this](const FaxResult& r) {
              if (calls.fetch_add(1) == 0) promise.set_value(r);
            }};
  }
};

// Waits for something the media thread does; a guard against hanging, not a timing assertion.
template <class F>
bool eventually(F condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

TEST(MediaEngine, RefusesAnUnusableConfiguration) {
  EXPECT_FALSE(make_media_engine(media_range(30000, 30001), {}));
  auto bad = media_range(30000, 30100);
  bad.address = "not-an-ip";
  EXPECT_FALSE(make_media_engine(bad, {}));
}

TEST(MediaEngine, CallsGetEvenPortsFromTheRangeUntilItRunsOut) {
  Done d1, d2, d3;  // outlive the engine: on_done of a destroyed call comes later
  auto engine = make_media_engine(media_range(29101, 29108), {});  // even: 29102..29108
  ASSERT_TRUE(engine) << engine.error().message;
  FaxJob job;
  job.direction = Direction::receive;
  auto c1 = (*engine)->create_call(job, d1.callbacks());
  auto c2 = (*engine)->create_call(job, d2.callbacks());
  ASSERT_TRUE(c1) << c1.error().message;
  ASSERT_TRUE(c2) << c2.error().message;
  for (const auto* c : {c1->get(), c2->get()}) {
    EXPECT_EQ(c->local_rtp_port() % 2, 0);
    EXPECT_GE(c->local_rtp_port(), 29102);
    EXPECT_LE(c->local_udptl_port(), 29108);
    EXPECT_EQ(c->local_address(), "127.0.0.1");
  }
  EXPECT_NE((*c1)->local_rtp_port(), (*c2)->local_rtp_port());
  EXPECT_FALSE((*engine)->create_call(job, d3.callbacks()));  // 4 ports, 2 calls: full
  EXPECT_EQ((*engine)->active_sessions(), 2);
  c1->reset();  // destroying the CallMedia hangs up and frees its ports
  ASSERT_TRUE(eventually([&] { return (*engine)->active_sessions() == 1; }));
  EXPECT_TRUE((*engine)->create_call(job, d3.callbacks()));
}

TEST(MediaEngine, HangupBeforeTheFaxFinishedReportsOnceWithTheReason) {
  Done done;
  auto engine = make_media_engine(media_range(29121, 29140), {});
  ASSERT_TRUE(engine);
  FaxJob job;
  job.direction = Direction::receive;
  auto call = (*engine)->create_call(job, done.callbacks());
  ASSERT_TRUE(call);
  (*call)->start_t38({"127.0.0.1", 9}, {});
  (*call)->hangup(FailureCode::canceled);
  (*call)->hangup(FailureCode::transfer_failed);
  auto fut = done.promise.get_future();
  ASSERT_EQ(fut.wait_for(30s), std::future_status::ready);
  const FaxResult r = fut.get();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureCode::canceled);
  call->reset();
  ASSERT_TRUE(eventually([&] { return (*engine)->active_sessions() == 0; }));
  EXPECT_EQ(done.calls.load(), 1);
}

TEST(MediaEngine, RealTimeT38FaxOverLoopbackSockets) {
  test::TempDir dir;
  const std::string doc = dir.file("out.tif");
  ASSERT_TRUE(test::write_tiff_f(doc, 1, 600));
  config::T38Config t38;
  t38.max_datagram = 400;
  Done tx_done, rx_done;
  auto engine = make_media_engine(media_range(29201, 29299), t38);
  ASSERT_TRUE(engine);

  FaxJob tx_job;
  tx_job.direction = Direction::send;
  tx_job.tiff_path = doc;
  tx_job.local_station_id = "+1 555 0100";
  tx_job.header = "faxd loopback";
  tx_job.call_id = "rt-tx";
  FaxJob rx_job;
  rx_job.direction = Direction::receive;
  rx_job.tiff_path = dir.file("in.tif");
  rx_job.local_station_id = "+49 30 1234";
  rx_job.call_id = "rt-rx";
  auto tx = (*engine)->create_call(tx_job, tx_done.callbacks());
  auto rx = (*engine)->create_call(rx_job, rx_done.callbacks());
  ASSERT_TRUE(tx && rx);
  media::T38Params peer = (*rx)->local_t38_params();
  peer.max_datagram = 176;  // as a real gateway would advertise
  (*tx)->start_t38({"127.0.0.1", (*rx)->local_udptl_port()}, peer);
  (*rx)->start_t38({"127.0.0.1", (*tx)->local_udptl_port()}, (*tx)->local_t38_params());

  auto tx_fut = tx_done.promise.get_future();
  auto rx_fut = rx_done.promise.get_future();
  ASSERT_EQ(tx_fut.wait_for(180s), std::future_status::ready);
  ASSERT_EQ(rx_fut.wait_for(30s), std::future_status::ready);
  const FaxResult t = tx_fut.get();
  const FaxResult r = rx_fut.get();
  EXPECT_TRUE(t.ok) << t.message;
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(t.pages, 1);
  EXPECT_EQ(r.pages, 1);
  EXPECT_EQ(t.transport, Transport::t38);
  EXPECT_EQ(t.remote_station_id, "+49 30 1234");
  EXPECT_EQ(r.remote_station_id, "+1 555 0100");
  const auto got = test::read_tiff_summary(rx_job.tiff_path);
  EXPECT_EQ(got.pages, 1);
  EXPECT_EQ(got.width, test::kFaxWidth);
  EXPECT_GT(got.black_top_pixels, 0);  // the header line made it

  const TickStats stats = (*engine)->tick_stats();
  EXPECT_GT(stats.ticks, 100u);
  EXPECT_GE(stats.jitter_p99_us, stats.jitter_p50_us);
  std::printf(
      "tick jitter over %llu ticks: p50 %lld us, p99 %lld us, max %lld us\n",
      static_cast<unsigned long long>(stats.ticks), static_cast<long long>(stats.jitter_p50_us),
      static_cast<long long>(stats.jitter_p99_us), static_cast<long long>(stats.jitter_max_us));
  tx->reset();
  rx->reset();
  ASSERT_TRUE(eventually([&] { return (*engine)->active_sessions() == 0; }));
  EXPECT_EQ(tx_done.calls.load(), 1);
  EXPECT_EQ(rx_done.calls.load(), 1);
}

}  // namespace
}  // namespace faxd::fax
