// The far end of a serial line in the tests: a pseudo-terminal's master side,
// with its own encoder and decoder. The code under test opens the slave side
// (through a symlink, as /dev/serial/by-id does for USB adapters); closing the
// master is unplugging the cable.
#pragma once

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/sequence.hpp"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace watt::serial::test {

using Bytes = std::vector<std::uint8_t>;

struct Peer {
  int master = -1;
  std::string slave_path;
  FrameDecoder decoder;
  SequenceCounter seq;
  std::vector<ReceivedFrame> received;
  std::size_t max_payload;

  explicit Peer(std::size_t max_payload_ = default_max_payload) : decoder(max_payload_), max_payload(max_payload_) {
    termios raw{};
    cfmakeraw(&raw);
    int slave = -1;
    if (openpty(&master, &slave, nullptr, &raw, nullptr) != 0) throw std::runtime_error("openpty failed");
    slave_path = ttyname(slave);
    // Only the link holds the slave, so when the master goes the device
    // node goes with it once the link lets go, like an unplugged adapter.
    ::close(slave);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~Peer() { close_master(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  void close_master() {
    if (master >= 0) ::close(master);
    master = -1;
  }

  // EAGAIN (nothing yet) and EIO (no one has the slave open) both mean "no data".
  void read_all() {
    if (master < 0) return;
    std::uint8_t buf[4096];
    for (;;) {
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) return;
      decoder.feed(std::span(buf, static_cast<std::size_t>(n)),
                   [this](const ReceivedFrame& f) { received.push_back(f); });
    }
  }

  std::size_t count(FrameType type) const {
    std::size_t n = 0;
    for (const auto& f : received) n += f.frame.type == type ? 1 : 0;
    return n;
  }
  std::vector<Bytes> data_payloads() const {
    std::vector<Bytes> out;
    for (const auto& f : received)
      if (f.frame.type == FrameType::data) out.push_back(f.frame.payload);
    return out;
  }
};

// Runs `step` until `done` holds; false if `deadline` passes first. The
// deadline only turns a hang into a failure; it is never the thing tested.
inline bool pump_until(const std::function<void()>& step, const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    step();
  }
  return true;
}

}  // namespace watt::serial::test
