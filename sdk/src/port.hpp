// How a runtime reaches the broker: through a connection of its own (an
// agent in its own process, a client), or through a share of its container's
// (a hosted agent). The session opens and closes the port and sends through
// it; the receiver reads from it; the loop waits on it, and any thread may
// wake that wait.
#pragma once

#include "connection.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace watt::detail {

using Clock = std::chrono::steady_clock;

class Port {
public:
  virtual ~Port() = default;

  // Connects (or joins the container's connection) as `identity`.
  virtual void open(const std::string& address, const std::string& identity, const CurveKeys* curve) = 0;
  // Waits up to `linger_ms` for what is unsent, then lets go.
  virtual void close(int linger_ms) = 0;
  virtual bool is_open() const noexcept = 0;
  // A hosted identity says hello with `hosted` (protocol 2).
  virtual bool hosted() const noexcept = 0;

  virtual void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) = 0;
  // Non-blocking; false when nothing waits. A malformed message is consumed
  // and reported through `error`.
  virtual bool try_receive(Incoming& out, std::string& error) = 0;
  virtual LinkEvent next_event() = 0;

  // Until a message or link event may be waiting, wake() was called, or the
  // deadline: whichever comes first.
  virtual void wait(Clock::time_point deadline) = 0;
  // Any thread, and from a signal handler for a port of its own.
  virtual void wake() noexcept = 0;
};

// A connection of its own, and an eventfd to be woken by.
std::unique_ptr<Port> own_connection();

}  // namespace watt::detail
