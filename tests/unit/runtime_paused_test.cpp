// An agent whose publishing the broker has paused (a lossless subscriber of
// its topic stopped reading) keeps its loop: its heartbeats go on, and
// nothing it published is lost. The real broker in this process, the agent
// hosted on a thread, the stalled subscriber a raw peer that never reads.
#include "hosted_agent.hpp"
#include "inproc_bus.hpp"
#include "raw_peer.hpp"

#include <watt/client.hpp>
#include <watt/host.hpp>
#include <watt/watt.hpp>

#include <doctest/doctest.h>

#include <atomic>

using namespace std::chrono_literals;

namespace {

// Publishes 2,000 messages at start: far past the broker's mark, well
// within what the SDK holds while paused.
class Flooder : public watt::Agent {
public:
  void on_start() override {
    for (int i = 0; i < 2000; ++i) publish("flood/x", i);
  }
};

}  // namespace

TEST_CASE("paused: an agent held back by a stalled lossless subscriber goes on sending its heartbeats") {
  watt::broker::BrokerConfig config;
  config.lossless_high_water = 10;
  config.socket_high_water = 1;
  config.batch_messages = 1;
  watt::test::InprocBus bus(config);
  watt::test::RawPeer stalled(bus.address(), 1);
  REQUIRE(stalled.hello("stalled").first == watt::proto::Kind::welcome);
  watt::proto::Header lossless;
  lossless.lossless = true;
  REQUIRE(stalled.ask(watt::proto::Kind::subscribe, "flood", "stalled", lossless).first == watt::proto::Kind::ack);

  watt::ClientOptions wo;
  wo.identity = "watcher";
  wo.address = bus.address();
  watt::Client watcher(wo);
  std::atomic<int> beats{0};
  watcher.subscribe("heartbeat/flooder", [&](const watt::Envelope&) { ++beats; });
  REQUIRE(watcher.sync());

  watt::HostOptions options;
  options.identity = "flooder";
  options.address = bus.address();
  options.heartbeat_period = 20ms;
  watt::test::HostedAgent flooder(options);
  flooder.start<Flooder>();

  // Held back: the stalled subscriber's backlog is past the mark...
  auto behind = [&] {
    auto peers = watcher.peers();
    if (!peers) return false;
    for (const auto& p : *peers)
      if (p.identity == "stalled") return p.queued >= 10;
    return false;
  };
  REQUIRE(watcher.spin_until(behind, 10s));
  // ...and the heartbeats keep coming all the same.
  const int at_pause = beats.load();
  CHECK(watcher.spin_until([&] { return beats.load() >= at_pause + 5; }, 10s));
  CHECK_FALSE(flooder.stop());
}
