// The broker's hello handling, against the real broker in this process and a
// raw DEALER speaking the protocol: what a second hello on one connection may
// and may not change.
#include "broker/allow_list.hpp"
#include "inproc_bus.hpp"
#include "temp_dir.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/handover.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>
#include <zmq.hpp>

#include <chrono>
#include <string>

namespace {

namespace proto = watt::proto;

// One connection, one message at a time.
class RawPeer {
public:
  explicit RawPeer(const std::string& address) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 5000);
    socket_.connect(address);
  }
  void send(proto::Kind kind, const std::string& address, const std::string& origin, proto::Header h) {
    h.id = ++id_;
    const std::string header = proto::encode_header(h);
    zmq::message_t out(proto::message_size(address, origin, header, {}));
    proto::write_message(out.data<char>(), kind, address, origin, header, {});
    proto::handing_over(out.data());  // to the broker's thread, over inproc (for ThreadSanitizer)
    REQUIRE(socket_.send(out, zmq::send_flags::none));
  }
  // The kind and error code of the next message from the broker that is not
  // one of its liveness pings.
  std::pair<proto::Kind, std::string> next() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      zmq::message_t in;
      REQUIRE(socket_.recv(in));
      proto::taking_over(in.data());
      proto::MessageView v;
      REQUIRE(proto::parse_message({in.data<char>(), in.size()}, v).empty());
      if (v.kind == static_cast<std::uint8_t>(proto::Kind::ping)) continue;
      proto::Header answer;
      REQUIRE(proto::decode_header(v.header, answer).empty());
      return {static_cast<proto::Kind>(v.kind), std::string(answer.code)};
    }
  }
  std::pair<proto::Kind, std::string> ask(proto::Kind kind, const std::string& address, const std::string& origin,
                                          proto::Header h) {
    send(kind, address, origin, h);
    return next();
  }
  std::pair<proto::Kind, std::string> hello(const std::string& identity) {
    proto::Header h;
    h.protocol = proto::version;
    return ask(proto::Kind::hello, identity, identity, h);
  }

private:
  zmq::socket_t socket_{watt::detail::zmq_context(), zmq::socket_type::dealer};
  std::uint64_t id_ = 0;
};

}  // namespace

TEST_CASE("broker hello: a second hello keeps the connection's identity and its allow-list entry") {
  watt::test::TempDir dir("hello");
  watt::broker::AuthEntry restricted;
  restricted.name = "installed-meter";
  restricted.local = true;
  restricted.identities = {"meter1"};
  restricted.publish = {"devices/meter1/#"};
  watt::broker::AllowList allow;
  allow.put(restricted);
  allow.save(dir.file("auth.yml"));
  watt::broker::BrokerConfig config;
  config.auth_file = dir.file("auth.yml");
  watt::test::InprocBus bus(config);

  RawPeer peer(bus.address());
  CHECK(peer.hello("meter1").first == proto::Kind::welcome);
  CHECK(peer.hello("meter1").first == proto::Kind::welcome);  // the same again: welcomed again
  // Another identity, one without an entry: refused, and nothing changes.
  const auto [kind, code] = peer.hello("platform.control");
  CHECK(kind == proto::Kind::error);
  CHECK(code == "bad_identity");

  // Still held to its entry: what it may publish is answered by nothing (the
  // sync after it is acknowledged first), what it may not is refused.
  peer.send(proto::Kind::publish, "devices/meter1/power", "meter1", {});
  CHECK(peer.ask(proto::Kind::sync, "", "meter1", {}).first == proto::Kind::ack);
  peer.send(proto::Kind::publish, "devices/other/power", "meter1", {});
  const auto refused = peer.next();
  CHECK(refused.first == proto::Kind::error);
  CHECK(refused.second == "unauthorized");
}
