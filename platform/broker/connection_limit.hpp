// Bounds the connections one listening socket holds. A ZeroMQ socket accepts
// until the process runs out of file descriptors, after which libzmq spins on
// accept and aborts on the next descriptor it needs: any TCP client could
// kill the broker by opening connections and never finishing a handshake.
//
// ZeroMQ has no limit of its own, and unbinding an endpoint would close
// every connection made through it. So this watches the socket's
// connections through a monitor, which names each accepted connection's
// descriptor, and sheds the newest past the limit: it shuts the connection
// down (never closes the descriptor, which ZeroMQ owns), and ZeroMQ then
// closes it as it would any connection the other side dropped. ZeroMQ itself
// closes a connection whose handshake is not done in time
// (broker.handshake_timeout_ms), so idle connections drain too.
#pragma once

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace watt::broker {

class ConnectionLimit {
public:
  ConnectionLimit(zmq::socket_t& socket, std::string name, std::size_t max, std::shared_ptr<spdlog::logger> log);
  ~ConnectionLimit();
  ConnectionLimit(const ConnectionLimit&) = delete;
  ConnectionLimit& operator=(const ConnectionLimit&) = delete;

  // Its monitor: readable when connections came or went.
  zmq::socket_t& events() noexcept { return monitor_; }
  // Takes every event that waits, then sheds what is over the limit.
  void on_events();

  std::size_t open() const noexcept { return by_fd_.size(); }
  std::size_t max() const noexcept { return max_; }
  std::uint64_t shed() const noexcept { return shed_; }

private:
  zmq::socket_t& socket_;
  std::string name_;
  std::size_t max_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::socket_t monitor_;
  // The open connections' descriptors, oldest first.
  std::map<std::uint64_t, int> by_age_;
  std::unordered_map<int, std::uint64_t> by_fd_;
  std::uint64_t next_ = 0;
  std::uint64_t shed_ = 0;
};

// Raises this process's soft limit on open files to its hard limit, and
// returns the limit now in force.
std::size_t raise_descriptor_limit();

}  // namespace watt::broker
