// "No per-packet heap allocation on the media path": two sessions exchange packets through
// preallocated queues while every operator new in this process is counted.
// The replaced operator new/delete pair is malloc/free; GCC cannot see that they match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>

#include "faxd/fax/fax_session.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace faxd::fax {
namespace {

// A bounded queue of packets with storage allocated up front.
class Wire final : public SessionSink {
 public:
  void send_udptl(std::span<const std::uint8_t> d) override { push(d, true); }
  void send_rtp(std::span<const std::uint8_t> p) override { push(p, false); }
  void on_progress(const Progress&) override {}
  void on_done(const FaxResult& r) override {
    ok = r.ok;
    ++done;
  }

  void deliver_to(FaxSession& peer) {
    for (std::size_t i = 0; i < count_; ++i) {
      const Packet& p = packets_[i];
      if (p.udptl) {
        peer.on_udptl({p.data.data(), p.len});
      } else {
        peer.on_rtp({p.data.data(), p.len});
      }
    }
    count_ = 0;
  }
  bool ok = false;
  int done = 0;
  std::size_t dropped = 0;

 private:
  struct Packet {
    bool udptl = false;
    std::size_t len = 0;
    std::array<std::uint8_t, 1500> data{};
  };
  void push(std::span<const std::uint8_t> d, bool udptl) {
    if (count_ == packets_.size() || d.size() > 1500) {
      ++dropped;
      return;
    }
    Packet& p = packets_[count_++];
    p.udptl = udptl;
    p.len = d.size();
    std::copy(d.begin(), d.end(), p.data.begin());
  }
  std::array<Packet, 64> packets_{};
  std::size_t count_ = 0;
};

long allocations_while_transferring(bool t38) {
  test::TempDir dir;
  EXPECT_TRUE(test::write_tiff_f(dir.file("doc.tif"), 1, 2200));
  FaxJob tx;
  tx.direction = Direction::send;
  tx.tiff_path = dir.file("doc.tif");
  FaxJob rx = tx;
  rx.direction = Direction::receive;
  rx.tiff_path = dir.file("rx.tif");
  auto a_wire = std::make_unique<Wire>();
  auto b_wire = std::make_unique<Wire>();
  FaxSession a(tx, SessionOptions{}, *a_wire);  // paced, as in production
  FaxSession b(rx, SessionOptions{}, *b_wire);
  if (t38) {
    EXPECT_TRUE(a.start_t38({}));
    EXPECT_TRUE(b.start_t38({}));
  } else {
    EXPECT_TRUE(a.start_audio(AudioCodec::pcma));
    EXPECT_TRUE(b.start_audio(AudioCodec::pcma));
  }
  auto step = [&] {
    a.tick();
    b.tick();
    a_wire->deliver_to(b);
    b_wire->deliver_to(a);
  };
  // Phases A/B (and the page set-up that reads the TIFF) may allocate; the page itself must not.
  for (int i = 0; i < 600; ++i) step();  // 12 s: image data is flowing
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 250; ++i) step();  // 5 s of page data
  g_counting = false;
  for (int i = 0; i < 20000 && !(a_wire->done && b_wire->done); ++i) step();
  EXPECT_TRUE(a_wire->ok);
  EXPECT_TRUE(b_wire->ok);
  EXPECT_EQ(a_wire->dropped + b_wire->dropped, 0u);
  return g_allocations.load();
}

TEST(MediaPath, T38PageTransferDoesNotAllocate) {
  EXPECT_EQ(allocations_while_transferring(true), 0);
}

TEST(MediaPath, AudioPageTransferDoesNotAllocate) {
  EXPECT_EQ(allocations_while_transferring(false), 0);
}

}  // namespace
}  // namespace faxd::fax
