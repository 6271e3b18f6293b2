// The broker's hello handling, against the real broker in this process and a
// raw DEALER speaking the protocol: what a second hello on one connection may
// and may not change.
#include "broker/allow_list.hpp"
#include "inproc_bus.hpp"
#include "raw_peer.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

namespace {

namespace proto = watt::proto;
using watt::test::RawPeer;

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

TEST_CASE("broker hello: bye, then hello on the same connection with messages waiting for it, frees nothing in use") {
  // The use-after-free of issue 14: the old peer was freed while the list
  // of backlogged peers still pointed at it. Under AddressSanitizer this
  // test crashed the broker's thread before the fix.
  watt::broker::BrokerConfig config;
  config.socket_high_water = 1;
  watt::test::InprocBus bus(config);
  RawPeer peer(bus.address(), 1);
  REQUIRE(peer.hello("reader").first == proto::Kind::welcome);
  // Pongs to pings it does not read: a few fill its pipe, the rest wait at
  // the broker.
  for (int i = 0; i < 200; ++i) peer.send(proto::Kind::ping, "", "reader", {});
  peer.send(proto::Kind::bye, "", "reader", {});
  peer.send(proto::Kind::hello, "reader", "reader", [] {
    proto::Header h;
    h.protocol = proto::version;
    return h;
  }());
  // Everything is read now: the pongs, the bye's ack, the welcome, and then
  // the broker still answers.
  int pongs = 0;
  bool welcomed = false;
  while (!welcomed) {
    const auto m = peer.receive();
    pongs += m.kind == proto::Kind::pong;
    welcomed = m.kind == proto::Kind::welcome;
  }
  CHECK(pongs > 0);
  CHECK(peer.ask(proto::Kind::sync, "", "reader", {}).first == proto::Kind::ack);
}
