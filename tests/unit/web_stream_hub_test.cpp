// The web view's stream hub: one bus subscription per pattern, conflation to
// each client's rate, the last-value cache, and the linger before leaving.
#include <watt/web/frame_queue.hpp>
#include <watt/web/stream_hub.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

namespace {

using nlohmann::json;

struct Recorder : watt::web::StreamClient {
  void deliver(std::string frame) override { frames.push_back(json::parse(frame)); }
  std::vector<json> messages() const {
    std::vector<json> out;
    for (const auto& f : frames)
      if (f["type"] == "messages") out.push_back(f);
    return out;
  }
  std::vector<json> frames;
};

struct Hub {
  explicit Hub(watt::web::HubLimits limits = {})
      : hub(io, limits, [this](const std::string& p, bool on) { bus.push_back((on ? "+" : "-") + p); }) {}
  void run_for(std::chrono::milliseconds t) {
    io.restart();
    io.run_for(t);
  }
  boost::asio::io_context io;
  std::vector<std::string> bus;
  watt::web::StreamHub hub;
};

std::string msg(int v) { return R"({"body":)" + std::to_string(v) + "}"; }

}  // namespace

TEST_CASE(
    "web hub: one bus subscription per pattern, however many clients, until the last leaves and the linger ends") {
  watt::web::HubLimits limits;
  limits.linger = std::chrono::milliseconds(20);
  Hub h(limits);
  auto a = std::make_shared<Recorder>(), b = std::make_shared<Recorder>();
  CHECK(h.hub.subscribe(a, "devices", 10).empty());
  CHECK(h.hub.subscribe(b, "devices", 10).empty());
  CHECK(h.bus == std::vector<std::string>{"+devices"});
  h.hub.unsubscribe(a.get(), "devices");
  h.hub.remove(b.get());
  CHECK(h.bus.size() == 1);  // lingering
  CHECK(h.hub.stats().patterns == 1);
  CHECK(h.hub.stats().feeds == 0);
  h.run_for(std::chrono::milliseconds(200));
  CHECK(h.bus == std::vector<std::string>{"+devices", "-devices"});
  CHECK(h.hub.stats().patterns == 0);
}

TEST_CASE("web hub: a client back within the linger finds the last values at once") {
  Hub h;
  auto a = std::make_shared<Recorder>();
  REQUIRE(h.hub.subscribe(a, "devices", 10).empty());
  h.hub.on_message("devices", "devices/a", msg(1));
  h.hub.on_message("devices", "devices/b", msg(2));
  h.hub.remove(a.get());
  auto b = std::make_shared<Recorder>();
  REQUIRE(h.hub.subscribe(b, "devices", 10).empty());
  REQUIRE(b->messages().size() == 1);
  const auto cached = b->messages()[0];
  CHECK(cached["cached"] == true);
  CHECK(cached["messages"].size() == 2);
  CHECK(h.bus == std::vector<std::string>{"+devices"});
}

TEST_CASE("web hub: past a client's rate, messages are conflated per topic and none is starved") {
  Hub h;
  auto a = std::make_shared<Recorder>();
  REQUIRE(h.hub.subscribe(a, "d", 5).empty());  // one frame every 200 ms
  h.hub.on_message("d", "d/busy", msg(1));      // goes out at once
  for (int i = 2; i <= 100; ++i) h.hub.on_message("d", "d/busy", msg(i));
  h.hub.on_message("d", "d/quiet", msg(7));
  CHECK(a->messages().size() == 1);
  h.run_for(std::chrono::milliseconds(400));
  REQUIRE(a->messages().size() == 2);
  const auto second = a->messages()[1]["messages"];
  REQUIRE(second.size() == 2);
  CHECK(second[0]["message"]["body"] == 100);  // the latest of d/busy…
  CHECK(second[0]["count"] == 99);             // …standing for 99
  CHECK(second[1]["message"]["body"] == 7);
  CHECK(h.hub.stats().conflated == 98);
}

TEST_CASE("web hub: bad patterns and rates, and too many patterns, are refused by name") {
  watt::web::HubLimits limits;
  limits.patterns_per_client = 2;
  Hub h(limits);
  auto a = std::make_shared<Recorder>();
  CHECK(h.hub.subscribe(a, "a/#/b", 10).find("bad pattern 'a/#/b'") == 0);
  CHECK(h.hub.subscribe(a, "a", 0).find("bad rate") == 0);
  CHECK(h.hub.subscribe(a, "a", 1000).find("at most 100") != std::string::npos);
  CHECK(h.hub.subscribe(a, "a", 10).empty());
  CHECK(h.hub.subscribe(a, "b", 10).empty());
  CHECK(h.hub.subscribe(a, "a", 20).empty());  // a new rate for one it has
  CHECK(h.hub.subscribe(a, "c", 10).find("too many patterns: at most 2") == 0);
  CHECK(h.bus == std::vector<std::string>{"+a", "+b"});
}

TEST_CASE("web frame queue: bounded by bytes, drops counted, and the count told first once there is room") {
  watt::web::FrameQueue q(100);
  CHECK(q.push(std::string(150, 'a')));  // one always fits an empty queue
  CHECK_FALSE(q.push("b"));
  CHECK(q.dropped() == 1);
  CHECK(q.pop()->size() == 150);
  CHECK(*q.pop() == R"({"type":"dropped","total":1})");
  CHECK_FALSE(q.pop().has_value());
  CHECK(q.empty());
}
