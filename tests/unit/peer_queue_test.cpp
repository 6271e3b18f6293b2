// The broker's per-peer queue: urgency order and the drop policy.
#include "broker/peer_queue.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using watt::broker::Outgoing;
using watt::broker::PeerQueue;

namespace {
Outgoing msg(std::uint8_t pri, int tag, bool lossless = false) {
  Outgoing o;
  o.priority = pri;
  o.lossless = lossless;
  const std::string t = std::to_string(tag);
  o.frame = zmq::message_t(t.data(), t.size());
  return o;
}
std::vector<int> drain(PeerQueue& q) {
  std::vector<int> out;
  while (!q.empty()) {
    out.push_back(std::stoi(q.front().frame.to_string()));
    q.pop_front();
  }
  return out;
}
}  // namespace

TEST_CASE("the most urgent message goes first, oldest first within a priority") {
  PeerQueue q(100);
  q.push(msg(60, 1));
  q.push(msg(60, 2));
  q.push(msg(0, 3));
  q.push(msg(30, 4, true));
  q.push(msg(60, 5, true));
  CHECK(drain(q) == std::vector<int>{3, 4, 1, 2, 5});
}

TEST_CASE("a full queue drops the least urgent, oldest message first") {
  PeerQueue q(3);
  CHECK(q.push(msg(60, 1)) == 0);
  CHECK(q.push(msg(60, 2)) == 0);
  CHECK(q.push(msg(10, 3)) == 0);
  CHECK(q.push(msg(20, 4)) == 1);  // drops 1, the oldest of the least urgent
  CHECK(q.push(msg(90, 5)) == 1);  // the newcomer is the least urgent: itself dropped
  CHECK(q.size() == 3);
  CHECK(drain(q) == std::vector<int>{3, 4, 2});
}

TEST_CASE("a priority-0 message overtakes thousands of priority-60 ones") {
  PeerQueue q(10000);
  for (int i = 0; i < 5000; ++i) q.push(msg(60, i));
  q.push(msg(0, 99999));
  CHECK(std::stoi(q.front().frame.to_string()) == 99999);
}

TEST_CASE("lossless messages are never dropped, whatever the limit") {
  PeerQueue q(2);
  for (int i = 0; i < 50; ++i) CHECK(q.push(msg(90, i, true)) == 0);
  CHECK(q.push(msg(10, 100)) == 0);
  CHECK(q.push(msg(10, 101)) == 0);
  CHECK(q.push(msg(10, 102)) == 1);
  CHECK(q.lossless_size() == 50);
  CHECK(q.size() == 52);
}

TEST_CASE("order holds through uneven filling and draining, and after emptying") {
  PeerQueue q(100000);
  int next_in = 0, next_out = 0;
  // Fill and drain unevenly, lossless and best-effort mixed at one priority.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 37 * (round % 7 + 1); ++i, ++next_in) q.push(msg(50, next_in, next_in % 3 == 0));
    for (int i = 0; i < 29 * (round % 5 + 1) && !q.empty(); ++i) {
      CHECK(std::stoi(q.front().frame.to_string()) == next_out++);
      q.pop_front();
    }
  }
  while (!q.empty()) {
    CHECK(std::stoi(q.front().frame.to_string()) == next_out++);
    q.pop_front();
  }
  CHECK(next_out == next_in);
  CHECK(q.size() == 0);
  CHECK(q.lossless_size() == 0);
  // Usable again after emptying.
  q.push(msg(10, 7));
  q.push(msg(5, 8, true));
  CHECK(drain(q) == std::vector<int>{8, 7});
}

TEST_CASE("the broker's own replies go before everything, in order") {
  PeerQueue q(10);
  q.push(msg(0, 1, true));
  Outgoing c1 = msg(0, 2);
  c1.control = true;
  Outgoing c2 = msg(0, 3);
  c2.control = true;
  q.push(std::move(c1));
  q.push(std::move(c2));
  CHECK(drain(q) == std::vector<int>{2, 3, 1});
}

TEST_CASE("dropping from a full queue takes the oldest of the least urgent, across many priorities") {
  PeerQueue q(5);
  for (int i = 0; i < 5; ++i) q.push(msg(static_cast<std::uint8_t>(10 * i), i));  // 0..40
  CHECK(q.push(msg(15, 5)) == 1);                                                 // drops 4 (priority 40)
  CHECK(q.push(msg(15, 6)) == 1);                                                 // drops 3 (priority 30)
  CHECK(q.push(msg(99, 7)) == 1);                                                 // itself
  CHECK(drain(q) == std::vector<int>{0, 1, 5, 6, 2});
}

TEST_CASE("a queue weighs its messages: best-effort ones drop to stay within its bytes, others ask first") {
  watt::broker::QueueMemory shared;
  {
    PeerQueue q;
    const std::size_t each = PeerQueue::cost(msg(60, 1));  // "1": one byte and the bookkeeping
    q.set_limits(100, 3 * each, &shared);
    CHECK(q.push(msg(60, 1)) == 0);
    CHECK(q.push(msg(60, 2)) == 0);
    CHECK(q.push(msg(60, 3)) == 0);
    CHECK(q.bytes() == 3 * each);
    CHECK(shared.bytes == 3 * each);
    CHECK(q.push(msg(10, 4)) == 1);  // the oldest least urgent goes
    CHECK_FALSE(q.fits(each));       // a lossless one would not fit: the outbox refuses it
    CHECK(q.push(msg(90, 5)) == 1);  // less urgent than all: itself
    CHECK(drain(q) == std::vector<int>{4, 2, 3});
    CHECK(shared.bytes == 0);
    q.push(msg(60, 6, true));
    CHECK(q.lossless_bytes() == each);
    CHECK(q.lossless().messages == 1);
    CHECK(shared.bytes == each);
  }
  CHECK(shared.bytes == 0);  // a queue freed with its peer gives its bytes back
}

TEST_CASE("the shared budget bounds every queue together") {
  watt::broker::QueueMemory shared;
  const std::size_t each = PeerQueue::cost(msg(60, 1));
  shared.limit = 2 * each;
  PeerQueue a, b;
  a.set_limits(100, 100 * each, &shared);
  b.set_limits(100, 100 * each, &shared);
  CHECK(a.push(msg(60, 1)) == 0);
  CHECK(b.push(msg(60, 2)) == 0);
  CHECK(b.push(msg(60, 3)) == 1);  // b makes room from its own, never from a's
  CHECK(a.size() == 1);
  CHECK(drain(b) == std::vector<int>{3});
  CHECK(shared.bytes == each);
}
