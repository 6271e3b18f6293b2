// Publish/subscribe through a real wattd: patterns, overlaps, wildcards,
// unsubscribe, and the peer events.
#include "platform.hpp"

#include <doctest/doctest.h>

#include <map>
#include <vector>

using namespace std::chrono_literals;
using watt::Envelope;
using watt::test::Platform;

namespace {
// Collects what one client receives.
struct Inbox {
  std::vector<std::string> topics;
  std::vector<Envelope> all;
  void operator()(const Envelope& e) {
    topics.push_back(e.topic);
    all.push_back(e);
  }
};
}  // namespace

TEST_CASE("every subscriber gets each matching message once, overlapping patterns or not") {
  Platform p;
  auto pub = p.client("pub");
  auto a = p.client("sub-a");  // overlapping: devices/campus and devices/+/b1 and #
  auto b = p.client("sub-b");  // devices/campus2 only
  auto c = p.client("sub-c");  // devices/campus/b1/+ (one segment below b1)
  Inbox ia, ib, ic;
  int a_calls = 0;
  a->subscribe("devices/campus", [&](const Envelope& e) {
    ia(e);
    ++a_calls;
  });
  a->subscribe("devices/+/b1", [&](const Envelope&) { ++a_calls; });
  a->subscribe("#", [&](const Envelope&) { ++a_calls; });
  b->subscribe("devices/campus2", std::ref(ib));
  c->subscribe("devices/campus/b1/+", std::ref(ic));
  for (auto* s : {a.get(), b.get(), c.get()}) REQUIRE(s->sync());

  pub->publish("devices/campus/b1/temp", 21.5);
  pub->publish("devices/campus2/b1/temp", 19.0);
  pub->publish("devices/campus", 1);
  pub->publish("other/topic", 2);
  REQUIRE(pub->sync());

  REQUIRE(a->spin_until([&] { return a_calls >= 7; }, 10s));
  REQUIRE(b->spin_until([&] { return ib.topics.size() >= 1; }, 10s));
  REQUIRE(c->spin_until([&] { return ic.topics.size() >= 1; }, 10s));
  a->spin_for(100ms);
  b->spin_for(100ms);
  c->spin_for(100ms);

  // a: campus/b1/temp (3 callbacks), campus2/b1/temp (2), campus (2), other (1) ... its
  // devices/campus callback saw exactly the two campus topics.
  CHECK(ia.topics == std::vector<std::string>{"devices/campus/b1/temp", "devices/campus"});
  CHECK(ib.topics == std::vector<std::string>{"devices/campus2/b1/temp"});
  CHECK(ic.topics == std::vector<std::string>{"devices/campus/b1/temp"});
  CHECK(ia.all[0].sender == "pub");
  CHECK(ia.all[0].body.as<double>() == 21.5);
  CHECK(ia.all[0].priority == 50);
  CHECK(ia.all[0].timestamp_ns > 0);
}

TEST_CASE("many subscribers all receive a burst in order") {
  Platform p;
  auto pub = p.client("pub");
  std::vector<std::unique_ptr<watt::Client>> subs;
  std::vector<std::vector<long>> got(12);
  for (int i = 0; i < 12; ++i) {
    subs.push_back(p.client("s" + std::to_string(i)));
    subs.back()->subscribe(i % 2 ? "data/#" : "data/consumer/+", [&got, i](const Envelope& e) {
      got[static_cast<std::size_t>(i)].push_back(e.body.as<long>());
    });
    REQUIRE(subs.back()->sync());
  }
  for (long n = 0; n < 2000; ++n) pub->publish("data/consumer/consumer" + std::to_string(n % 10), n);
  REQUIRE(pub->sync());
  for (int i = 0; i < 12; ++i) {
    auto& s = *subs[static_cast<std::size_t>(i)];
    CHECK(s.spin_until([&] { return got[static_cast<std::size_t>(i)].size() >= 2000; }, 20s));
    std::vector<long> expected(2000);
    for (long n = 0; n < 2000; ++n) expected[static_cast<std::size_t>(n)] = n;
    CHECK(got[static_cast<std::size_t>(i)] == expected);
  }
}

TEST_CASE("after unsubscribe nothing more arrives - other subscriptions stay") {
  Platform p;
  auto pub = p.client("pub");
  auto sub = p.client("sub");
  int x = 0, y = 0;
  const auto sx = sub->subscribe("x", [&](const Envelope&) { ++x; });
  sub->subscribe("y", [&](const Envelope&) { ++y; });
  REQUIRE(sub->sync());
  pub->publish("x/1", 1);
  REQUIRE(sub->spin_until([&] { return x == 1; }, 10s));
  sub->unsubscribe(sx);
  REQUIRE(sub->sync());
  pub->publish("x/2", 2);
  pub->publish("y/1", 3);
  REQUIRE(sub->spin_until([&] { return y == 1; }, 10s));
  sub->spin_for(100ms);
  CHECK(x == 1);
}

TEST_CASE("peers see others join and leave, and the peer list is exact") {
  Platform p;
  auto watcher = p.client("watcher");
  std::vector<std::string> events;
  // Only the guest's events: the test platform's own readiness probe may be
  // seen leaving late (a probe that timed out on a slow sanitizer build is
  // noticed at the broker's next liveness round).
  watcher->subscribe("platform/peers/+/guest", [&](const Envelope& e) { events.push_back(e.topic); });
  REQUIRE(watcher->sync());
  {
    auto guest = p.client("guest");
    auto list = guest->peers();
    REQUIRE(list.ok());
    std::vector<std::string> ids;
    for (const auto& peer : *list) ids.push_back(peer.identity);
    CHECK(ids == std::vector<std::string>{"guest", "platform", "watcher"});
  }
  REQUIRE(watcher->spin_until([&] { return events.size() >= 2; }, 10s));
  CHECK(events[0] == "platform/peers/joined/guest");
  CHECK(events[1] == "platform/peers/left/guest");
}

TEST_CASE("publishing to a malformed topic is refused in the SDK, before the wire") {
  Platform p;
  auto c = p.client("c");
  CHECK_THROWS_AS(c->publish("a//b", 1), watt::Error);
  CHECK_THROWS_AS(c->publish("a/#", 1), watt::Error);
  CHECK_THROWS_AS(c->subscribe("a/#/b", [](const Envelope&) {}), watt::Error);
}
