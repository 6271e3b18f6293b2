// The broker bounds the connections it holds: raw connections that never
// say a word (no ZeroMQ greeting, no handshake) cannot use up its file
// descriptors. Past the limit the newest are shed at once; the rest are
// closed when their handshake times out. Peers connected before are served
// throughout.
#include "inproc_bus.hpp"
#include "raw_peer.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace {

namespace proto = watt::proto;
using watt::test::RawPeer;

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Whether the other side has closed this connection (within 10 s).
bool closed_by_peer(int fd) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  char buf[256];
  while (std::chrono::steady_clock::now() < give_up) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;  // end of stream
    if (n < 0 && errno != EAGAIN) return true;
    // ZeroMQ's greeting: read on
  }
  return false;
}

}  // namespace

TEST_CASE("broker connections: past the limit the newest are shed, and silent ones close at their handshake timeout") {
  watt::test::TempDir dir("connections");
  const std::string path = dir.file("watt.sock");
  watt::broker::BrokerConfig config;
  config.endpoints = {"ipc://" + path};
  config.max_local_connections = 5;
  // Long enough that a broker slowed by a sanitizer on a busy machine still
  // counts all twenty before ZeroMQ's own timeout closes any of them.
  config.handshake_timeout = std::chrono::seconds(3);
  watt::test::InprocBus bus(config);
  RawPeer watcher(bus.address());  // inproc: no descriptor, not counted
  REQUIRE(watcher.hello("watcher").first == proto::Kind::welcome);

  std::vector<int> silent;
  for (int i = 0; i < 20; ++i) silent.push_back(connect_unix(path));
  // 15 shed at once, 5 held until their handshake times out.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto s = watcher.broker_stats();
  while (s.connections_shed < 15 && std::chrono::steady_clock::now() < give_up) s = watcher.broker_stats();
  CHECK(s.connections_shed == 15);
  CHECK(s.descriptor_limit >= 512);
  int closed = 0;
  for (const int fd : silent) closed += closed_by_peer(fd) ? 1 : 0;
  CHECK(closed == 20);
  while (watcher.broker_stats().local_connections > 0 && std::chrono::steady_clock::now() < give_up) {
  }
  CHECK(watcher.broker_stats().local_connections == 0);
  for (const int fd : silent) ::close(fd);

  // Once they are gone, a peer connects over ipc as ever.
  RawPeer late("ipc://" + path);
  CHECK(late.hello("late").first == proto::Kind::welcome);
  CHECK(watcher.broker_stats().local_connections == 1);
}
