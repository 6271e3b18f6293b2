// This peer's session with the broker: the connection, the hello and its
// welcome, joining again after a lost link, the broker's flow control, and
// the ids of what it sends.
#pragma once

#include "port.hpp"

#include <watt/error.hpp>
#include <watt/proto/header.hpp>

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>

namespace watt::detail {

class Session {
public:
  Session(std::string identity, std::string address, Port& port, spdlog::logger& log);

  const std::string& identity() const noexcept { return identity_; }
  const std::string& address() const noexcept { return address_; }
  // For a TCP platform: its public key and ours. Before open().
  void set_curve(CurveKeys keys) { curve_ = std::move(keys); }
  bool has_curve() const noexcept { return curve_.has_value(); }

  // Connects and says hello; the welcome comes through on_welcome().
  void open();
  // Closes the connection, waiting up to `linger` for what is unsent.
  void close(int linger_ms);

  bool is_open() const noexcept { return port_.is_open(); }
  Port& port() noexcept { return port_; }
  // Connected and welcomed: what publishing and calling need.
  bool ready() const noexcept { return port_.is_open() && welcomed_; }
  bool welcomed() const noexcept { return welcomed_; }
  // The link dropped; we say hello again once it is back.
  bool rejoining() const noexcept { return rejoining_; }
  const std::optional<RpcError>& hello_error() const noexcept { return hello_error_; }
  // Held back by the broker for a lossless subscriber that is behind.
  bool paused() const noexcept { return paused_; }
  const std::string& pause_reason() const noexcept { return pause_reason_; }

  std::uint64_t next_id() noexcept { return ++next_id_; }
  // Sends a message with this header (encoded in a reused buffer).
  void send(proto::Kind kind, std::string_view address, const proto::Header& h, std::string_view body = {});

  void on_link(LinkEvent event);
  // True when this welcome answers our hello: we are in (again).
  bool on_welcome(std::uint64_t id);
  // True when this error answers our hello: refused.
  bool on_refused(std::uint64_t id, const RpcError& error);
  void on_flow(bool paused, std::string_view reason);

private:
  void send_hello();

  std::string identity_;
  std::string address_;
  spdlog::logger& log_;
  std::optional<CurveKeys> curve_;
  Port& port_;
  bool welcomed_ = false;
  bool rejoining_ = false;
  std::optional<RpcError> hello_error_;
  bool paused_ = false;
  std::string pause_reason_;
  std::uint64_t next_id_ = 0;
  std::uint64_t hello_id_ = 0;
  std::string header_buf_;  // reused: sending allocates nothing for the header
};

}  // namespace watt::detail
