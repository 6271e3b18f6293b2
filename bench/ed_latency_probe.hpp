// The latency of a dispatch run's state messages on the bus, as a dashboard
// subscribed to the run would see them: bench_ed's probe.
#pragma once

#include <watt/ed/messages.hpp>
#include "bench_common.hpp"

#include <watt/client.hpp>
#include <watt/clock.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace bench {

using namespace std::chrono_literals;

// Its own thread and Client, spinning all the time, so a state message's
// receive time is not held up by the main thread's commands. Best effort, as
// a dashboard would subscribe: it never slows the nodes down; what the broker
// drops for it is counted there (peers()).
class LatencyProbe {
public:
  LatencyProbe(const std::string& address, const std::string& run) {
    thread_ = std::thread([this, address, run] {
      try {
        watt::Client c(client_options("bench-ed-latency", address, 10s));
        c.subscribe(watt::ed::run_prefix(run) + "+", [this](const watt::Envelope& e) {
          const auto now = watt::now_ns();
          const auto last = e.topic.substr(e.topic.rfind('/') + 1);
          if (last == "control" || last == "status" || last == "result") return;
          samples_.push_back(static_cast<double>(now - e.timestamp_ns) / 1e6);
        });
        if (!c.sync(10s)) throw std::runtime_error("the latency subscription was not confirmed");
        ready_ = true;
        while (!stop_) c.spin_for(20ms);
      } catch (...) {
        error_ = std::current_exception();
        ready_ = true;
      }
    });
    while (!ready_) sleep_ms(1);
    if (error_) {
      thread_.join();
      std::rethrow_exception(error_);
    }
  }
  ~LatencyProbe() { finish(); }
  LatencyProbe(const LatencyProbe&) = delete;
  LatencyProbe& operator=(const LatencyProbe&) = delete;

  // Stops the thread; the samples sorted.
  std::vector<double> finish() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
      std::sort(samples_.begin(), samples_.end());
    }
    return samples_;
  }

private:
  std::thread thread_;
  std::atomic<bool> ready_{false}, stop_{false};
  std::exception_ptr error_;
  std::vector<double> samples_;  // ms, written by the thread until joined
};

}  // namespace bench
