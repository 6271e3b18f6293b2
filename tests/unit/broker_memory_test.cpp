// The broker's memory stays bounded whatever peers send and however slowly
// others read: bytes per peer and for all peers, by kind of message. Raw
// peers that never read (a receive high-water mark of 1) play the stalled
// ones; the broker's own counters say what it holds.
#include "inproc_bus.hpp"
#include "raw_peer.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>

namespace {

namespace proto = watt::proto;
using watt::test::RawMessage;
using watt::test::RawPeer;

// Polls the broker's counters until `done` holds (or fails after 10 s).
watt::broker::BrokerStats await_stats(RawPeer& peer,
                                      const std::function<bool(const watt::broker::BrokerStats&)>& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto s = peer.broker_stats();
    if (done(s)) return s;
    REQUIRE(std::chrono::steady_clock::now() < give_up);
  }
}

watt::broker::BrokerConfig small_limits() {
  watt::broker::BrokerConfig config;
  config.socket_high_water = 1;
  config.peer_queue_bytes = 256 * 1024;
  config.memory_limit = 1024 * 1024;
  return config;
}

}  // namespace

TEST_CASE("broker memory: a peer that sends pings and never reads the pongs is removed, and its memory returns") {
  watt::test::InprocBus bus(small_limits());
  RawPeer watcher(bus.address());
  REQUIRE(watcher.hello("watcher").first == proto::Kind::welcome);
  RawPeer pinger(bus.address(), 1);
  REQUIRE(pinger.hello("pinger").first == proto::Kind::welcome);
  // Each pong weighs about 150 bytes: 256 KiB hold some 1,700 of them.
  for (int i = 0; i < 5000; ++i) pinger.send(proto::Kind::ping, "", "pinger", {});
  const auto s = await_stats(watcher, [](const auto& b) { return b.stalled_peers == 1; });
  CHECK(s.refused_for_memory >= 1);
  CHECK(s.peers == 1);  // the watcher alone
  // Its queue went with it.
  CHECK(await_stats(watcher, [](const auto& b) { return b.queued_bytes == 0; }).queued == 0);
}

TEST_CASE("broker memory: requests to a callee that does not read are refused once its bytes are full") {
  watt::test::InprocBus bus(small_limits());
  RawPeer alice(bus.address()), server(bus.address(), 1);
  REQUIRE(alice.hello("alice").first == proto::Kind::welcome);
  REQUIRE(server.hello("stalled").first == proto::Kind::welcome);
  proto::Header call;
  call.method = "m";
  const std::string args = "\x91\xda\x80\x00" + std::string(32768, 'a');  // [32 KiB string]
  std::uint64_t refused_id = 0;
  RawMessage refusal;
  for (int i = 0; i < 20 && refused_id == 0; ++i) {
    const auto id = alice.send(proto::Kind::request, "stalled", "alice", call, args);
    const std::uint64_t sync = alice.send(proto::Kind::sync, "", "alice", {});
    for (RawMessage m = alice.receive(); m.id != sync; m = alice.receive()) {
      if (m.kind == proto::Kind::error && m.id == id) {
        refused_id = id;
        refusal = m;
      }
    }
  }
  REQUIRE(refused_id != 0);
  CHECK(refusal.code == "backpressure");
  CHECK(refusal.message.find("peer 'stalled' has") != std::string::npos);
  const auto s = alice.broker_stats();
  CHECK(s.queued_bytes <= 256 * 1024);
  CHECK(s.refused_for_memory == 1);
  CHECK(s.stalled_peers == 0);  // it reads nothing, but was sent nothing of the broker's own
}

TEST_CASE("broker memory: large lossless messages to a stalled subscriber are held back by bytes, then refused") {
  watt::test::InprocBus bus(small_limits());
  RawPeer publisher(bus.address()), subscriber(bus.address(), 1);
  REQUIRE(publisher.hello("pub").first == proto::Kind::welcome);
  REQUIRE(subscriber.hello("sub").first == proto::Kind::welcome);
  proto::Header lossless;
  lossless.lossless = true;
  REQUIRE(subscriber.ask(proto::Kind::subscribe, "big", "sub", lossless).first == proto::Kind::ack);
  const std::string body = "\xda\x80\x00" + std::string(32768, 'b');
  // A quarter of the peer's bytes (64 KiB) pauses the publisher; it goes on
  // regardless, and past all of them (256 KiB) it is refused, once told.
  bool paused = false;
  int refusals = 0;
  for (int i = 0; i < 20; ++i) {
    publisher.send(proto::Kind::publish, "big/x", "pub", {}, body);
    const std::uint64_t sync = publisher.send(proto::Kind::sync, "", "pub", {});
    for (RawMessage m = publisher.receive(); m.id != sync || m.kind != proto::Kind::ack; m = publisher.receive()) {
      paused = paused || m.kind == proto::Kind::flow;
      refusals += m.kind == proto::Kind::error && m.code == "backpressure";
    }
  }
  CHECK(paused);
  CHECK(refusals == 1);
  const auto s = publisher.broker_stats();
  CHECK(s.queued_bytes <= 256 * 1024);
  CHECK(s.dropped >= 10);  // 20 of 33 KiB, into 256 KiB
}

TEST_CASE("broker memory: best-effort messages to many stalled subscribers stay within the shared limit") {
  auto config = small_limits();
  config.memory_limit = 300 * 1024;  // less than two peers' own limits
  watt::test::InprocBus bus(config);
  RawPeer publisher(bus.address());
  REQUIRE(publisher.hello("pub").first == proto::Kind::welcome);
  std::vector<std::unique_ptr<RawPeer>> stalled;
  for (int i = 0; i < 3; ++i) {
    stalled.push_back(std::make_unique<RawPeer>(bus.address(), 1));
    const std::string id = "sub" + std::to_string(i);
    REQUIRE(stalled.back()->hello(id).first == proto::Kind::welcome);
    REQUIRE(stalled.back()->ask(proto::Kind::subscribe, "data", id, {}).first == proto::Kind::ack);
  }
  const std::string body = "\xda\x10\x00" + std::string(4096, 'c');
  for (int i = 0; i < 300; ++i) publisher.send(proto::Kind::publish, "data/x", "pub", {}, body);
  REQUIRE(publisher.ask(proto::Kind::sync, "", "pub", {}).first == proto::Kind::ack);  // all 300 taken
  const auto s = publisher.broker_stats();
  CHECK(s.queued_bytes <= 300 * 1024);
  CHECK(s.dropped > 0);
  CHECK(s.stalled_peers == 0);
}
