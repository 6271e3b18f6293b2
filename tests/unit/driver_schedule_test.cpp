// The platform driver's scheduling arithmetic: staggered first scrapes and the
// retry backoff of a device that does not answer.
#include "device.hpp"

#include <doctest/doctest.h>

using namespace watt::driver;

TEST_CASE("schedule: devices are staggered across their interval") {
  CHECK(stagger_offset(0, 4, 60, true) == 0);
  CHECK(stagger_offset(1, 4, 60, true) == 15);
  CHECK(stagger_offset(3, 4, 60, true) == 45);
  CHECK(stagger_offset(3, 4, 60, false) == 0);
  CHECK(stagger_offset(0, 0, 60, true) == 0);
}

TEST_CASE("schedule: retries back off exponentially up to the maximum") {
  double b = 0;
  b = next_backoff(b, 0.5, 30);
  CHECK(b == 0.5);
  b = next_backoff(b, 0.5, 30);
  CHECK(b == 1);
  for (int i = 0; i < 10; ++i) b = next_backoff(b, 0.5, 30);
  CHECK(b == 30);
}
