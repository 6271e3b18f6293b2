// Hosted identities (protocol 2), against the real broker in this process and
// raw DEALERs: a container's connection speaks for several agents, each held
// to its own grants, each addressed by the broker's own answers, and a
// publication reaches the connection once however many of them subscribed.
#include "broker/allow_list.hpp"
#include "inproc_bus.hpp"
#include "raw_peer.hpp"
#include "temp_dir.hpp"

#include <watt/endpoint.hpp>

#include <doctest/doctest.h>

#include <algorithm>

namespace {

namespace proto = watt::proto;
using watt::test::RawPeer;

proto::Header with_id(std::uint64_t id) {
  proto::Header h;
  h.id = id;
  return h;
}

std::vector<std::string> identities(RawPeer& peer, const std::string& as) {
  peer.send(proto::Kind::peers, "", as, {});
  for (;;) {
    const auto m = peer.receive();
    if (m.kind != proto::Kind::peer_list) continue;
    std::vector<std::string> out;
    for (const auto& p : msgpack::unpack(m.body.data(), m.body.size()).get().as<std::vector<watt::PeerInfo>>())
      out.push_back(p.identity);
    return out;
  }
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("broker hosting: a container's connection speaks for its agents, each answered by name") {
  watt::test::InprocBus bus;
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  const auto a = container.host("agent-a");
  CHECK(a.kind == proto::Kind::welcome);
  CHECK(a.address == "agent-a");
  CHECK(container.host("agent-b").address == "agent-b");
  const auto all = identities(container, "container:c1");
  CHECK(has(all, "agent-a"));
  CHECK(has(all, "agent-b"));

  // The broker's own answers carry the identity they are for.
  container.send(proto::Kind::sync, "", "agent-b", with_id(7));
  auto ack = container.receive();
  CHECK(ack.kind == proto::Kind::ack);
  CHECK(ack.address == "agent-b");
  CHECK(ack.id == 7);

  // A request to a hosted agent comes down the connection, addressed to it;
  // its answer goes back to the caller.
  RawPeer caller(bus.address());
  REQUIRE(caller.hello("caller").first == proto::Kind::welcome);
  proto::Header call;
  call.method = "ping";
  const auto id = caller.send(proto::Kind::request, "agent-a", "caller", call, "\x90");
  const auto request = container.receive();
  CHECK(request.kind == proto::Kind::request);
  CHECK(request.address == "agent-a");
  container.send(proto::Kind::response, "caller", "agent-a", with_id(id), "\xc3");
  const auto answer = caller.receive();
  CHECK(answer.kind == proto::Kind::response);
  CHECK(answer.origin == "agent-a");
  // agent-b did not get that call: its answer to it is not owed, and dropped.
  container.send(proto::Kind::response, "caller", "agent-b", with_id(id), "\xc3");
  CHECK(caller.ask(proto::Kind::sync, "", "caller", {}).first == proto::Kind::ack);
}

TEST_CASE("broker hosting: one copy per connection, while any of its agents subscribes") {
  watt::test::InprocBus bus;
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  REQUIRE(container.host("agent-a").kind == proto::Kind::welcome);
  REQUIRE(container.host("agent-b").kind == proto::Kind::welcome);
  CHECK(container.ask(proto::Kind::subscribe, "prices/#", "agent-a", {}).first == proto::Kind::ack);
  CHECK(container.ask(proto::Kind::subscribe, "prices/+", "agent-b", {}).first == proto::Kind::ack);
  RawPeer publisher(bus.address());
  REQUIRE(publisher.hello("market").first == proto::Kind::welcome);
  const auto publish_and_see = [&](const std::string& topic) {
    publisher.send(proto::Kind::publish, topic, "market", {}, "\x01");
    CHECK(publisher.ask(proto::Kind::sync, "", "market", {}).first == proto::Kind::ack);
    // Whatever arrived before the container's own sync was acknowledged.
    const auto sync = container.send(proto::Kind::sync, "", "container:c1", {});
    int copies = 0;
    for (auto m = container.receive(); !(m.kind == proto::Kind::ack && m.id == sync); m = container.receive())
      copies += m.kind == proto::Kind::deliver && m.address == topic;
    return copies;
  };
  CHECK(publish_and_see("prices/now") == 1);
  container.send(proto::Kind::unsubscribe, "prices/#", "agent-a", {});
  CHECK(publish_and_see("prices/now") == 1);  // agent-b still subscribes
  CHECK(publish_and_see("prices") == 0);      // prices/+ needs a segment more
  container.send(proto::Kind::unsubscribe, "prices/+", "agent-b", {});
  CHECK(publish_and_see("prices/now") == 0);
}

TEST_CASE("broker hosting: each agent is held to its own grants, and its refusals name it") {
  watt::test::TempDir dir("hosting");
  watt::broker::AllowList allow;
  for (const auto& [identity, topic] : {std::pair{"agent-a", "x/#"}, std::pair{"agent-b", "y/#"}}) {
    watt::broker::AuthEntry e;
    e.name = std::string("installed-") + identity;
    e.local = true;
    e.identities = {identity};
    e.publish = {topic};
    allow.put(e);
  }
  allow.save(dir.file("auth.yml"));
  watt::broker::BrokerConfig config;
  config.auth_file = dir.file("auth.yml");
  watt::test::InprocBus bus(config);
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  REQUIRE(container.host("agent-a").kind == proto::Kind::welcome);
  REQUIRE(container.host("agent-b").kind == proto::Kind::welcome);
  container.send(proto::Kind::publish, "x/1", "agent-a", {}, "\x01");
  CHECK(container.ask(proto::Kind::sync, "", "agent-a", {}).first == proto::Kind::ack);
  container.send(proto::Kind::publish, "x/1", "agent-b", {}, "\x01");
  const auto refused = container.receive();
  CHECK(refused.kind == proto::Kind::error);
  CHECK(refused.code == "unauthorized");
  CHECK(refused.address == "agent-b");
  CHECK(refused.message.find("'agent-b' may not publish to x/1") != std::string::npos);
}

TEST_CASE("broker hosting: no one else can claim a hosted identity or speak for one not hosted") {
  watt::test::InprocBus bus;
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  REQUIRE(container.host("agent-a").kind == proto::Kind::welcome);
  RawPeer intruder(bus.address());
  CHECK(intruder.hello("agent-a") == std::pair{proto::Kind::error, std::string("identity_taken")});
  REQUIRE(intruder.hello("intruder").first == proto::Kind::welcome);
  // Neither may it host what the container hosts, nor speak as it.
  const auto taken = intruder.host("agent-a");
  CHECK(taken.code == "identity_taken");
  CHECK(taken.address == "agent-a");
  intruder.send(proto::Kind::publish, "x/1", "agent-a", {}, "\x01");
  CHECK(intruder.next() == std::pair{proto::Kind::error, std::string("bad_frame")});
  // The container may not speak for an agent it did not add.
  container.send(proto::Kind::publish, "x/1", "agent-z", {}, "\x01");
  CHECK(container.next() == std::pair{proto::Kind::error, std::string("bad_frame")});
  // A hosted identity that breaks the rules is refused by name.
  const auto bad = container.host(".hidden");
  CHECK(bad.code == "bad_identity");
  CHECK(bad.address == ".hidden");
}

TEST_CASE("broker hosting: a protocol 1 peer cannot host, and still hears hosted agents") {
  watt::test::InprocBus bus;
  RawPeer old(bus.address());
  REQUIRE(old.hello("old-peer", 1).first == proto::Kind::welcome);
  CHECK(old.host("agent-a").code == "unsupported_version");
  CHECK(old.ask(proto::Kind::subscribe, "x/#", "old-peer", {}).first == proto::Kind::ack);
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  REQUIRE(container.host("agent-a").kind == proto::Kind::welcome);
  container.send(proto::Kind::publish, "x/1", "agent-a", {}, "\x01");
  const auto m = old.receive();
  CHECK(m.kind == proto::Kind::deliver);
  CHECK(m.origin == "agent-a");
  CHECK(m.address == "x/1");
}

TEST_CASE("broker hosting: an agent leaves alone, the connection takes all of them along") {
  watt::broker::BrokerConfig config;
  config.max_hosted = 2;
  watt::test::InprocBus bus(config);
  RawPeer container(bus.address());
  REQUIRE(container.hello("container:c1").first == proto::Kind::welcome);
  REQUIRE(container.host("agent-a").kind == proto::Kind::welcome);
  REQUIRE(container.host("agent-b").kind == proto::Kind::welcome);
  CHECK(container.host("agent-c").code == "backpressure");  // max_hosted
  CHECK(container.ask(proto::Kind::bye, "", "agent-a", {}).first == proto::Kind::ack);
  RawPeer watcher(bus.address());
  REQUIRE(watcher.hello("watcher").first == proto::Kind::welcome);
  auto seen = identities(watcher, "watcher");
  CHECK_FALSE(has(seen, "agent-a"));
  CHECK(has(seen, "agent-b"));
  CHECK(container.host("agent-c").kind == proto::Kind::welcome);  // room again
  CHECK(container.ask(proto::Kind::bye, "", "container:c1", {}).first == proto::Kind::ack);
  seen = identities(watcher, "watcher");
  CHECK_FALSE(has(seen, "agent-b"));
  CHECK_FALSE(has(seen, "agent-c"));
  CHECK_FALSE(has(seen, "container:c1"));
}
