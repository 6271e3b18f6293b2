// The broker's subscription index and its flow control, with no sockets.
#include "broker/flow_control.hpp"
#include "broker/subscription_index.hpp"

#include <doctest/doctest.h>

using watt::broker::FlowControl;
using watt::broker::Peer;
using watt::broker::SubscriptionIndex;

TEST_CASE("subscriptions: a peer with overlapping patterns is matched once, lossless if any is") {
  SubscriptionIndex index;
  Peer a, b;
  CHECK(index.subscribe(a, "devices/#", false).empty());
  CHECK(index.subscribe(a, "devices/+/power", true).empty());
  CHECK(index.subscribe(b, "devices/lab/power", false).empty());
  CHECK(index.size() == 3);
  CHECK(a.patterns.size() == 2);
  const auto matched = index.match("devices/lab/power");
  REQUIRE(matched.size() == 2);
  for (const auto& [peer, lossless] : matched) CHECK(lossless == (peer == &a));
  CHECK(index.match("devices/lab/voltage").size() == 1);
  CHECK(index.match("weather/today").empty());
}

TEST_CASE("subscriptions: bad patterns are refused with a reason, and nothing is kept") {
  SubscriptionIndex index;
  Peer a;
  CHECK_FALSE(index.subscribe(a, "devices/#/x", false).empty());
  CHECK_FALSE(index.unsubscribe(a, "a//b").empty());
  CHECK(index.size() == 0);
  CHECK(a.patterns.empty());
}

TEST_CASE("subscriptions: unsubscribe and remove take patterns out") {
  SubscriptionIndex index;
  Peer a, b;
  (void)index.subscribe(a, "x/#", false);
  (void)index.subscribe(a, "y/#", false);
  (void)index.subscribe(b, "x/#", false);
  CHECK(index.match("x/1").size() == 2);
  CHECK(index.unsubscribe(a, "x/#").empty());
  CHECK(index.match("x/1").size() == 1);
  CHECK(a.patterns.size() == 1);
  index.remove(a);
  CHECK(index.match("y/1").empty());
  CHECK(index.size() == 1);
}

TEST_CASE("flow control: congestion at the mark, release at half of it") {
  FlowControl flow(10);
  Peer sub, pub1, pub2;
  CHECK_FALSE(flow.queued(sub, {9, 0}));
  CHECK(flow.queued(sub, {10, 0}));
  CHECK_FALSE(flow.queued(sub, {11, 0}));  // told once
  CHECK(sub.flow.congested);
  CHECK(flow.hold(sub, pub1));
  CHECK_FALSE(flow.hold(sub, pub1));  // paused once
  CHECK(flow.hold(sub, pub2));
  std::vector<Peer*> resume;
  CHECK_FALSE(flow.drained(sub, {6, 0}, resume));
  CHECK(flow.drained(sub, {5, 0}, resume));
  CHECK(resume.size() == 2);
  CHECK_FALSE(sub.flow.congested);
  CHECK(pub1.flow.holders.empty());
}

TEST_CASE("flow control: a publisher held by two subscribers resumes when both caught up") {
  FlowControl flow(10);
  Peer s1, s2, pub;
  (void)flow.queued(s1, {10, 0});
  (void)flow.queued(s2, {10, 0});
  CHECK(flow.hold(s1, pub));
  CHECK_FALSE(flow.hold(s2, pub));  // already paused
  CHECK(flow.release(s1).empty());
  CHECK(flow.release(s2) == std::vector<Peer*>{&pub});
}

TEST_CASE("flow control: a leaving peer stops holding and being held") {
  FlowControl flow(10);
  Peer sub, pub, other;
  (void)flow.queued(sub, {10, 0});
  (void)flow.hold(sub, pub);
  (void)flow.queued(pub, {10, 0});
  (void)flow.hold(pub, other);
  // pub leaves: `other` resumes, and `sub` forgets it.
  pub.dead = true;
  CHECK(flow.forget(pub) == std::vector<Peer*>{&other});
  CHECK(sub.flow.holding.empty());
  // A dead publisher is not resumed.
  Peer s2, gone;
  (void)flow.queued(s2, {10, 0});
  (void)flow.hold(s2, gone);
  gone.dead = true;
  CHECK(flow.release(s2).empty());
}

TEST_CASE("flow control: past ten times the mark, lossless messages are refused and reported once") {
  FlowControl flow(10);
  Peer sub;
  CHECK(flow.admit(sub, {99, 0}) == FlowControl::Admission::take);
  CHECK(flow.admit(sub, {100, 0}) == FlowControl::Admission::refuse_and_report);
  flow.reported(sub);
  CHECK(flow.admit(sub, {100, 0}) == FlowControl::Admission::refuse);
  (void)flow.queued(sub, {100, 0});
  std::vector<Peer*> resume;
  CHECK(flow.drained(sub, {0, 0}, resume));
  CHECK(flow.admit(sub, {100, 0}) == FlowControl::Admission::refuse_and_report);
}
