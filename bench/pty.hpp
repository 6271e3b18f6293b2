// A pty pair for bench_serial: the bench holds the master (a node's end), the
// side under test opens the slave by its path, as it would a USB adapter.
#pragma once

#include "bench_common.hpp"

#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bench {

using Bytes = std::vector<std::uint8_t>;

// A pty pair, raw, 115200 8N1. The bench holds the master (the node's end);
// the side under test opens the slave by its path, as a USB adapter's.
class Pty {
public:
  Pty() {
    termios t{};
    ::cfmakeraw(&t);
    ::cfsetspeed(&t, B115200);
    t.c_cflag = (t.c_cflag & ~static_cast<tcflag_t>(CSIZE | PARENB | CSTOPB)) | CS8 | CREAD | CLOCAL;
    int slave = -1;
    if (::openpty(&master_, &slave, nullptr, &t, nullptr) != 0) fail("openpty");
    slave_path_ = ::ttyname(slave);
    ::close(slave);  // the side under test opens it
  }
  ~Pty() { ::close(master_); }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  int master() const noexcept { return master_; }
  const std::string& slave_path() const noexcept { return slave_path_; }

  // The line settings as termios has them (the master reads the slave's).
  std::string line() const {
    termios t{};
    if (::tcgetattr(master_, &t) != 0) return "unreadable";
    const bool b115200 = ::cfgetospeed(&t) == B115200 && ::cfgetispeed(&t) == B115200;
    const bool n81 = (t.c_cflag & CSIZE) == CS8 && (t.c_cflag & PARENB) == 0 && (t.c_cflag & CSTOPB) == 0;
    return std::string(b115200 ? "115200" : "not 115200") + (n81 ? " 8N1" : " not 8N1");
  }

private:
  int master_ = -1;
  std::string slave_path_;
};

// Reads what is there within `timeout`; 0 on nothing (or EIO while no one has
// the slave open: then it waits a little, since poll() returns at once).
inline std::size_t read_some(int fd, Bytes& buf, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return 0;
  const auto n = ::read(fd, buf.data(), buf.size());
  if (n > 0) return static_cast<std::size_t>(n);
  sleep_ms(1);
  return 0;
}

inline void write_fully(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno != EINTR && errno != EAGAIN) fail("write to the pty");
    if (n > 0) bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

}  // namespace bench
