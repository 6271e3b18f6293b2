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
