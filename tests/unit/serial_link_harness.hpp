// The harness of the serial link tests: an io_context, a pty peer behind a
// symlink (unplugged by closing it, replugged as a new pty behind the same
// link), the link under test, and what it reported.
#pragma once

#include "framing/cobs.hpp"
#include "framing/crc16.hpp"
#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/hello.hpp"
#include "framing/sequence.hpp"
#include "link/serial_link.hpp"
#include "pty_peer.hpp"
#include "tty/serial_settings.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace serial_link_test {

using namespace watt::serial;
using namespace std::chrono_literals;

using test::Bytes;
using test::Peer;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

inline Bytes pattern(std::size_t n, unsigned salt) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((i * 7 + salt) & 0xFF);
  return out;
}

struct Harness {
  boost::asio::io_context io;
  fs::path dir;
  fs::path link_path;
  std::unique_ptr<Peer> peer;
  std::unique_ptr<SerialLink> link;
  std::vector<std::pair<LinkState, std::string>> states;
  std::vector<Bytes> frames;  // data payloads the link delivered
  std::size_t callbacks = 0;
  bool peer_heartbeats = true;
  bool read_master = true;
  Clock::time_point last_peer_heartbeat = Clock::now();

  Harness() {
    std::string tmpl = (fs::temp_directory_path() / "watt-serial-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    link_path = dir / "usb-Watt_node_1-if00";
  }
  ~Harness() {
    link.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void point_link_at(const fs::path& target) {
    const fs::path tmp = dir / "new-link";
    fs::remove(tmp);
    fs::create_symlink(target, tmp);
    fs::rename(tmp, link_path);  // atomic: the link never sees no symlink mid-swap
  }
  void plug(std::size_t max_payload = default_max_payload) {
    peer = std::make_unique<Peer>(max_payload);
    point_link_at(peer->slave_path);
  }
  // The adapter's by-id symlink goes away with it; then the pty itself.
  void unplug() {
    point_link_at(dir / "gone");
    peer->close_master();
  }

  void make_link(LinkOptions options, SerialSettings settings = {}) {
    if (settings.device.empty()) settings.device = link_path.string();
    LinkCallbacks cb;
    cb.on_state = [this](LinkState s, const std::string& reason) {
      ++callbacks;
      states.emplace_back(s, reason);
    };
    cb.on_frame = [this](const Frame& f) {
      ++callbacks;
      frames.push_back(f.payload);
    };
    link = std::make_unique<SerialLink>(io, std::move(settings), options, std::move(cb));
  }

  void step() {
    if (io.stopped()) io.restart();
    if (io.run_one_for(2ms) == 0 && io.stopped()) std::this_thread::sleep_for(1ms);
    if (peer && read_master) peer->read_all();
    if (peer && peer->master >= 0 && peer_heartbeats && Clock::now() - last_peer_heartbeat > 20ms) {
      last_peer_heartbeat = Clock::now();
      peer_send(FrameType::heartbeat, {});
    }
  }

  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 10s) {
    return test::pump_until([this] { step(); }, done, deadline);
  }

  void write_raw(const Bytes& bytes) {
    std::size_t off = 0;
    const auto end = Clock::now() + 10s;
    while (off < bytes.size() && Clock::now() < end) {
      const ssize_t n = ::write(peer->master, bytes.data() + off, bytes.size() - off);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
      } else {
        const bool saved = peer_heartbeats;
        peer_heartbeats = false;  // no frame in the middle of this one
        step();
        peer_heartbeats = saved;
      }
    }
    REQUIRE(off == bytes.size());
  }
  void peer_send(FrameType type, const Bytes& payload) {
    write_raw(encode_frame(Frame{type, peer->seq.next(), payload}, 0xFFFF));
  }
  void peer_hello() {
    peer_send(FrameType::hello,
              encode_hello(Hello{serial_protocol_version, static_cast<std::uint16_t>(peer->max_payload)}));
  }

  // Start (or wait for a reopen), see the link's hello, answer it, wait for UP.
  void bring_up() {
    REQUIRE(pump_until([&] { return peer->count(FrameType::hello) > 0; }));
    peer_hello();
    REQUIRE(pump_until([&] { return link->state() == LinkState::up; }));
  }
};

inline LinkOptions fast_options() {
  LinkOptions o;
  o.heartbeat_period = 20ms;
  o.silence_timeout = 2s;  // long unless silence is what is tested: a loaded CI box pauses
  o.reopen_min = 10ms;
  o.reopen_max = 80ms;
  return o;
}

}  // namespace serial_link_test
