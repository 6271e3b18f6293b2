// The broker's peer table: arrival, removal, and reaping only when asked.
#include "broker/peer_table.hpp"

#include <watt/endpoint.hpp>

#include <doctest/doctest.h>
#include <msgpack.hpp>

using watt::broker::Peer;
using watt::broker::PeerTable;

TEST_CASE("peer table: peers are found by key and by identity") {
  PeerTable t;
  Peer& a = t.add("Lk1", "alpha", 11);
  t.add("Lk2", "beta", 12);
  CHECK(t.size() == 2);
  CHECK(t.find("Lk1") == &a);
  CHECK(t.find_sender("Lk1") == &a);
  CHECK(t.find_sender("Lk1") == &a);  // from the cache
  CHECK(t.by_identity("alpha") == &a);
  CHECK(t.has_identity("beta"));
  CHECK(t.find("Lnone") == nullptr);
  CHECK(t.by_identity("gamma") == nullptr);
}

TEST_CASE("peer table: a dead peer leaves the identities at once and memory at reap") {
  PeerTable t;
  Peer& a = t.add("Lk1", "alpha", 11);
  t.mark_dead(a, "left");
  CHECK(a.dead);
  CHECK(t.any_dead());
  CHECK(t.by_identity("alpha") == nullptr);
  CHECK(t.size() == 0);
  CHECK(t.find("Lk1") == &a);  // still there for whoever points at it
  const auto events = t.reap();
  REQUIRE(events.size() == 1);
  CHECK(events[0].first == "platform/peers/left/alpha");
  const auto e = msgpack::unpack(events[0].second.data(), events[0].second.size()).get().as<watt::PeerEvent>();
  CHECK(e.identity == "alpha");
  CHECK(e.pid == 11);
  CHECK(e.reason == "left");
  CHECK_FALSE(t.any_dead());
  CHECK(t.find("Lk1") == nullptr);
}

TEST_CASE("peer table: a new hello on a dead peer's connection keeps the old peer until reap") {
  // A peer may say bye and hello again on one connection while the outbox
  // still lists it as backlogged: the old peer must outlive that list. Read
  // after a free, the check below is what AddressSanitizer (which CI runs on
  // every unit test) reports.
  PeerTable t;
  Peer& old = t.add("Lk1", "alpha", 11);
  old.queue.push({});
  t.mark_dead(old, "left");
  Peer& fresh = t.add("Lk1", "alpha", 12);
  CHECK(&fresh != &old);
  CHECK(old.dead);
  CHECK(old.queue.size() == 1);  // still readable: not freed
  CHECK(t.find("Lk1") == &fresh);
  CHECK(t.by_identity("alpha") == &fresh);
  CHECK(t.any_dead());
  CHECK(t.reap().size() == 1);
  CHECK(t.find("Lk1") == &fresh);
  CHECK(t.size() == 1);
}

TEST_CASE("peer table: the list is sorted by identity and holds live peers only") {
  PeerTable t;
  t.add("Lk1", "zulu", 1).patterns["a/#"] = false;
  t.add("Lk2", "alpha", 2);
  t.mark_dead(t.add("Lk3", "mike", 3), "left");
  const std::string packed = t.list();
  const auto list = msgpack::unpack(packed.data(), packed.size()).get().as<std::vector<watt::PeerInfo>>();
  REQUIRE(list.size() == 2);
  CHECK(list[0].identity == "alpha");
  CHECK(list[1].identity == "zulu");
  CHECK(list[1].subscriptions == 1);
  const auto joined = PeerTable::event(*t.find("Lk1"), "joined");
  CHECK(joined.first == "platform/peers/joined/zulu");
}
