// The known trap (libzmq#4660): a publisher that exits right after sending
// must not lose its last messages. The SDK's shutdown waits until the broker
// confirms it took everything.
#include "served.hpp"

#include <doctest/doctest.h>

#include <atomic>

using namespace std::chrono_literals;
using watt::test::Platform;
using watt::test::Served;

TEST_CASE("100,000 messages published by a process that exits at once all reach every subscriber") {
  Platform p;
  constexpr long n = 100000;
  std::atomic<long> a_count{0}, b_count{0}, a_last{-1}, b_sum{0};
  watt::SubscribeOptions lossless;
  lossless.delivery = watt::Delivery::lossless;
  Served a(p, "sub-a", [&](watt::Client& c) {
    c.subscribe(
        "flood",
        [&](const watt::Envelope& e) {
          a_last = e.body.as<long>();
          ++a_count;
        },
        lossless);
  });
  Served b(p, "sub-b", [&](watt::Client& c) {
    c.subscribe(
        "flood/#",
        [&](const watt::Envelope& e) {
          b_sum += e.body.as<long>();
          ++b_count;
        },
        lossless);
  });
  const auto exit = watt::test::run({(watt::test::fixture_dir() / "flood_publisher").string(), p.address(), "flooder",
                                     "flood/data", std::to_string(n)},
                                    p.home(), {}, std::chrono::milliseconds(120000));
  REQUIRE_MESSAGE(exit.code == 0, exit.err);
  REQUIRE(watt::test::eventually([&] { return a_count.load() == n && b_count.load() == n; }, 120000ms));
  CHECK(a_last.load() == n - 1);
  CHECK(b_sum.load() == n * (n - 1) / 2);
}
