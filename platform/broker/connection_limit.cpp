#include "connection_limit.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/error.hpp>

#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cstring>

namespace watt::broker {

ConnectionLimit::ConnectionLimit(zmq::socket_t& socket, std::string name, std::size_t max,
                                 std::shared_ptr<spdlog::logger> log)
    : socket_(socket),
      name_(std::move(name)),
      max_(max),
      log_(std::move(log)),
      monitor_(detail::zmq_context(), zmq::socket_type::pair) {
  static std::atomic<int> next{0};
  const std::string address = "inproc://watt-connections-" + name_ + "-" + std::to_string(next++);
  if (zmq_socket_monitor(socket_.handle(), address.c_str(), ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
    throw Error("cannot watch the " + name_ + " connections: " + zmq_strerror(zmq_errno()));
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(address);
}

ConnectionLimit::~ConnectionLimit() { (void)zmq_socket_monitor(socket_.handle(), nullptr, 0); }

void ConnectionLimit::on_events() {
  // All of them first: a descriptor closed and reused since shows as
  // accepted, disconnected, accepted, and only the last state counts.
  for (;;) {
    zmq::message_t event, endpoint;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait)) break;
    if (event.more()) (void)monitor_.recv(endpoint, zmq::recv_flags::none);
    if (event.size() < 6) continue;
    std::uint16_t id = 0;
    std::uint32_t value = 0;
    std::memcpy(&id, event.data(), sizeof id);
    std::memcpy(&value, event.data<char>() + 2, sizeof value);
    const int fd = static_cast<int>(value);
    if (auto it = by_fd_.find(fd); it != by_fd_.end()) {
      by_age_.erase(it->second);
      by_fd_.erase(it);
    }
    if (id == ZMQ_EVENT_ACCEPTED) {
      by_age_.emplace(next_, fd);
      by_fd_.emplace(fd, next_++);
    }
  }
  std::size_t shed_now = 0;
  while (by_fd_.size() > max_) {
    const auto newest = std::prev(by_age_.end());
    // Shut down, never closed: the descriptor is ZeroMQ's, and it closes it
    // once it sees the connection end (a DISCONNECTED event follows).
    (void)::shutdown(newest->second, SHUT_RDWR);
    by_fd_.erase(newest->second);
    by_age_.erase(newest);
    ++shed_now;
  }
  if (shed_now > 0) {
    shed_ += shed_now;
    log_->warn("{} connections over their limit of {}: shed the newest {} ({} so far; broker.max_{}_connections)",
               name_, max_, shed_now, shed_, name_);
  }
}

std::size_t raise_descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  if (r.rlim_cur < r.rlim_max) {
    rlimit raised = r;
    raised.rlim_cur = r.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) r = raised;
  }
  return r.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(r.rlim_cur);
}

}  // namespace watt::broker
