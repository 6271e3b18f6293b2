// One serial port to one node: opens it and reopens it with backoff when it
// goes away, says hello and sends heartbeats, carries data frames both ways,
// and tells its owner whether the node is reachable (UP) or not (DOWN).
#pragma once

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/hello.hpp"
#include "supervision/link_supervisor.hpp"
#include "tty/serial_settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace boost::asio {
class io_context;
}

namespace watt::serial {

struct LinkOptions : SupervisionOptions {
  // heartbeat_period: a heartbeat is sent when nothing else was sent for this
  // long. silence_timeout: no good frame from the peer for this long: DOWN
  // "peer silent"; the port stays open and the next good frame makes the link
  // UP again. reopen_min, reopen_max: after a failed open or a lost port the
  // next open waits reopen_min, each further failure doubling the wait up to
  // reopen_max; back to reopen_min once the peer is heard (UP).

  // The largest payload this side accepts (announced in our hello) and sends
  // (never more than the peer's hello announced, or than the protocol's
  // default 1024 before the peer's hello). At most 65535.
  std::size_t max_payload = default_max_payload;
  // Data frames waiting to be written, not counting the one being written.
  // Over it, the oldest waiting data frame is dropped (tx_dropped) — the
  // newest reading is worth more than an old one.
  std::size_t tx_queue_limit = 64;
};

// Throws LinkError naming the first bad field.
void validate(const LinkOptions& options);

struct LinkCounters {
  DecoderCounters rx;            // every byte and frame received, over all opens of the port
  std::uint64_t tx_frames = 0;   // frames fully written (hello, data, heartbeat)
  std::uint64_t tx_dropped = 0;  // data frames queued but never written: over the limit, or the port lost
  std::uint64_t tx_refused = 0;  // send_data returned false
  std::uint64_t opens = 0;       // successful opens of the port
  std::uint64_t open_failures = 0;
  std::uint64_t read_errors = 0;   // each one closed the port
  std::uint64_t write_errors = 0;  // each one closed the port
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_received = 0;
  std::uint64_t hellos_received = 0;
};

struct LinkCallbacks {
  std::function<void(const Frame&)> on_frame;  // data frames only
  // Called on every change of state or of the reason (a repeated identical
  // failure is reported once).
  std::function<void(LinkState, const std::string& reason)> on_state;
  std::function<void(const Hello&)> on_hello;  // optional: the peer (re)started
};

// Everything runs on the caller's io_context: no thread of its own, so one
// thread can drive many links. All member functions must be called from the
// thread that runs the io_context (or while it is not running), and the
// callbacks are called from it. Callbacks may call send_data() and stop().
class SerialLink {
public:
  using Callbacks = LinkCallbacks;

  // Throws LinkError for bad settings or options; does not touch the device.
  SerialLink(boost::asio::io_context& io, SerialSettings settings, LinkOptions options = {}, Callbacks callbacks = {});
  ~SerialLink();  // stop()
  SerialLink(const SerialLink&) = delete;
  SerialLink& operator=(const SerialLink&) = delete;

  // Opens the port from the io_context (not inside this call). Again after
  // stop() starts afresh; while running, does nothing.
  void start();
  // Cancels everything and closes the port; no callback is called once it
  // returns, and the link leaves no work on the io_context.
  void stop();

  // Queues one data frame. False (counted in tx_refused) when the link is
  // stopped, the port is not open, or the payload is longer than this side's
  // max_payload or the peer's announced one. Frames are written in order,
  // one write at a time.
  bool send_data(std::span<const std::uint8_t> msgpack_payload);

  LinkState state() const;
  const std::string& reason() const;
  bool port_open() const;
  LinkCounters counters() const;
  // The peer's last hello on the current open of the port.
  std::optional<Hello> peer_hello() const;
  // The wait before the pending (or most recent) reopen attempt.
  std::chrono::milliseconds reopen_delay() const;
  const SerialSettings& settings() const;

private:
  class Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending handlers, which outlive stop()
};

}  // namespace watt::serial
