// Slow subscribers, priority in the broker's queues, and lossless delivery
// with backpressure on the publisher.
#include "served.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Platform;
using watt::test::Served;

namespace {
watt::PeerInfo peer(watt::Client& c, const std::string& identity) {
  auto list = c.peers();
  REQUIRE(list.ok());
  for (const auto& p : *list)
    if (p.identity == identity) return p;
  FAIL("no peer " << identity);
  return {};
}

// Subscribes to record/# losslessly, keeping each body.
void record_lossless(watt::Client& c, std::vector<long>& got) {
  watt::SubscribeOptions o;
  o.delivery = watt::Delivery::lossless;
  c.subscribe(
      "record", [&got](const watt::Envelope& e) { got.push_back(e.body.as<long>()); }, o);
  REQUIRE(c.sync());
}
}  // namespace

TEST_CASE("a subscriber that stops reading costs only its own messages, and every drop is counted") {
  Platform p("broker:\n  queue_limit: 1000\n  socket_high_water: 100\n");
  std::atomic<long> fast_got{0};
  Served fast(p, "fast", [&](watt::Client& c) {
    watt::SubscribeOptions o;
    o.delivery = watt::Delivery::lossless;
    c.subscribe(
        "load", [&](const watt::Envelope&) { ++fast_got; }, o);
  });
  auto slow = p.client("slow");
  long slow_got = 0;
  slow->subscribe("load", [&](const watt::Envelope&) { ++slow_got; });
  REQUIRE(slow->sync());

  auto pub = p.client("pub");
  constexpr long n = 30000;
  for (long i = 0; i < n; ++i) pub->publish("load/x", i);
  REQUIRE(pub->sync());
  // The fast subscriber gets everything while the slow one is not reading.
  REQUIRE(watt::test::eventually([&] { return fast_got.load() == n; }, 60000ms));

  const auto stalled = peer(*pub, "slow");
  CHECK(stalled.dropped > 0);
  CHECK(stalled.queued <= 1000);  // the configured bound holds

  // Once it reads again, what it gets plus what was dropped is exactly what was sent.
  slow->spin_until([&] { return slow_got + static_cast<long>(peer(*pub, "slow").dropped) == n; }, 30s);
  slow->spin_for(100ms);
  CHECK(slow_got + static_cast<long>(peer(*pub, "slow").dropped) == n);
  CHECK(peer(*pub, "slow").queued == 0);
}

TEST_CASE("a priority-0 message overtakes thousands of priority-60 messages waiting at the broker") {
  Platform p("broker:\n  socket_high_water: 100\n  queue_limit: 100000\n");
  auto sub = p.client("sub");
  std::vector<long> order;
  sub->subscribe("ops", [&](const watt::Envelope& e) { order.push_back(e.body.as<long>()); });
  REQUIRE(sub->sync());
  auto pub = p.client("pub");
  constexpr long bulk = 30000;
  watt::PublishOptions routine;
  routine.priority = 60;
  for (long i = 0; i < bulk; ++i) pub->publish("ops/telemetry", i, routine);
  watt::PublishOptions urgent;
  urgent.priority = 0;
  pub->publish("ops/trip", -1L, urgent);
  REQUIRE(pub->sync());
  // Only now does the subscriber read: everything is waiting in front of it.
  REQUIRE(sub->spin_until([&] { return order.size() == bulk + 1; }, 60s));
  const auto pos = std::find(order.begin(), order.end(), -1L) - order.begin();
  INFO("the urgent message arrived at position " << pos << " of " << order.size());
  // Whatever sat in socket buffers (FIFO) comes first; it jumps every
  // message the broker still held.
  CHECK(pos < bulk - 5000);
}

TEST_CASE("a lossless subscriber that falls behind slows the publisher down instead of losing anything") {
  Platform p("broker:\n  lossless_high_water: 2000\n  socket_high_water: 100\n");
  // Declared before the historian so that, should a check fail, the
  // historian leaves first, the broker releases the publisher, and the join
  // below cannot hang.
  std::jthread publisher;
  auto hist = p.client("historian");
  std::vector<long> got;
  record_lossless(*hist, got);

  constexpr long n = 50000;
  std::atomic<bool> published_all{false};
  publisher = std::jthread([&] {
    auto pub = p.client("pub");
    for (long i = 0; i < n; ++i) pub->publish("record/x", i);
    published_all = true;
  });
  auto observer = p.client("observer");
  REQUIRE(watt::test::eventually([&] { return peer(*observer, "historian").queued >= 2000; }, 30000ms));
  std::this_thread::sleep_for(500ms);
  // Held back: the publisher cannot have got through 50,000 messages while
  // the historian reads nothing, and the broker's queue stays bounded.
  CHECK_FALSE(published_all.load());
  const auto behind = peer(*observer, "historian");
  CHECK(behind.queued < 20000);
  CHECK(behind.dropped == 0);

  REQUIRE(hist->spin_until([&] { return got.size() == n; }, 120s));
  publisher.join();
  CHECK(published_all.load());
  bool in_order = true;
  for (long i = 0; i < n; ++i) in_order = in_order && got[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
  CHECK(peer(*observer, "historian").dropped == 0);
}

TEST_CASE("a publisher paused for a lossless subscriber keeps answering calls, and loses nothing") {
  // Unbatched, the historian's socket and the kernel's buffers take a few
  // thousand small messages at most: the rest wait at the broker, past its
  // mark of 1,000, or in the publisher (which holds up to 10,000).
  Platform p("broker:\n  lossless_high_water: 1000\n  socket_high_water: 10\n  batch_messages: 1\n");
  auto hist = p.client("historian");
  std::vector<long> got;
  record_lossless(*hist, got);

  auto pub = p.client("pub");
  pub->export_method("alive", [] { return true; });
  // Far more than the historian's backlog may hold: the broker pauses the
  // publisher, whose publications wait on its side, and publish() returns.
  constexpr long n = 8000;
  for (long i = 0; i < n; ++i) pub->publish("record/x", i);
  auto observer = p.client("observer");
  REQUIRE(watt::test::eventually([&] { return peer(*observer, "historian").queued >= 1000; }, 30000ms));

  // While it is held back, its loop runs: a call is answered.
  std::atomic<int> answered{0};
  std::jthread caller([&] {
    auto c = p.client("caller");
    const auto r = c->call("pub", "alive").get_as<bool>();
    answered = r.ok() && *r ? 1 : -1;
  });
  REQUIRE(pub->spin_until([&] { return answered.load() != 0; }, 20s));
  CHECK(answered.load() == 1);

  // The historian reads on; the held publications follow, in order.
  const auto give_up = std::chrono::steady_clock::now() + 120s;
  while (got.size() < static_cast<std::size_t>(n) && std::chrono::steady_clock::now() < give_up) {
    hist->spin_for(5ms);
    pub->spin_for(1ms);
  }
  REQUIRE(got.size() == static_cast<std::size_t>(n));
  bool in_order = true;
  for (long i = 0; i < n; ++i) in_order = in_order && got[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
  CHECK(peer(*observer, "historian").dropped == 0);
}
