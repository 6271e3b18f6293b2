// watt::LogLimiter: a recurring problem is logged on its 1st, 10th, 100th…
// occurrence, each kind on its own, and every occurrence is counted.
#include <watt/log_limiter.hpp>

#include <doctest/doctest.h>

#include <vector>

TEST_CASE("the limiter says yes on the 1st, 10th, 100th and 1000th of a kind, and counts them all") {
  watt::LogLimiter limiter;
  std::vector<std::uint64_t> logged;
  for (std::uint64_t n = 1; n <= 1000; ++n)
    if (limiter.count("bad_body")) logged.push_back(n);
  CHECK(logged == std::vector<std::uint64_t>{1, 10, 100, 1000});
  CHECK(limiter.total("bad_body") == 1000);
}

TEST_CASE("each kind has its own count, and an unseen kind has none") {
  watt::LogLimiter limiter;
  CHECK(limiter.count("a"));
  CHECK(limiter.count("b"));  // a's first does not quiet b's
  CHECK_FALSE(limiter.count("a"));
  CHECK(limiter.total("a") == 2);
  CHECK(limiter.total("b") == 1);
  CHECK(limiter.total("never") == 0);
}
