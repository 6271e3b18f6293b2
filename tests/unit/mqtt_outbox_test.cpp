// The MQTT bridge's queue and its sender, without a broker: order, bounds,
// acknowledgements, a lost connection, a refusal, a retry, a restart.
#include <watt/mqtt/outbox.hpp>
#include <watt/mqtt/sender.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>

using namespace watt::mqtt;

namespace {

std::vector<Outgoing> messages(int from, int to) {
  std::vector<Outgoing> out;
  for (int i = from; i < to; ++i) out.push_back(Outgoing{0, "t", std::to_string(i), 1, false});
  return out;
}

struct Wire {
  std::vector<Outgoing> sent;
  Sender::Send send() {
    return [this](const Outgoing& m) { sent.push_back(m); };
  }
};

}  // namespace

TEST_CASE("mqtt outbox: in order, kept across a reopen, bytes as they are") {
  watt::test::TempDir dir("mqtt-outbox");
  const auto file = (dir.path() / "q.sqlite").string();
  {
    Outbox q(file, 100, WhenFull::drop_oldest);
    q.push(messages(0, 10));
    q.push({Outgoing{0, "bin", std::string("a\0b", 3), 1, true}});
    CHECK(q.size() == 11);
    const auto first = q.after(0, 3);
    REQUIRE(first.size() == 3);
    CHECK(first[0].payload == "0");
    CHECK(first[2].payload == "2");
    q.remove({first[0].id, first[1].id});
  }
  Outbox q(file, 100, WhenFull::drop_oldest);
  CHECK(q.size() == 9);
  const auto rest = q.after(0, 100);
  REQUIRE(rest.size() == 9);
  CHECK(rest.front().payload == "2");
  CHECK(rest.back().payload == std::string("a\0b", 3));
  CHECK(rest.back().retain);
  REQUIRE(q.get(rest.back().id));
  CHECK_FALSE(q.get(1));  // removed
}

TEST_CASE("mqtt outbox: a full queue drops the oldest, or the newest, and counts them") {
  watt::test::TempDir dir("mqtt-outbox");
  Outbox oldest((dir.path() / "a.sqlite").string(), 5, WhenFull::drop_oldest);
  CHECK(oldest.push(messages(0, 4)) == 0);
  CHECK(oldest.push(messages(4, 8)) == 3);
  CHECK(oldest.size() == 5);
  CHECK(oldest.after(0, 10).front().payload == "3");
  Outbox newest((dir.path() / "b.sqlite").string(), 5, WhenFull::drop_newest);
  CHECK(newest.push(messages(0, 8)) == 3);
  CHECK(newest.after(0, 10).back().payload == "4");
  CHECK(newest.dropped() == 3);
}

TEST_CASE("mqtt sender: a window of messages in flight, each gone once acknowledged") {
  watt::test::TempDir dir("mqtt-sender");
  Outbox q((dir.path() / "q.sqlite").string(), 1000, WhenFull::drop_oldest);
  Wire wire;
  Sender s(q, 4, wire.send());
  for (auto& m : messages(0, 10)) s.take(m);
  s.flush();
  CHECK(wire.sent.empty());  // not connected
  s.up(100);
  CHECK(wire.sent.size() == 4);
  s.acknowledged(wire.sent[0].id);
  s.acknowledged(wire.sent[1].id);
  s.acknowledged(wire.sent[1].id);  // twice: counted once
  s.flush();
  CHECK(wire.sent.size() == 6);
  CHECK(q.size() == 8);
  CHECK(s.counts().acknowledged == 2);
  // The broker's Receive Maximum is smaller than ours: it wins.
  s.down();
  wire.sent.clear();
  s.up(2);
  CHECK(wire.sent.size() == 2);
  CHECK(wire.sent[0].payload == "2");  // from the oldest left, again
}

TEST_CASE("mqtt sender: after a lost connection, what was in flight goes again first") {
  watt::test::TempDir dir("mqtt-sender");
  Outbox q((dir.path() / "q.sqlite").string(), 1000, WhenFull::drop_oldest);
  Wire wire;
  Sender s(q, 3, wire.send());
  for (auto& m : messages(0, 5)) s.take(m);
  s.flush();
  s.up(65535);
  REQUIRE(wire.sent.size() == 3);
  s.acknowledged(wire.sent[0].id);
  s.down();
  s.acknowledged(wire.sent[1].id);  // from the old connection: ignored, sent again
  s.flush();
  wire.sent.clear();
  s.up(65535);
  REQUIRE(wire.sent.size() == 3);
  CHECK(wire.sent[0].payload == "1");
  CHECK(wire.sent[1].payload == "2");
  CHECK(wire.sent[2].payload == "3");
}

TEST_CASE("mqtt sender: a refused message is dropped, one not sent goes again") {
  watt::test::TempDir dir("mqtt-sender");
  Outbox q((dir.path() / "q.sqlite").string(), 1000, WhenFull::drop_oldest);
  Wire wire;
  Sender s(q, 2, wire.send());
  for (auto& m : messages(0, 4)) s.take(m);
  s.flush();
  s.up(65535);
  REQUIRE(wire.sent.size() == 2);
  s.refused(wire.sent[0].id);
  s.retry(wire.sent[1].id);
  s.flush();
  REQUIRE(wire.sent.size() == 4);
  CHECK(wire.sent[2].payload == "1");  // the retry first
  CHECK(wire.sent[3].payload == "2");
  CHECK(s.counts().refused == 1);
  CHECK(s.counts().retried == 1);
  CHECK(q.size() == 3);
}

TEST_CASE("mqtt sender: what was acknowledged before a reconnect is not sent again, its removal still pending") {
  watt::test::TempDir dir("mqtt-sender");
  Outbox q((dir.path() / "q.sqlite").string(), 1000, WhenFull::drop_oldest);
  Wire wire;
  Sender s(q, 10, wire.send());
  for (auto& m : messages(0, 3)) s.take(m);
  s.flush();
  s.up(65535);
  REQUIRE(wire.sent.size() == 3);
  s.acknowledged(wire.sent[1].id);  // its removal waits for the next flush
  s.down();
  wire.sent.clear();
  s.up(65535);
  REQUIRE(wire.sent.size() == 2);
  CHECK(wire.sent[0].payload == "0");
  CHECK(wire.sent[1].payload == "2");
}
