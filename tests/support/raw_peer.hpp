// A raw DEALER speaking the protocol one message at a time, for tests that
// must say what no SDK peer would: forged answers, a second hello, a peer
// that never reads. Header-only and for doctest test cases (it REQUIREs).
#pragma once

#include <watt/detail/zmq_context.hpp>
#include <watt/platform/broker_stats.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/handover.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>
#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace watt::test {

// One message as received, its views copied out.
struct RawMessage {
  proto::Kind kind{};
  std::string address, origin, method, code, message, body;
  std::uint64_t id = 0;
};

class RawPeer {
public:
  // A small receive_high_water makes messages wait at the broker soon.
  explicit RawPeer(const std::string& address, int receive_high_water = 1000) {
    socket_.set(zmq::sockopt::rcvhwm, receive_high_water);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 5000);
    socket_.connect(address);
  }
  // Sends with the next id of this peer's own, which it returns (unless the
  // header names an id: answers carry their request's).
  std::uint64_t send(proto::Kind kind, const std::string& address, const std::string& origin, proto::Header h,
                     const std::string& body = {}) {
    if (h.id == 0) h.id = ++id_;
    const std::string header = proto::encode_header(h);
    zmq::message_t out(proto::message_size(address, origin, header, body));
    proto::write_message(out.data<char>(), kind, address, origin, header, body);
    proto::handing_over(out.data());  // to the broker's thread, over inproc (for ThreadSanitizer)
    REQUIRE(socket_.send(out, zmq::send_flags::none));
    return h.id;
  }
  // The next message from the broker that is not one of its liveness pings.
  RawMessage receive() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      zmq::message_t in;
      REQUIRE(socket_.recv(in));
      proto::taking_over(in.data());
      proto::MessageView v;
      REQUIRE(proto::parse_message({in.data<char>(), in.size()}, v).empty());
      if (v.kind == static_cast<std::uint8_t>(proto::Kind::ping)) continue;
      proto::Header h;
      REQUIRE(proto::decode_header(v.header, h).empty());
      return {static_cast<proto::Kind>(v.kind),
              std::string(v.address),
              std::string(v.origin),
              std::string(h.method),
              std::string(h.code),
              std::string(h.message),
              std::string(v.body),
              h.id};
    }
  }
  // The kind and error code of the next message.
  std::pair<proto::Kind, std::string> next() {
    auto m = receive();
    return {m.kind, m.code};
  }
  std::pair<proto::Kind, std::string> ask(proto::Kind kind, const std::string& address, const std::string& origin,
                                          proto::Header h) {
    send(kind, address, origin, h);
    return next();
  }
  std::pair<proto::Kind, std::string> hello(const std::string& identity, std::uint64_t protocol = proto::protocol) {
    identity_ = identity;
    proto::Header h;
    h.protocol = protocol;
    return ask(proto::Kind::hello, identity, identity, h);
  }
  // Protocol 2: one more identity on this connection, as a container adds
  // an agent. The broker's answer, addressed to that identity.
  RawMessage host(const std::string& identity) {
    proto::Header h;
    h.protocol = proto::protocol;
    h.hosted = true;
    send(proto::Kind::hello, identity, identity, h);
    return receive();
  }
  // The broker's counters (its own method "stats"), as the identity this
  // peer said hello with; what arrives before the answer is passed over.
  watt::broker::BrokerStats broker_stats() {
    proto::Header h;
    h.method = "stats";
    const std::uint64_t id = send(proto::Kind::request, "broker", identity_, h, "\x90");
    for (;;) {
      const RawMessage m = receive();
      if (m.kind == proto::Kind::response && m.id == id)
        return msgpack::unpack(m.body.data(), m.body.size()).get().as<watt::broker::BrokerStats>();
    }
  }

private:
  zmq::socket_t socket_{watt::detail::zmq_context(), zmq::socket_type::dealer};
  std::uint64_t id_ = 0;
  std::string identity_;
};

}  // namespace watt::test
