// A container's one connection to the broker, used from many threads: its
// agents send on it from the scheduler's threads, its own runtime reads it on
// the container's I/O thread. A ZeroMQ socket is not thread-safe, so every
// use of it takes one mutex; the I/O thread sleeps on the socket's file
// descriptor (ZMQ_FD), not on the socket, so it holds no lock while it waits.
#pragma once

#include "../connection.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace watt::detail {

class SharedConnection {
public:
  SharedConnection(const std::string& address, const std::string& identity, const CurveKeys* curve);
  ~SharedConnection();
  SharedConnection(const SharedConnection&) = delete;
  SharedConnection& operator=(const SharedConnection&) = delete;

  // Any thread: as `origin`, the container's own identity or one it hosts.
  void send(std::string_view origin, proto::Kind kind, std::string_view address, std::string_view header,
            std::string_view body);

  // The I/O thread alone.
  bool try_receive(Incoming& out, std::string& error);
  LinkEvent next_event() { return conn_.next_event(); }
  // Until something may be read (when `for_input`), a link event, wake(),
  // or the deadline.
  void wait(std::chrono::steady_clock::time_point deadline, bool for_input = true);
  // Any thread, and a signal handler.
  void wake() noexcept;
  void set_linger(int ms);

private:
  bool readable();  // under the lock: whether a message waits

  std::mutex mutex_;
  Connection conn_;
  bool reader_asleep_ = false;  // guarded by mutex_: the I/O thread polls the descriptor
  int wake_fd_;
};

}  // namespace watt::detail
