#include "shared_connection.hpp"

#include <algorithm>
#include <thread>

namespace watt::detail {

SharedConnection::SharedConnection(const std::string& address, const std::string& identity, const CurveKeys* curve)
    : conn_(address, identity, curve) {}

void SharedConnection::send(std::string_view origin, proto::Kind kind, std::string_view address,
                            std::string_view header, std::string_view body) {
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    const Waker* wake_reader = nullptr;
    bool sent = false;
    {
      std::lock_guard lock(mutex_);
      sent = conn_.send_as(origin, kind, address, header, body, false);
      // A send may take the socket's pending "readable" signal (ZMQ_FD is
      // edge-triggered) while the reader sleeps on it: then tell it
      // ourselves. While it is awake it looks again before it sleeps, so the
      // costly look (ZMQ_EVENTS) is spared.
      if (reader_asleep_ != nullptr && readable()) wake_reader = reader_asleep_;
    }
    if (wake_reader != nullptr) wake_reader->wake();
    if (sent) return;
    // The queue to the broker is full (the backpressure a process of its
    // own would block on): this sender waits, but not holding the socket,
    // so the reader and the container's other agents go on meanwhile.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

bool SharedConnection::try_receive(Incoming& out, std::string& error) {
  std::lock_guard lock(mutex_);
  return conn_.try_receive(out, error);
}

bool SharedConnection::readable() { return (conn_.socket().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0; }

void SharedConnection::wait(std::chrono::steady_clock::time_point deadline, const Waker& waker, bool socket,
                            bool monitor, int also) {
  int fd = -1;  // poll() passes over a negative descriptor: the socket is left out
  if (socket) {
    std::lock_guard lock(mutex_);
    if (readable()) return;
    fd = conn_.socket().get(zmq::sockopt::fd);
    reader_asleep_ = &waker;  // from here on a sender looks for us (under this lock)
  }
  const auto now = std::chrono::steady_clock::now();
  auto ms =
      deadline <= now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
  ms = std::min(ms, std::chrono::milliseconds(1000));
  zmq::pollitem_t items[] = {{nullptr, waker.fd(), ZMQ_POLLIN, 0},
                             {nullptr, fd, ZMQ_POLLIN, 0},
                             {nullptr, also, ZMQ_POLLIN, 0},
                             {monitor ? conn_.monitor().handle() : nullptr, 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, monitor ? 4 : 3, ms);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
  }
  if (socket) {
    std::lock_guard lock(mutex_);
    reader_asleep_ = nullptr;  // awake: it looks again itself before it sleeps
  }
  if ((items[0].revents & ZMQ_POLLIN) != 0) waker.clear();
}

void SharedConnection::set_linger(int ms) {
  std::lock_guard lock(mutex_);
  conn_.set_linger(ms);
}

}  // namespace watt::detail
