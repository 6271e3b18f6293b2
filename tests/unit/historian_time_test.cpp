// Historian: times and durations as queries and the command line write them.
#include "time_spec.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace watt::historian;

namespace {
constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t now = 1'763'719'200 * s;  // 2025-11-21T10:00:00Z
}  // namespace

TEST_CASE("historian durations take units from ns to weeks, and bare seconds") {
  CHECK(parse_duration("500ms") == 500'000'000);
  CHECK(parse_duration("30s") == 30 * s);
  CHECK(parse_duration("5m") == 300 * s);
  CHECK(parse_duration("1.5h") == 5400 * s);
  CHECK(parse_duration("2d") == 172'800 * s);
  CHECK(parse_duration("1w") == 604'800 * s);
  CHECK(parse_duration("250us") == 250'000);
  CHECK(parse_duration("7ns") == 7);
  CHECK(parse_duration("90") == 90 * s);
  for (const char* bad : {"", "m", "5x", "-5m", "5 m", "1e400s", "nan"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
  }
}

TEST_CASE("historian times: now, relative, ISO 8601 with zones, epoch seconds") {
  CHECK(parse_time("now", now) == now);
  CHECK(parse_time("now-1h", now) == now - 3600 * s);
  CHECK(parse_time("now+30m", now) == now + 1800 * s);
  CHECK(parse_time("2025-11-21T10:00:00Z", now) == now);
  CHECK(parse_time("2025-11-21T10:00:00", now) == now);
  CHECK(parse_time("2025-11-21 10:00", now) == now);
  CHECK(parse_time("2025-11-21T11:00:00+01:00", now) == now);
  CHECK(parse_time("2025-11-21T09:30:00-0030", now) == now);
  CHECK(parse_time("2025-11-21T10:00:00.25Z", now) == now + 250'000'000);
  CHECK(parse_time("2025-11-21", now) == now - 10 * 3600 * s);
  CHECK(parse_time("1763719200", now) == now);
  CHECK(parse_time("1763719200.5", now) == now + s / 2);
  for (const char* bad : {"", "yesterday", "now-", "now*2", "2025-13-01", "2025-02-30", "2025-11-21T25:00",
                          "2025-11-21T10:00:00+1", "2025-11-21X", "-5"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_time(bad, now), std::invalid_argument);
  }
}

TEST_CASE("historian formats times as UTC ISO 8601 with only the fraction it needs") {
  CHECK(format_time(now) == "2025-11-21T10:00:00Z");
  CHECK(format_time(now + 250'000'000) == "2025-11-21T10:00:00.250Z");
  CHECK(format_time(now + 1'000) == "2025-11-21T10:00:00.000001Z");
  CHECK(format_time(now + 7) == "2025-11-21T10:00:00.000000007Z");
  CHECK(format_time(0) == "1970-01-01T00:00:00Z");
  CHECK(parse_time(format_time(now + 123'456'789), now) == now + 123'456'789);
}

TEST_CASE("historian converts numeric seconds straight to nanoseconds, refusing what does not fit") {
  CHECK(seconds_to_ns(1.5) == 1'500'000'000);
  CHECK(seconds_to_ns(-2) == -2 * s);
  CHECK_THROWS_AS(seconds_to_ns(1e300), std::invalid_argument);
  CHECK_THROWS_AS(seconds_to_ns(std::nan("")), std::invalid_argument);
}
