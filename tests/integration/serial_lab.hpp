// The serial lab of the bridge's integration tests: a real wattd, the bridge
// agent as its own process, and the test playing the nodes on pty masters
// (the bridge opens the slaves through symlinks, as /dev/serial/by-id does for
// USB adapters). Header-only, for doctest test cases (it REQUIREs).
#pragma once

#include "cli.hpp"

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/sequence.hpp"

#include <watt/client.hpp>
#include <watt/value.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace watt::test::serial_lab {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;
namespace ws = watt::serial;

using Bytes = std::vector<std::uint8_t>;

inline Bytes msgpack_of(const std::string& json_text) {
  const auto value = watt::Value::from_json(json_text);
  const auto& b = value.bytes();
  return Bytes(b.begin(), b.end());
}

// One node: the master side of a pty behind a stable symlink.
class Node {
public:
  Node(fs::path link, std::string name) : link_(std::move(link)), name_(std::move(name)) { plug(); }
  ~Node() { close_master(); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const fs::path& device() const { return link_; }
  const std::string& name() const { return name_; }

  // A new adapter behind the same name.
  void plug() {
    close_master();
    termios raw{};
    cfmakeraw(&raw);
    int slave = -1;
    if (openpty(&master_, &slave, nullptr, &raw, nullptr) != 0) throw std::runtime_error("openpty failed");
    const std::string slave_path = ttyname(slave);
    ::close(slave);  // only the bridge holds the slave, so it goes when the master goes
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    decoder_ = ws::FrameDecoder();
    seq_ = ws::SequenceCounter();
    point_at(slave_path);
  }
  // The adapter's by-id symlink goes away with it; then the pty itself.
  void unplug() {
    point_at(link_.parent_path() / ("gone-" + name_));
    close_master();
  }

  void send_frame(ws::FrameType type, const Bytes& payload) {
    write_raw(ws::encode_frame({type, seq_.next(), payload}));
  }
  void send(const std::string& json_text) { send_frame(ws::FrameType::data, msgpack_of(json_text)); }
  void write_raw(const Bytes& bytes) {
    std::size_t off = 0;
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (off < bytes.size() && std::chrono::steady_clock::now() < end) {
      const ssize_t n = ::write(master_, bytes.data() + off, bytes.size() - off);
      if (n > 0)
        off += static_cast<std::size_t>(n);
      else
        std::this_thread::sleep_for(1ms);
    }
    REQUIRE(off == bytes.size());
  }

  // Reads what the bridge sent, answers hellos, and keeps the link alive.
  void pump() {
    if (master_ < 0) return;
    std::uint8_t buf[4096];
    for (;;) {
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;  // EAGAIN, or EIO while the bridge has the slave closed
      decoder_.feed(std::span(buf, static_cast<std::size_t>(n)), [this](const ws::ReceivedFrame& f) {
        if (f.frame.type == ws::FrameType::data) {
          const std::string bytes(f.frame.payload.begin(), f.frame.payload.end());
          received_.push_back(json::parse(watt::msgpack_to_json(bytes)));
        }
      });
    }
    if (std::chrono::steady_clock::now() - last_heartbeat_ > 100ms) {
      last_heartbeat_ = std::chrono::steady_clock::now();
      send_frame(ws::FrameType::heartbeat, {});
    }
  }

  const std::vector<json>& received() const { return received_; }
  // The first data frame the bridge sent that has `key`, or null.
  json find(const std::string& key, const json& value) const {
    for (const auto& m : received_)
      if (m.contains(key) && m[key] == value) return m;
    return json();
  }
  json error_for(const std::string& fragment) const {
    for (const auto& m : received_)
      if (m.contains("error") && m["error"].get<std::string>().find(fragment) != std::string::npos) return m;
    return json();
  }

private:
  void point_at(const fs::path& target) {
    const fs::path tmp = link_.parent_path() / ("new-" + name_);
    fs::remove(tmp);
    fs::create_symlink(target, tmp);
    fs::rename(tmp, link_);  // atomic: the bridge never finds no symlink mid-swap
  }
  void close_master() {
    if (master_ >= 0) ::close(master_);
    master_ = -1;
  }

  fs::path link_;
  std::string name_;
  int master_ = -1;
  ws::FrameDecoder decoder_;
  ws::SequenceCounter seq_;
  std::vector<json> received_;
  std::chrono::steady_clock::time_point last_heartbeat_{};
};

// A platform, the nodes, and a watcher on the bus that records everything.
struct Lab {
  Cli cli;
  fs::path dev;
  std::vector<std::unique_ptr<Node>> nodes;
  std::unique_ptr<watt::Client> watcher;
  std::vector<watt::Envelope> seen;

  Lab() : dev(cli.home().path() / "dev") {
    fs::create_directories(dev);
    REQUIRE(cli.watt({"platform", "start"}).code == 0);
    watt::ClientOptions o;
    o.identity = "watcher";
    o.address = watt::test::address(cli);
    watcher = std::make_unique<watt::Client>(o);
    watcher->subscribe("#", [this](const watt::Envelope& e) {
      if (!e.topic.starts_with("heartbeat/") && !e.topic.starts_with("platform/")) seen.push_back(e);
    });
  }

  Node& add_node(const std::string& name) {
    nodes.push_back(std::make_unique<Node>(dev / ("usb-Watt_" + name + "-if00"), name));
    return *nodes.back();
  }

  void install(const std::string& id, const std::string& config) {
    const auto file = cli.home().path() / (id + ".yml");
    std::ofstream(file) << config;
    const auto r =
        cli.watt({"install", lib("serial-bridge"), "-i", id, "-c", file.string(), "--restart", "never", "--start"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }

  // Runs the nodes and the watcher until done(); the deadline only turns a hang into a failure.
  bool until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 20s) {
    return eventually(
        [&] {
          for (auto& n : nodes) n->pump();
          watcher->spin_for(5ms);
          return done();
        },
        deadline);
  }

  const watt::Envelope* last_on(const std::string& topic) const {
    for (auto it = seen.rbegin(); it != seen.rend(); ++it)
      if (it->topic == topic) return &*it;
    return nullptr;
  }
  json body_on(const std::string& topic) const {
    const auto* e = last_on(topic);
    return e ? json::parse(e->body.to_json()) : json();
  }
  bool link_is(const std::string& prefix, const std::string& state) const {
    const auto b = body_on(prefix + "/link");
    return b.is_object() && b["state"] == state;
  }

  json status(const std::string& id) {
    const auto r = cli.watt({"rpc", id, "status"});
    return r.code == 0 ? json::parse(r.out) : json();
  }
  std::string agent_status(const std::string& id) const { return cli.watt({"status", id}).out; }
};

// The port list of a bridge config, one entry per node; `extra` is added to each.
inline std::string ports_yaml(const std::vector<std::unique_ptr<Node>>& nodes, std::size_t from, std::size_t to,
                              const std::string& role = "meter", const std::string& extra = "") {
  std::string out = "ports:\n";
  for (std::size_t i = from; i < to; ++i)
    out += "  - {device: " + nodes[i]->device().string() + ", node: " + nodes[i]->name() + ", role: " + role +
           (extra.empty() ? "" : ", " + extra) + "}\n";
  return out;
}

// Quiet lines never time out here: the tests about a lost port pull the cable.
inline const std::string test_defaults =
    "defaults: {heartbeat_ms: 200, silence_timeout_ms: 600000, reopen_min_ms: 20, reopen_max_ms: 200}\n";

}  // namespace watt::test::serial_lab
