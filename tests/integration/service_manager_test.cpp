// wattd as a systemd Type=notify service, with systemd played by the test:
// a datagram socket in $NOTIFY_SOCKET receives READY=1, then WATCHDOG=1 at
// half of $WATCHDOG_USEC while the broker answers, and STOPPING=1 on SIGTERM.
#include "process.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

using namespace watt::test;
using namespace std::chrono_literals;

namespace {

// The service manager's end: a bound datagram socket, read without blocking.
struct NotifySocket {
  explicit NotifySocket(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    // The sockets API takes a sockaddr*; sockaddr_un is the documented way in.
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() { ::close(fd); }
  // Every datagram so far, in order.
  const std::vector<std::string>& read() {
    char buf[512];
    for (;;) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return got;
      got.emplace_back(buf, static_cast<std::size_t>(n));
    }
  }
  bool saw(const std::string& prefix) {
    for (const auto& g : read())
      if (g.rfind(prefix, 0) == 0) return true;
    return false;
  }
  int count(const std::string& prefix) {
    int n = 0;
    for (const auto& g : read()) n += g.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
  int fd = -1;
  std::vector<std::string> got;
};

}  // namespace

TEST_CASE("wattd tells a service manager it is ready, alive, and stopping") {
  TempDir dir("watt-notify");
  NotifySocket manager((dir.path() / "notify").string());
  Process wattd({(bin_dir() / "wattd").string(), "--home", (dir.path() / "home").string()}, dir.path(),
                {{"NOTIFY_SOCKET", (dir.path() / "notify").string()}, {"WATCHDOG_USEC", "200000"}});
  REQUIRE_MESSAGE(eventually([&] { return manager.saw("READY=1"); }), wattd.err());
  CHECK(manager.read()[0] == "READY=1\nSTATUS=platform up");
  // Pings at half the interval, for as long as the broker answers.
  CHECK(eventually([&] { return manager.count("WATCHDOG=1") >= 3; }));
  wattd.signal(SIGTERM);
  REQUIRE(wattd.wait(30000ms).has_value());
  CHECK(manager.saw("STOPPING=1"));
}
