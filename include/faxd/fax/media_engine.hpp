#pragma once
// The media engine: owns the media thread (its own io_context), the RTP/UDPTL port allocator and
// ONE shared 20 ms tick that walks every active fax session (drift-corrected: deadlines advance
// by exactly 20 ms; a stall longer than 200 ms resynchronises instead of bursting).
//
// Threads: create_call/active_sessions/tick_stats/stop may be called from any thread. Sessions
// live on the media thread; nothing on the media path takes a lock or allocates per packet.
// Ownership: App owns the engine; every CallMedia keeps the engine's core alive, so a call may
// outlive stop() (it then does nothing). Destroying a CallMedia posts its hang-up: its on_done
// may still run afterwards on the media thread, so callbacks must not capture the call's owner
// by plain reference (use a weak pointer or post to an owner that outlives the engine).
#include <cstdint>
#include <memory>

#include "faxd/common/error.hpp"
#include "faxd/config/config.hpp"
#include "faxd/fax/call_media.hpp"

namespace faxd::fax {

struct TickStats {
  std::uint64_t ticks = 0;
  std::uint64_t resyncs = 0;       // stalls over 200 ms (ticks skipped, not replayed)
  std::int64_t jitter_p50_us = 0;  // lateness of the tick against its deadline
  std::int64_t jitter_p99_us = 0;
  std::int64_t jitter_max_us = 0;
  std::int64_t work_p50_us = 0;  // time one tick spends walking the sessions
  std::int64_t work_p99_us = 0;
  std::int64_t work_max_us = 0;
};

class ThreadedMediaEngine : public MediaEngine {
 public:
  virtual TickStats tick_stats() const = 0;
  // Hangs up every call (transfer_failed) and joins the media thread. Idempotent; the destructor
  // calls it.
  virtual void stop() = 0;
};

// Starts the media thread. Fails when the media address or the port range is unusable.
Result<std::unique_ptr<ThreadedMediaEngine>> make_media_engine(const config::MediaConfig& media,
                                                               const config::T38Config& t38);

}  // namespace faxd::fax
