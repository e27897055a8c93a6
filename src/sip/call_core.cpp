#include "faxd/sip/call_core.hpp"

#include <fmt/format.h>

namespace faxd::sip {
namespace {

fax::Transport transport_of(StreamKind kind) {
  switch (kind) {
    case StreamKind::audio:
      return fax::Transport::g711;
    case StreamKind::t38:
      return fax::Transport::t38;
    case StreamKind::none:
      break;
  }
  return fax::Transport::none;
}

std::string status_text(int status, std::string_view phrase) {
  return fmt::format("{} {}", status, phrase);
}

}  // namespace

std::string_view to_string(CallCore::State state) noexcept {
  switch (state) {
    case CallCore::State::idle:
      return "idle";
    case CallCore::State::calling:
      return "calling";
    case CallCore::State::ringing:
      return "ringing";
    case CallCore::State::active:
      return "active";
    case CallCore::State::canceling:
      return "canceling";
    case CallCore::State::ending:
      return "ending";
    case CallCore::State::done:
      return "done";
  }
  return "?";
}

CallCore::CallCore(CallSettings settings, LocalMedia local)
    : settings_(settings), local_(std::move(local)), rng_(settings.seed ? settings.seed : 1) {
  session_id_ = std::to_string(1000000 + rng_() % 900000000);
}

std::string CallCore::versioned(Sdp sdp) {
  sdp.session_id = session_id_;
  if (accepted_local_ && same_media(sdp, *accepted_local_)) {
    sdp.session_version = accepted_version_;
  } else {
    sdp.session_version = ++version_;
  }
  accepted_local_ = sdp;
  accepted_version_ = sdp.session_version;
  return print_sdp(sdp);
}

void CallCore::revert_local() {
  // Our offer was refused: the session stays as it was (RFC 3264 section 8).
  if (pending_local_) {
    accepted_local_ = pending_local_;
    accepted_version_ = pending_local_->session_version;
  }
  pending_local_.reset();
}

void CallCore::answered(Actions& out, Time now) {
  state_ = State::active;
  stall_deadline_ = now + settings_.timers.stall_timeout;
  max_deadline_ = now + settings_.timers.max_duration;
  ring_deadline_.reset();
  out.push_back(action::Report{{CallProgress::Kind::answered}});
}

void CallCore::apply(const Negotiated& n, Actions& out, Time now) {
  const fax::Transport next = transport_of(n.kind);
  if (next == transport_) {
    out.push_back(
        action::Log{"reinvite_no_media_change", fmt::format("transport={}", fax::to_string(next))});
    return;
  }
  if (next == fax::Transport::g711 && transport_ == fax::Transport::t38) {
    // A peer going back to audio after T.38 is ending its fax; the T.38 session keeps running.
    out.push_back(action::Log{"t38_to_audio_ignored", ""});
    return;
  }
  if (next == fax::Transport::t38) {
    out.push_back(action::StartT38{n.remote, n.t38});
    out.push_back(action::Log{
        "t38_start",
        fmt::format("remote={}:{} version={} max_bit_rate={} max_datagram={}", n.remote.address,
                    n.remote.port, n.t38.version, n.t38.max_bit_rate, n.t38.max_datagram)});
    reinvite_at_.reset();
  } else {
    out.push_back(action::StartAudio{n.remote, n.codec, n.red_pt});
    out.push_back(action::Log{
        "audio_start", fmt::format("remote={}:{} codec={} red={}", n.remote.address, n.remote.port,
                                   n.codec == fax::AudioCodec::pcma ? "PCMA" : "PCMU", n.red_pt)});
    if (settings_.allow_t38 && !t38_refused_) {
      reinvite_at_ = now + settings_.timers.reinvite_after +
                     (settings_.outbound ? settings_.timers.caller_reinvite_delay
                                         : std::chrono::milliseconds{0});
    }
  }
  media_started_ = true;
  transport_ = next;
  CallProgress p{CallProgress::Kind::transport};
  p.transport = next;
  out.push_back(action::Report{p});
}

void CallCore::respond_ok(Actions& out, std::string sdp) {
  out.push_back(action::RespondInvite{200, "OK", std::move(sdp)});
  awaiting_ack_ = true;
}

Actions CallCore::start_inbound(std::string_view offer, Time now) {
  Actions out;
  if (state_ != State::idle) return out;
  sip_status_ = 200;
  if (offer.empty()) {
    const Sdp ours = make_audio_offer(local_);
    respond_ok(out, versioned(ours));
    offer_in_ack_ = true;
    answered(out, now);
    return out;
  }
  auto parsed = parse_sdp(offer);
  if (!parsed) {
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    sip_status_ = 488;
    fail_unanswered(out, FailureCode::rejected, "488 bad SDP: " + parsed.error().message);
    return out;
  }
  Answer ans = answer_offer(*parsed, local_, settings_.allow_t38);
  if (ans.chosen.kind == StreamKind::none) {
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    sip_status_ = 488;
    fail_unanswered(out, FailureCode::rejected, "488 no acceptable media offered");
    return out;
  }
  last_remote_ = *parsed;
  respond_ok(out, versioned(ans.sdp));
  answered(out, now);
  apply(ans.chosen, out, now);
  schedule_sync(now);
  return out;
}

Actions CallCore::start_outbound(Time now) {
  Actions out;
  if (state_ != State::idle) return out;
  state_ = State::calling;
  ring_deadline_ = now + settings_.timers.ring_timeout;
  out.push_back(action::SendInvite{versioned(make_audio_offer(local_)), false});
  template_ = accepted_local_;
  return out;
}

Actions CallCore::on_invite_response(int status, std::string_view phrase, std::string_view body,
                                     bool local, Time now) {
  Actions out;
  if (status < 100) return out;
  const bool initial =
      state_ == State::calling || state_ == State::ringing || state_ == State::canceling;
  if (initial) {
    if (status < 200) {
      provisional_seen_ = true;
      if (status > 100 && !ringing_reported_ && state_ != State::canceling) {
        ringing_reported_ = true;
        state_ = State::ringing;
        out.push_back(action::Report{{CallProgress::Kind::ringing}});
      }
      return out;
    }
    if ((status == 401 || status == 407) && !local && state_ != State::canceling &&
        settings_.have_credentials && auth_tries_ == 0) {
      ++auth_tries_;
      out.push_back(action::Authenticate{});
      return out;
    }
    sip_status_ = status;
    if (status >= 300) {
      // A 408 with no response before it is our own timer B: nobody answered at all.
      FailureCode code = failure_for_status(status, local || (status == 408 && !provisional_seen_));
      if (abort_failure_)
        code = *abort_failure_;
      else if (ring_timed_out_)
        code = FailureCode::no_answer;
      fail_unanswered(out, code, status_text(status, phrase));
      return out;
    }
    // 2xx
    if (state_ == State::canceling) {
      // The far end answered while our CANCEL was on its way: hang up at once.
      out.push_back(action::SendBye{});
      fail_unanswered(out, abort_failure_.value_or(FailureCode::no_answer),
                      abort_failure_ ? message_ : "no answer in time");
      return out;
    }
    answered(out, now);
    auto parsed = parse_sdp(body);
    Negotiated n;
    if (parsed) {
      last_remote_ = *parsed;
      n = read_answer(*parsed, local_);
    }
    if (n.kind == StreamKind::none) {
      end_call(out, FailureCode::rejected, "answer has no usable media", true, now);
      return out;
    }
    apply(n, out, now);
    return out;
  }
  if (state_ != State::active || !(reinvite_pending_ || sync_pending_) || status < 200) return out;

  if ((status == 401 || status == 407) && !local && settings_.have_credentials && auth_tries_ < 2) {
    ++auth_tries_;
    out.push_back(action::Authenticate{});
    return out;
  }
  if (sync_pending_) {
    // The response to our re-INVITE with the SDP in use: nothing changes either way.
    sync_pending_ = false;
    if (status < 300) {
      out.push_back(action::Log{"session_template_synced", ""});
    } else if (status == 491) {
      sync_at_ = now + glare_delay();
    } else if (status == 408 || status == 481) {
      end_call(out, FailureCode::transfer_failed, "re-INVITE: " + status_text(status, phrase), true,
               now);
    } else {
      out.push_back(action::Log{"session_template_sync_refused",
                                fmt::format("status={}", status_text(status, phrase))});
    }
    return out;
  }

  // The response to our T.38 re-INVITE.
  reinvite_pending_ = false;
  if (status < 300) {
    auto parsed = parse_sdp(body);
    Negotiated n;
    if (parsed) n = read_answer(*parsed, local_);
    if (n.kind == StreamKind::t38) {
      last_remote_ = *parsed;
      pending_local_.reset();
      apply(n, out, now);
    } else {
      t38_refused_ = true;
      revert_local();
      out.push_back(action::HoldAudio{false});
      out.push_back(action::Log{"t38_refused", "image stream refused in 2xx; staying on G.711"});
      schedule_sync(now);
    }
    return out;
  }
  revert_local();
  out.push_back(action::HoldAudio{false});
  if (status == 491) {
    const auto delay = glare_delay();
    reinvite_at_ = now + delay;
    out.push_back(action::Log{"reinvite_glare", fmt::format("retry_in_ms={}", delay.count())});
    return out;
  }
  if (status == 408 || status == 481) {
    end_call(out, FailureCode::transfer_failed, "re-INVITE: " + status_text(status, phrase), true,
             now);
    return out;
  }
  t38_refused_ = true;
  out.push_back(action::Log{
      "t38_refused", fmt::format("status={} staying on G.711", status_text(status, phrase))});
  schedule_sync(now);
  return out;
}

Actions CallCore::on_peer_reinvite(std::string_view body, Time now) {
  Actions out;
  if (state_ != State::active) {
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    return out;
  }
  if (reinvite_pending_ || sync_pending_) {
    out.push_back(action::RespondInvite{491, "Request Pending", ""});
    return out;
  }
  if (body.empty()) {
    // Offerless re-INVITE (a refresh): offer the session as it is.
    respond_ok(out, accepted_local_ ? versioned(*accepted_local_) : std::string{});
    return out;
  }
  auto parsed = parse_sdp(body);
  if (!parsed) {
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    return out;
  }
  if (last_remote_ && accepted_local_ && same_media(*parsed, *last_remote_)) {
    respond_ok(out, versioned(*accepted_local_));
    out.push_back(action::Log{"reinvite_refresh", ""});
    return out;
  }
  Answer ans = answer_offer(*parsed, local_, settings_.allow_t38);
  if (ans.chosen.kind == StreamKind::none) {
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    out.push_back(action::Log{"reinvite_refused", "no acceptable media"});
    return out;
  }
  if (transport_ == fax::Transport::t38 && ans.chosen.kind != StreamKind::t38 && !fax_result_) {
    // Back to audio while our T.38 fax runs (a refresh with a stale SDP, or a gateway giving
    // up): agreeing would stop the peer's UDPTL while we keep sending it. The session stays.
    out.push_back(action::RespondInvite{488, "Not Acceptable Here", ""});
    out.push_back(action::Log{"reinvite_refused", "offer back to audio during the T.38 fax"});
    return out;
  }
  last_remote_ = *parsed;
  respond_ok(out, versioned(ans.sdp));
  apply(ans.chosen, out, now);
  schedule_sync(now);
  return out;
}

Actions CallCore::on_ack(std::string_view body, Time now) {
  Actions out;
  awaiting_ack_ = false;
  if (!offer_in_ack_ || state_ != State::active) return out;
  offer_in_ack_ = false;
  auto parsed = parse_sdp(body);
  Negotiated n;
  if (parsed) {
    last_remote_ = *parsed;
    n = read_answer(*parsed, local_);
  }
  if (n.kind == StreamKind::none) {
    end_call(out, FailureCode::rejected, "ACK has no usable answer", true, now);
    return out;
  }
  apply(n, out, now);
  return out;
}

Actions CallCore::on_peer_cancel(Time) {
  Actions out;
  if (state_ == State::idle || state_ == State::calling || state_ == State::ringing) {
    fail_unanswered(out, FailureCode::canceled, "caller canceled");
  }
  return out;
}

Actions CallCore::on_peer_bye(Time now) {
  Actions out;
  if (state_ == State::active) {
    end_call(out, FailureCode::transfer_failed, "far end hung up", false, now);
  }
  return out;
}

Actions CallCore::on_dialog_terminated(Time now, std::string_view reason) {
  Actions out;
  switch (state_) {
    case State::calling:
    case State::ringing:
    case State::canceling:
      fail_unanswered(out,
                      abort_failure_    ? *abort_failure_
                      : ring_timed_out_ ? FailureCode::no_answer
                                        : FailureCode::carrier_unreachable,
                      "call terminated before an answer");
      break;
    case State::active:
      end_call(out, FailureCode::transfer_failed,
               reason.empty() ? "dialog terminated" : fmt::format("dialog terminated: {}", reason),
               false, now);
      break;
    default:
      break;
  }
  return out;
}

Actions CallCore::on_session_timer(bool peer_allows_update, Time now) {
  Actions out;
  if (!session_timer_ || update_refresh_ != peer_allows_update) {
    out.push_back(action::Log{
        "session_timer", fmt::format("refresh_by={}", peer_allows_update ? "update" : "reinvite")});
  }
  session_timer_ = true;
  update_refresh_ = peer_allows_update;
  schedule_sync(now);
  return out;
}

Actions CallCore::on_fax_progress(const fax::Progress& progress, Time now) {
  Actions out;
  if (state_ != State::active) return out;
  stall_deadline_ = now + settings_.timers.stall_timeout;
  CallProgress p{CallProgress::Kind::page};
  p.transport = transport_;
  p.pages_done = progress.pages_done;
  p.remote_station_id = progress.remote_station_id;
  out.push_back(action::Report{p});
  return out;
}

Actions CallCore::on_fax_done(const fax::FaxResult& result, Time now) {
  Actions out;
  if (state_ == State::done || fax_result_) return out;
  fax_result_ = result;
  if (state_ == State::active) {
    // Phase E is over: we hang up.
    end_call(out, result.failure, result.message, true, now);
  } else {
    maybe_finish(out);
  }
  return out;
}

Actions CallCore::cancel(Time now) {
  user_canceled_ = true;
  return abort(FailureCode::canceled, "canceled", now);
}

Actions CallCore::abort(FailureCode failure, std::string message, Time now) {
  Actions out;
  switch (state_) {
    case State::idle:
      fail_unanswered(out, failure, std::move(message));
      break;
    case State::calling:
    case State::ringing:
      state_ = State::canceling;
      abort_failure_ = failure;
      message_ = std::move(message);
      end_deadline_ = now + settings_.timers.end_grace;
      out.push_back(action::SendCancel{});
      break;
    case State::active:
      end_call(out, failure, std::move(message), true, now);
      break;
    default:
      break;
  }
  return out;
}

Actions CallCore::tick(Time now) {
  Actions out;
  auto due = [&](const std::optional<Time>& t) { return t && now >= *t; };
  switch (state_) {
    case State::calling:
    case State::ringing:
      if (due(ring_deadline_)) {
        ring_timed_out_ = true;
        state_ = State::canceling;
        end_deadline_ = now + settings_.timers.end_grace;
        out.push_back(action::Log{"ring_timeout", ""});
        out.push_back(action::SendCancel{});
      }
      break;
    case State::canceling:
      if (due(end_deadline_)) {
        fail_unanswered(out, abort_failure_.value_or(FailureCode::no_answer),
                        "no final response to CANCEL");
      }
      break;
    case State::active:
      if (!awaiting_ack_ && due(reinvite_at_)) {
        reinvite_at_.reset();
        if (transport_ == fax::Transport::g711 && !t38_refused_ && !reinvite_pending_ &&
            settings_.allow_t38) {
          Sdp offer = make_t38_offer(local_);
          pending_local_ = accepted_local_;
          reinvite_pending_ = true;
          auth_tries_ = 0;
          out.push_back(action::Log{"t38_reinvite_out", ""});
          // No RTP from here until the answer: once the peer has said yes, its media port may
          // already be its UDPTL port (rtpengine reuses the port for the image stream).
          out.push_back(action::HoldAudio{true});
          out.push_back(action::SendInvite{versioned(std::move(offer)), true});
          template_ = accepted_local_;
        }
      }
      if (!awaiting_ack_ && due(sync_at_)) {
        sync_at_.reset();
        // Our own T.38 re-INVITE, when one is coming, becomes the template anyway.
        if (session_timer_ && !update_refresh_ && template_stale() && !reinvite_pending_ &&
            !sync_pending_ && !offer_in_ack_ && !reinvite_at_) {
          sync_pending_ = true;
          auth_tries_ = 0;
          out.push_back(action::Log{"session_template_sync", ""});
          out.push_back(action::SendInvite{versioned(*accepted_local_), true});
          template_ = accepted_local_;
        }
      }
      if (due(max_deadline_)) {
        out.push_back(action::Log{"watchdog", "max call duration reached"});
        end_call(out, FailureCode::transfer_failed, "watchdog: call too long", true, now);
      } else if (due(stall_deadline_)) {
        out.push_back(action::Log{"watchdog", "no fax progress"});
        end_call(out, FailureCode::transfer_failed, "watchdog: no fax progress", true, now);
      }
      break;
    case State::ending:
      if (due(end_deadline_)) {
        out.push_back(action::Log{"watchdog", "fax engine gave no result after hang-up"});
        finish(out);
      }
      break;
    default:
      break;
  }
  return out;
}

void CallCore::end_call(Actions& out, FailureCode failure, std::string message, bool send_bye,
                        Time now) {
  if (state_ == State::done || state_ == State::ending) return;
  // The reason we end for: the outcome may later carry the fax engine's result instead.
  const bool ok = fax_result_ && fax_result_->ok;
  out.push_back(
      action::Log{"ending", fmt::format("failure={} bye={} message=\"{}\"",
                                        ok ? "none" : to_string(failure), send_bye, message)});
  state_ = State::ending;
  failure_ = failure;
  message_ = std::move(message);
  reinvite_at_.reset();
  if (send_bye) out.push_back(action::SendBye{});
  if (media_started_ && !fax_result_) {
    out.push_back(action::HangupMedia{failure});
    end_deadline_ = now + settings_.timers.end_grace;
  }
  maybe_finish(out);
}

void CallCore::fail_unanswered(Actions& out, FailureCode failure, std::string message) {
  if (state_ == State::done) return;
  failure_ = failure;
  message_ = std::move(message);
  state_ = State::ending;
  out.push_back(action::HangupMedia{failure});
  finish(out);
}

void CallCore::maybe_finish(Actions& out) {
  if (state_ == State::ending && (!media_started_ || fax_result_)) finish(out);
}

void CallCore::finish(Actions& out) {
  CallOutcome o;
  o.sip_status = sip_status_;
  o.transport = transport_;
  if (fax_result_ && media_started_) {
    o.fax = *fax_result_;
    o.ok = fax_result_->ok;
    o.failure = fax_result_->failure;
    o.message = fax_result_->message;
  } else {
    o.ok = false;
    o.failure = failure_;
    o.message = message_;
  }
  state_ = State::done;
  out.push_back(action::Finish{std::move(o)});
}

bool CallCore::template_stale() const {
  return accepted_local_ && (!template_ || !same_media(*template_, *accepted_local_));
}

void CallCore::schedule_sync(Time now) {
  // A moment after the transaction that changed the session, so its ACK goes first.
  if (session_timer_ && !update_refresh_ && template_stale() && !sync_at_) {
    sync_at_ = now + std::chrono::seconds(1);
  }
}

std::chrono::milliseconds CallCore::glare_delay() {
  // RFC 3261 14.1: the owner of the Call-ID (the caller) waits 2.1-4 s, the other side 0-2 s.
  const int lo = settings_.outbound ? 2100 : 0;
  const int hi = settings_.outbound ? 4000 : 2000;
  std::uniform_int_distribution<int> d(lo / 10, hi / 10);
  return std::chrono::milliseconds(d(rng_) * 10);
}

}  // namespace faxd::sip
