#include "shared_connection.hpp"

#include <watt/error.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace watt::detail {

SharedConnection::SharedConnection(const std::string& address, const std::string& identity, const CurveKeys* curve)
    : conn_(address, identity, curve), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw Error("eventfd failed: " + std::system_category().message(errno));
}

SharedConnection::~SharedConnection() { ::close(wake_fd_); }

void SharedConnection::send(std::string_view origin, proto::Kind kind, std::string_view address,
                            std::string_view header, std::string_view body) {
  bool wake_reader = false;
  {
    std::lock_guard lock(mutex_);
    conn_.send_as(origin, kind, address, header, body);
    // A send may take the socket's pending "readable" signal (ZMQ_FD is
    // edge-triggered) while the I/O thread sleeps on it: then tell it
    // ourselves. While it is awake it looks again before it sleeps, so the
    // costly look (ZMQ_EVENTS) is spared.
    wake_reader = reader_asleep_ && readable();
  }
  if (wake_reader) wake();
}

bool SharedConnection::try_receive(Incoming& out, std::string& error) {
  std::lock_guard lock(mutex_);
  return conn_.try_receive(out, error);
}

bool SharedConnection::readable() { return (conn_.socket().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0; }

void SharedConnection::wait(std::chrono::steady_clock::time_point deadline, bool for_input) {
  int fd = -1;  // poll() passes over a negative descriptor: the socket is left out
  if (for_input) {
    std::lock_guard lock(mutex_);
    if (readable()) return;
    fd = conn_.socket().get(zmq::sockopt::fd);
    reader_asleep_ = true;  // from here on a sender looks for us (under this lock)
  }
  const auto now = std::chrono::steady_clock::now();
  auto ms =
      deadline <= now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
  ms = std::min(ms, std::chrono::milliseconds(1000));
  zmq::pollitem_t items[] = {
      {nullptr, wake_fd_, ZMQ_POLLIN, 0}, {nullptr, fd, ZMQ_POLLIN, 0}, {conn_.monitor().handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 3, ms);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
  }
  if (for_input) {
    std::lock_guard lock(mutex_);
    reader_asleep_ = false;  // awake: it looks again itself before it sleeps
  }
  if ((items[0].revents & ZMQ_POLLIN) != 0) {
    std::uint64_t n;
    [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
  }
}

void SharedConnection::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void SharedConnection::set_linger(int ms) {
  std::lock_guard lock(mutex_);
  conn_.set_linger(ms);
}

}  // namespace watt::detail
