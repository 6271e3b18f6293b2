// The supervision both ends of a serial link share, with no I/O of its own:
// when to (re)open the port (backoff), whether the peer is reachable (UP:
// the port is open and a good frame came within the silence timeout), when
// a heartbeat is due (nothing sent for a period), and the queue of frames
// waiting to be written, which drops the oldest data frame when full. The
// bridge's SerialLink drives it from Asio timers, the node's NodeLink from
// its poll() loop; each passes the time in, so tests need no clock.
#pragma once

#include "framing/frame.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace watt::serial {

// opening: started, nothing has happened yet (no frame heard, no failure).
// up:      the port is open AND a good frame (any type: hello, data,
//          heartbeat) arrived from the peer within the last silence_timeout.
// down:    anything else after that: the port could not be opened, it failed
//          (read/write error: the cable or adapter went away), or it is open
//          but the peer has been silent for silence_timeout.
// Health maps UP to GOOD and DOWN to BAD for the node on the other end.
enum class LinkState : std::uint8_t { opening, up, down };

const char* to_string(LinkState state);

struct SupervisionOptions {
  std::chrono::milliseconds heartbeat_period{1000};
  std::chrono::milliseconds silence_timeout{3000};
  std::chrono::milliseconds reopen_min{100};
  std::chrono::milliseconds reopen_max{5000};
};

class LinkSupervisor {
public:
  using Clock = std::chrono::steady_clock;

  explicit LinkSupervisor(const SupervisionOptions& options);

  // Starts afresh: opening, the backoff back to its start, an open due now.
  void restart(Clock::time_point now);
  bool open_due(Clock::time_point now) const { return !open_ && now >= next_open_; }
  Clock::time_point next_open() const noexcept { return next_open_; }
  // The wait before the pending (or most recent) reopen.
  std::chrono::milliseconds reopen_delay() const noexcept { return delay_; }

  // The port opened: the silence and heartbeat clocks start now.
  void opened(Clock::time_point now);
  // The port could not be opened, or was lost: DOWN for `reason`, and the
  // next open waits the backoff (doubling up to reopen_max). These, and the
  // calls below, return true when the state or its reason changed (a
  // repeated identical failure is reported once).
  bool failed(Clock::time_point now, std::string_view reason);
  // A good frame arrived: UP (and the backoff back to its start) if not yet.
  bool heard(Clock::time_point now, std::string_view up_reason);
  // DOWN for `reason` once the peer was silent for silence_timeout, once
  // per silence.
  bool check_silence(Clock::time_point now, std::string_view reason);
  Clock::time_point silence_deadline() const noexcept { return last_heard_ + options_.silence_timeout; }

  // Something was sent (or queued to be): the heartbeat waits a period more.
  void sent(Clock::time_point now) noexcept { last_sent_ = now; }
  bool heartbeat_due(Clock::time_point now) const { return open_ && now >= heartbeat_deadline(); }
  Clock::time_point heartbeat_deadline() const noexcept { return last_sent_ + options_.heartbeat_period; }

  // When the supervision next has something to do (for a poll() timeout).
  Clock::time_point next_deadline(Clock::time_point now) const;

  LinkState state() const noexcept { return state_; }
  const std::string& reason() const noexcept { return reason_; }

private:
  bool set(LinkState state, std::string_view reason);

  SupervisionOptions options_;
  LinkState state_ = LinkState::opening;
  std::string reason_;
  bool open_ = false;
  Clock::time_point next_open_{};
  std::chrono::milliseconds delay_;       // the wait of the pending or last reopen
  std::chrono::milliseconds next_delay_;  // the wait the next reopen will use
  Clock::time_point last_heard_{};        // or when the port opened, before anything arrived
  bool silence_reported_ = false;
  Clock::time_point last_sent_{};
};

// A frame on its way to the line: its encoded bytes (COBS and delimiter).
struct QueuedFrame {
  FrameType type = FrameType::data;
  std::vector<std::uint8_t> bytes;
};

// Frames waiting to be written, in order. Data frames waiting are bounded:
// over the limit, the oldest waiting one is dropped (a newer reading is worth
// more; its sequence number goes missing on the line, so the peer counts
// exactly one gap). Hellos and heartbeats are never dropped.
class TxQueue {
public:
  explicit TxQueue(std::size_t data_limit) : limit_(data_limit) {}

  // Returns how many data frames were dropped to make room (0 or 1). When
  // the front is being written already, it is not counted as waiting.
  std::size_t push(QueuedFrame frame, bool front_in_progress = false);
  bool empty() const noexcept { return frames_.empty(); }
  QueuedFrame& front() { return frames_.front(); }
  void pop_front() {
    if (frames_.front().type == FrameType::data) --data_;
    frames_.pop_front();
  }
  // Empties it (the port went away); returns how many data frames were lost.
  std::size_t clear();

private:
  std::size_t limit_;
  std::deque<QueuedFrame> frames_;
  std::size_t data_ = 0;  // data frames among them
};

}  // namespace watt::serial
