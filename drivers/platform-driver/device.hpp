// One configured device as the agent runs it: its configuration, registry,
// driver (and worker when the driver blocks), timers and failure state.
#pragma once

#include "device_config.hpp"
#include "driver.hpp"
#include "worker.hpp"

#include <watt/endpoint.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

namespace watt::driver {

struct Device {
  DeviceConfig config;
  Registry registry;
  std::shared_ptr<Driver> driver;  // shared with the worker's tasks
  std::unique_ptr<Worker> worker;  // only for blocking drivers
  std::string signature;           // what it was built from (see build_all)
  std::uint64_t generation = 0;    // answers from a replaced device are dropped
  double interval_s = 60;
  TimerId start_timer = 0, scrape_timer = 0, retry_timer = 0;
  bool busy = false;     // a scrape is on the worker
  bool failing = false;  // the last scrape got no answer
  std::string last_error;
  double backoff_s = 0;  // the wait before the next retry while failing
  std::uint64_t published = 0, failures = 0;
};

// Staggered: device k of n (in name order) first scrapes k/n of its interval
// in, so n devices never all scrape (and publish) in the same instant.
inline double stagger_offset(std::size_t k, std::size_t n, double interval_s, bool stagger) {
  return stagger && n > 0 ? interval_s * static_cast<double>(k) / static_cast<double>(n) : 0;
}

// Exponential backoff: the first retry after `min_s`, doubling up to `max_s`.
inline double next_backoff(double current_s, double min_s, double max_s) {
  return current_s <= 0 ? min_s : std::min(current_s * 2, max_s);
}

}  // namespace watt::driver
