// The containers benchmark's agent: listener-like when idle (one
// subscription, one exported method), and on request a flooding publisher,
// a lossless counter, or a caller timing round trips to another agent.
#include <watt/watt.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

class BenchAgent : public watt::Agent {
public:
  void on_start() override {
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;
    subscribe(
        "bench/to/" + identity(), [this](const watt::Envelope&) { ++received_; }, lossless);
    export_method("ping", [] { return true; });
    export_method("received", [this] { return received_; });
    // A slow callback: holds its thread this long (as blocking I/O would).
    export_method("busy", [](long ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return true;
    });
    // Publishes n small messages to another agent's topic, then waits until
    // the broker took them all.
    export_method("flood", [this](const std::string& to, long n) {
      for (long i = 0; i < n; ++i) publish("bench/to/" + to, i);
      return sync(std::chrono::seconds(60));
    });
    // n calls of another agent's ping, one after another: p50 and p99 in µs.
    export_method("rtt", [this](const std::string& peer, long n) {
      std::vector<double> us;
      us.reserve(static_cast<std::size_t>(n));
      for (long i = 0; i < n; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!call(peer, "ping").get()) throw watt::Error("ping to " + peer + " failed");
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(us.begin(), us.end());
      return std::vector<double>{us[us.size() / 2], us[us.size() * 99 / 100]};
    });
  }

private:
  long received_ = 0;
};

WATT_AGENT(BenchAgent)
