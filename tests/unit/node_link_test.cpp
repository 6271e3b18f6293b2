// The node's end of the serial link (watt-node's NodeLink) over real
// pseudo-terminals: the test holds the master side as the bridge
// (pty_peer.hpp) and checks the node's half of Link supervision in
// docs/serial-protocol.md: 0x00 and a hello on open, an answer to every
// hello, heartbeats while idle, a silent bridge, damaged frames counted, and
// a lost port reopened with backoff.
#include "node_link.hpp"
#include "framing/hello.hpp"
#include "pty_peer.hpp"

#include <doctest/doctest.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace watt::serial;
using namespace std::chrono_literals;
using watt::node::NodeLink;
using watt::node::NodeLinkEvents;
using watt::node::NodeLinkOptions;

namespace {

using test::Bytes;
using test::Peer;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

NodeLinkOptions fast_options() {
  NodeLinkOptions o;
  o.heartbeat_period = 20ms;
  o.silence_timeout = 2s;  // long unless silence is what is tested: a loaded CI box pauses
  o.reopen_min = 10ms;
  o.reopen_max = 80ms;
  return o;
}

struct Harness {
  fs::path dir;
  fs::path device;
  std::unique_ptr<Peer> bridge;
  std::unique_ptr<NodeLink> link;
  std::vector<std::pair<bool, std::string>> states;
  std::vector<Bytes> data;  // payloads delivered to the node
  std::size_t sessions = 0;

  explicit Harness(NodeLinkOptions options = fast_options()) {
    std::string tmpl = (fs::temp_directory_path() / "watt-node-link-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    device = dir / "ttyS0";
    NodeLinkEvents events;
    events.on_data = [this](std::span<const std::uint8_t> p) { data.emplace_back(p.begin(), p.end()); };
    events.on_session = [this] { ++sessions; };
    events.on_state = [this](bool up, const std::string& why) { states.emplace_back(up, why); };
    SerialSettings settings;
    settings.device = device.string();
    link = std::make_unique<NodeLink>(settings, options, events);
  }
  ~Harness() {
    link.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void plug() {
    bridge = std::make_unique<Peer>();
    const auto tmp = dir / "new";
    fs::remove(tmp);
    fs::create_symlink(bridge->slave_path, tmp);
    fs::rename(tmp, device);
  }
  void unplug() {
    fs::remove(device);
    bridge->close_master();
  }

  // One turn of watt-node's loop, at most a few milliseconds long.
  void step() {
    const auto wake = link->tick(Clock::now());
    pollfd p{link->fd(), link->events(), 0};
    const auto wait =
        std::clamp<long long>(std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count(), 0, 2);
    if (p.fd >= 0 && ::poll(&p, 1, static_cast<int>(wait)) > 0) link->on_ready(p.revents, Clock::now());
    if (p.fd < 0) std::this_thread::sleep_for(1ms);
    if (bridge) bridge->read_all();
  }
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 10s) {
    return test::pump_until([this] { step(); }, done, deadline);
  }
  void bridge_writes(const Bytes& bytes) {
    REQUIRE(::write(bridge->master, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  void bridge_sends(FrameType type, const Bytes& payload) {
    bridge_writes(encode_frame(Frame{type, bridge->seq.next(), payload}));
  }
  void bridge_hello() { bridge_sends(FrameType::hello, encode_hello(Hello{serial_protocol_version, 512})); }
};

}  // namespace

TEST_CASE("node link: opens with a 0x00 and a hello of seq 0, and answers every bridge hello") {
  Harness h;
  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 1; }));
  const auto& first = h.bridge->received.front();
  CHECK(first.frame.type == FrameType::hello);
  CHECK(first.frame.seq == 0);
  const auto hello = parse_hello(first.frame.payload);
  REQUIRE(hello);
  CHECK(hello->version == serial_protocol_version);
  CHECK(hello->max_payload == NodeLinkOptions{}.max_payload);
  CHECK(h.bridge->decoder.counters().dropped() == 0);  // the leading 0x00 is filler, not an error
  CHECK(h.sessions == 1);

  const auto filler = h.bridge->decoder.counters().empty;  // the 0x00 before the first hello
  h.bridge_hello();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 2; }));
  h.bridge_hello();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 3; }));
  CHECK(h.bridge->decoder.counters().empty == filler);  // replies to a hello come without one
  CHECK(h.sessions == 3);                               // subscriptions are sent again for each
  CHECK(h.link->counters().hellos_received == 2);
  REQUIRE(!h.states.empty());
  CHECK(h.states.back().first);  // the bridge is up once heard
}

TEST_CASE("node link: heartbeats while idle, data both ways, and the bridge's max_payload respected") {
  Harness h;
  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::heartbeat) >= 3; }));
  h.bridge_hello();  // announces 512 bytes
  REQUIRE(h.pump_until([&] { return h.link->counters().hellos_received == 1; }));
  CHECK(h.link->send_data(Bytes(512, 0x41)));
  CHECK_FALSE(h.link->send_data(Bytes(513, 0x41)));
  CHECK(h.link->counters().tx_refused == 1);
  REQUIRE(h.pump_until([&] { return h.bridge->data_payloads().size() == 1; }));
  CHECK(h.bridge->data_payloads().front() == Bytes(512, 0x41));
  CHECK(h.bridge->decoder.counters().gaps == 0);

  for (int i = 0; i < 50; ++i) h.bridge_sends(FrameType::data, Bytes{0x81, 0xA1, 0x6B, static_cast<std::uint8_t>(i)});
  REQUIRE(h.pump_until([&] { return h.data.size() == 50; }));
  CHECK(h.data[49] == Bytes{0x81, 0xA1, 0x6B, 49});
}

TEST_CASE("node link: garbage and damaged frames are counted and the frames around them still arrive") {
  Harness h;
  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 1; }));
  h.bridge_sends(FrameType::data, {1});
  auto damaged = encode_frame(Frame{FrameType::data, h.bridge->seq.next(), {2, 2, 2}});
  damaged[2] ^= 0x10;  // a flipped bit: the CRC no longer matches
  h.bridge_writes(damaged);
  h.bridge_writes({0x07, 0x07, 0x07, 0x00});  // not COBS of anything
  h.bridge_sends(FrameType::data, {3});
  REQUIRE(h.pump_until([&] { return h.data.size() == 2; }));
  CHECK(h.data[0] == Bytes{1});
  CHECK(h.data[1] == Bytes{3});
  const auto rx = h.link->counters().rx;
  CHECK(rx.bad_crc == 1);
  CHECK(rx.bad_cobs == 1);
  CHECK(rx.gaps == 1);  // the damaged frame's number went missing
}

TEST_CASE("node link: a silent bridge goes down and comes back up when it talks") {
  auto options = fast_options();
  options.silence_timeout = 150ms;
  Harness h(options);
  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 1; }));
  h.bridge_hello();
  REQUIRE(h.pump_until([&] { return !h.states.empty() && h.states.back().first; }));
  REQUIRE(h.pump_until([&] { return !h.states.back().first; }));
  CHECK(h.states.back().second.find("no frame from the bridge") != std::string::npos);
  const auto downs = h.states.size();
  h.step();
  h.step();
  CHECK(h.states.size() == downs);  // said once, not on every tick
  h.bridge_sends(FrameType::heartbeat, {});
  REQUIRE(h.pump_until([&] { return h.states.back().first; }));
}

TEST_CASE("node link: an unplugged line is reopened with backoff and says hello again") {
  Harness h;
  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 1; }));
  h.bridge_hello();
  REQUIRE(h.pump_until([&] { return h.link->up(); }));
  h.unplug();
  REQUIRE(h.pump_until([&] { return !h.link->open(); }));
  CHECK(!h.link->up());
  CHECK(h.link->counters().read_errors == 1);
  // Nothing to open: the failures repeat quietly (one state change), with backoff.
  REQUIRE(h.pump_until([&] { return h.link->counters().open_failures >= 4; }));
  CHECK_FALSE(h.link->send_data(Bytes{1}));
  std::size_t downs = 0;
  for (const auto& s : h.states) downs += s.first ? 0 : 1;
  CHECK(downs == 2);  // the lost port, then "No such file or directory" once

  h.plug();
  REQUIRE(h.pump_until([&] { return h.bridge->count(FrameType::hello) == 1; }));
  CHECK(h.bridge->received.front().frame.seq == 0);
  h.bridge_hello();
  REQUIRE(h.pump_until([&] { return h.link->up(); }));
  CHECK(h.link->counters().opens == 2);
}

TEST_CASE("node link: bad options are refused naming the field") {
  SerialSettings settings;
  settings.device = "/dev/null";
  auto make = [&](NodeLinkOptions o) { NodeLink link(settings, o, {}); };
  auto o = fast_options();
  o.silence_timeout = o.heartbeat_period;
  CHECK_THROWS_WITH_AS(make(o), doctest::Contains("silence_ms"), LinkError);
  o = fast_options();
  o.max_payload = 70000;
  CHECK_THROWS_WITH_AS(make(o), doctest::Contains("max_payload"), LinkError);
  settings.baud = 12345;
  CHECK_THROWS_WITH_AS(make(fast_options()), doctest::Contains("baud"), LinkError);
}
