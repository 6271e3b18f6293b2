// What a container's thread sleeps on beside its socket, in poll(). A
// Waker is an eventfd any thread, or a signal handler, writes to wake it;
// the container has two, one for its I/O thread and one for whichever pool
// thread reads. An Alarm is a timerfd that wakes the I/O thread when a pool
// thread has kept the reading too long.
#pragma once

#include <watt/error.hpp>

#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>

namespace watt::detail {

class Waker {
public:
  Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw Error("eventfd failed: " + std::system_category().message(errno));
  }
  ~Waker() { ::close(fd_); }
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;

  int fd() const noexcept { return fd_; }
  void wake() const noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
  }
  // After a poll saw it: ready to be woken again.
  void clear() const noexcept {
    std::uint64_t n;
    [[maybe_unused]] auto r = ::read(fd_, &n, sizeof n);
  }

private:
  int fd_;
};

class Alarm {
public:
  Alarm() : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (fd_ < 0) throw Error("timerfd_create failed: " + std::system_category().message(errno));
  }
  ~Alarm() { ::close(fd_); }
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;

  int fd() const noexcept { return fd_; }
  // Goes off once, `after` from now (zero: not at all).
  void set(std::chrono::nanoseconds after) const noexcept {
    itimerspec t{};
    t.it_value.tv_sec = static_cast<time_t>(after.count() / 1'000'000'000);
    t.it_value.tv_nsec = static_cast<long>(after.count() % 1'000'000'000);
    ::timerfd_settime(fd_, 0, &t, nullptr);
  }
  // Whether it went off (since the last look).
  bool clear() const noexcept {
    std::uint64_t n;
    return ::read(fd_, &n, sizeof n) == static_cast<ssize_t>(sizeof n);
  }

private:
  int fd_;
};

}  // namespace watt::detail
