#pragma once
// The contract between the SIP layer and the media + fax engine: one CallMedia per call.
//
// The SIP layer creates it when a call is set up (ports are allocated at once, so they can go
// into SDP), starts audio when the G.711 stream is agreed, switches to T.38 when an image
// stream is agreed, and hangs up. The engine runs T.30 (spandsp) on the media thread, fed by one
// shared 20 ms tick, and reports progress and exactly one final result.
//
// Threads: all methods may be called from any thread (they post to the media thread).
// Callbacks run on the media thread; receivers post to their own thread.
// Ownership: the SIP call owns the CallMedia (unique_ptr); destroying it hangs up first.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"
#include "faxd/common/failure.hpp"
#include "faxd/media/t38_params.hpp"

namespace faxd::fax {

enum class Direction { send, receive };
enum class AudioCodec { pcmu = 0, pcma = 8 };  // RTP payload types
enum class Transport { none, g711, t38 };

// "g711", "t38" or "none": the transport's name in logs, the API and the store.
constexpr std::string_view to_string(Transport t) noexcept {
  return t == Transport::g711 ? "g711" : t == Transport::t38 ? "t38" : "none";
}

struct FaxJob {
  Direction direction = Direction::send;
  std::string tiff_path;         // send: the TIFF-F to send; receive: where to write pages
  std::string local_station_id;  // our TSI/CSI (20 characters max)
  std::string header;            // page header line text (send only); "" = none
  bool ecm = true;
  int max_bit_rate = 14400;  // 14400, 9600, 4800 or 2400: caps the modems offered
  std::string call_id;       // for log lines
};

struct Progress {
  int pages_done = 0;  // pages confirmed so far
  int bit_rate = 0;
  bool ecm = false;
  Transport transport = Transport::none;
  std::string remote_station_id;
};

struct FaxResult {
  bool ok = false;
  int pages = 0;  // pages transferred (sent and confirmed, or received)
  int bit_rate = 0;
  bool ecm = false;
  Transport transport = Transport::none;
  std::string remote_station_id;
  FailureCode failure = FailureCode::internal;  // meaningful when !ok
  std::string message;                          // T.30 completion text ("OK" on success)
  int t30_code = -1;                            // spandsp completion code, for logs
  // Our media engine was overloaded during the call (its tick more than 100 ms late): a
  // failure may be ours, not the far end's (the fallback ladder does not count it).
  bool local_overload = false;
};

struct Endpoint {
  std::string address;
  std::uint16_t port = 0;
};

struct CallMediaCallbacks {
  std::function<void(const Progress&)> on_progress;  // after each page
  std::function<void(const FaxResult&)> on_done;     // exactly once
};

class CallMedia {
 public:
  virtual ~CallMedia() = default;

  virtual std::uint16_t local_rtp_port() const = 0;  // even; RTCP would be +1
  virtual std::uint16_t local_udptl_port() const = 0;
  virtual const std::string& local_address() const = 0;

  // The G.711 stream is agreed: send and receive audio fax (spandsp modems). `red_pt`: the
  // payload type of RFC 2198 "red" when both sides took it, else -1.
  virtual void start_audio(const Endpoint& remote, AudioCodec codec, int red_pt) = 0;
  // The image stream is agreed: stop audio, restart T.30 on a T.38 terminal over UDPTL.
  virtual void start_t38(const Endpoint& remote, const media::T38Params& peer) = 0;
  // Stops (hold) or resumes sending RTP while the audio modems keep running: from our T.38
  // re-INVITE until its answer, so no audio packet reaches a port the peer has just switched.
  virtual void hold_audio(bool hold) = 0;
  // Ends the session (BYE, CANCEL, shutdown). If the fax had not finished, on_done reports
  // `failure` (transfer_failed for a dropped call, canceled when asked) with what was done.
  virtual void hangup(FailureCode failure = FailureCode::transfer_failed) = 0;
  // What we offer in SDP for T.38 (from [t38] config).
  virtual media::T38Params local_t38_params() const = 0;
};

// Creates sessions; owned by App, runs the media thread. Implemented in src/fax.
class MediaEngine {
 public:
  virtual ~MediaEngine() = default;
  virtual Result<std::unique_ptr<CallMedia>> create_call(const FaxJob& job,
                                                         CallMediaCallbacks callbacks) = 0;
  virtual int active_sessions() const = 0;
};

}  // namespace faxd::fax
