// One peer's socket to the broker: messages out, messages in, and what the
// socket monitor says about the link. Nothing else.
#pragma once

#include <watt/detail/zmq_context.hpp>
#include <watt/proto/batch.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <zmq.hpp>

#include <string>
#include <string_view>

namespace watt::detail {

// A message from the broker: a whole frame, or one message of a batch frame.
// The views are recomputed from the frame on each call, so an Incoming may be
// moved.
struct Incoming {
  proto::Kind kind{};
  zmq::message_t frame;
  std::string_view address_view() const { return part(address_at_, address_len_); }
  std::string_view origin_view() const { return part(origin_at_, origin_len_); }
  std::string_view header_view() const { return part(header_at_, header_len_); }
  std::string_view body_view() const { return part(body_at_, end_ - body_at_); }
  // All four at once, and a view at an offset (from one look at the frame).
  struct Parts {
    const char* base;
    std::string_view address, origin, header, body;
  };
  Parts parts() const {
    const char* base = frame.data<char>();
    return {base,
            {base + address_at_, address_len_},
            {base + origin_at_, origin_len_},
            {base + header_at_, header_len_},
            {base + body_at_, end_ - body_at_}};
  }

  // Another Incoming for the same message, sharing its bytes (by reference
  // count): a container hands one delivery to several of its agents.
  Incoming share() {
    Incoming out;
    out.kind = kind;
    out.frame.copy(frame);
    out.address_at_ = address_at_;
    out.address_len_ = address_len_;
    out.origin_at_ = origin_at_;
    out.origin_len_ = origin_len_;
    out.header_at_ = header_at_;
    out.header_len_ = header_len_;
    out.body_at_ = body_at_;
    out.end_ = end_;
    return out;
  }

  // Splits the frame, or the message at [at, at + len) of it; returns an
  // error text, empty when well-formed.
  std::string parse() { return parse(0, frame.size()); }
  std::string parse(std::size_t at, std::size_t len);

private:
  std::string_view part(std::size_t at, std::size_t len) const { return {frame.data<char>() + at, len}; }
  std::size_t address_at_ = 0, address_len_ = 0, origin_at_ = 0, origin_len_ = 0, header_at_ = 0, header_len_ = 0,
              body_at_ = 0, end_ = 0;
};

// What the socket monitor says about the link to the broker.
enum class LinkEvent { none, connected, disconnected, auth_failed };

// For TCP: the server's public key and this peer's own pair (Z85).
struct CurveKeys {
  std::string server_public, public_key, secret_key;
};

class Connection {
public:
  // `origin` is this peer's identity, written into every message it sends.
  Connection(const std::string& address, std::string origin, const CurveKeys* curve = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Blocks while the socket's send queue is full: that is the backpressure a
  // publisher feels when the broker cannot keep up.
  void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) {
    send_as(origin_, kind, address, header, body);
  }
  // As another identity: one this connection hosts (protocol 2). Unless
  // `wait`, returns false at once where send() would block.
  bool send_as(std::string_view origin, proto::Kind kind, std::string_view address, std::string_view header,
               std::string_view body, bool wait = true);
  // Non-blocking. Returns false when nothing is waiting. A malformed message
  // is consumed and reported through `error`.
  bool try_receive(Incoming& out, std::string& error);
  // Non-blocking: the next connect/disconnect of the underlying link. ZeroMQ
  // reconnects by itself (with backoff); this is how we learn it did.
  LinkEvent next_event();

  zmq::socket_t& socket() noexcept { return socket_; }
  zmq::socket_t& monitor() noexcept { return monitor_; }
  const std::string& address() const noexcept { return address_; }
  void set_linger(int ms);

private:
  std::string address_;
  std::string origin_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
};

}  // namespace watt::detail
