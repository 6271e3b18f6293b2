// The node's end of a serial link (docs/serial-protocol.md, Link
// supervision): opens the port and reopens it with backoff, says hello and
// answers every hello from the bridge, sends a heartbeat when it has said
// nothing for a period, notices a silent bridge, and carries data frames both
// ways. No thread and no Boost: the caller's poll() loop drives it through
// fd(), events(), on_ready() and tick(), which is all a small board needs.
#pragma once

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "supervision/link_supervisor.hpp"
#include "tty/serial_settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace watt::node {

using Clock = std::chrono::steady_clock;

// heartbeat_period, silence_timeout, reopen_min and reopen_max mean what they
// mean for the bridge's end (serial::SupervisionOptions, serial::LinkOptions).
struct NodeLinkOptions : serial::SupervisionOptions {
  // The largest payload we accept, announced in our hello. More than the
  // protocol's default 1024: the monitor's start notice lists every member
  // of the run, some 5 bytes each.
  std::size_t max_payload = 8192;
  // Data frames waiting to be written; over it the oldest waiting one is
  // dropped (its sequence number goes missing on the line, as the protocol says).
  std::size_t tx_queue_limit = 256;
};

// Throws serial::LinkError naming the first bad field.
void validate(const NodeLinkOptions& options);

struct NodeLinkCounters {
  serial::DecoderCounters rx;
  std::uint64_t tx_frames = 0;   // written whole
  std::uint64_t tx_dropped = 0;  // data frames queued but never written (queue full, port lost)
  std::uint64_t tx_refused = 0;  // send_data() returned false
  std::uint64_t opens = 0;
  std::uint64_t open_failures = 0;
  std::uint64_t read_errors = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t hellos_received = 0;
  std::uint64_t heartbeats_sent = 0;
};

struct NodeLinkEvents {
  // A data frame from the bridge: one msgpack map (docs/serial-protocol.md, Topic mapping).
  std::function<void(std::span<const std::uint8_t> payload)> on_data;
  // The port opened, or the bridge said hello (it started or reopened its
  // end): the moment to (re)send subscriptions.
  std::function<void()> on_session;
  // The bridge became reachable (true) or not (false), and why.
  std::function<void(bool up, const std::string& why)> on_state;
};

class NodeLink {
public:
  // Throws serial::LinkError for bad settings or options; opens nothing yet.
  NodeLink(serial::SerialSettings settings, NodeLinkOptions options, NodeLinkEvents events);
  ~NodeLink();
  NodeLink(const NodeLink&) = delete;
  NodeLink& operator=(const NodeLink&) = delete;

  // For poll(): the port's descriptor (-1 while closed) and what to wait for.
  int fd() const { return fd_; }
  short events() const;
  // The port is readable, writable or failed (poll's revents).
  void on_ready(short revents, Clock::time_point now);
  // Opens when due, heartbeats, silence. Returns when it next needs calling.
  Clock::time_point tick(Clock::time_point now);

  // Queues one data frame. False (counted) while the port is closed or when
  // the payload is longer than the bridge accepts.
  bool send_data(std::span<const std::uint8_t> payload);
  // Writes what is queued, waiting up to `timeout` for the port (at exit).
  void flush(std::chrono::milliseconds timeout);

  bool open() const { return fd_ >= 0; }
  bool up() const { return supervisor_.state() == serial::LinkState::up; }
  NodeLinkCounters counters() const;  // rx summed over every open of the port
  const serial::SerialSettings& settings() const { return settings_; }

private:
  void try_open(Clock::time_point now);
  void lose(const std::string& why, Clock::time_point now);
  // Our hello; `opened`: the port has just opened (a 0x00 goes first).
  void send_hello(Clock::time_point now, bool opened);
  void queue(serial::FrameType type, std::span<const std::uint8_t> payload, Clock::time_point now,
             bool delimiter_first = false);
  void write_some(Clock::time_point now);
  void on_frame(const serial::ReceivedFrame& received, Clock::time_point now);
  // Tells the owner, when the supervisor says the state changed.
  void report(bool changed);

  serial::SerialSettings settings_;
  NodeLinkOptions options_;
  NodeLinkEvents events_;
  int fd_ = -1;
  serial::FrameDecoder decoder_;
  serial::DecoderCounters rx_before_;  // the decoders of earlier opens
  serial::LinkSupervisor supervisor_;  // backoff, up/down, heartbeat and silence
  serial::TxQueue tx_;
  std::string silence_reason_;  // built once: tick() runs often
  std::size_t tx_offset_ = 0;   // bytes of tx_.front() already written
  std::uint8_t seq_ = 0;
  std::size_t peer_max_payload_ = serial::default_max_payload;
  NodeLinkCounters counters_;
};

}  // namespace watt::node
