// A container's one connection to the broker, used from many threads: its
// agents send on it from the scheduler's threads, and one thread at a time
// reads it (a pool thread, or the container's I/O thread when none of those
// can: ContainerPort). A ZeroMQ socket is not thread-safe, so every use of it
// takes one mutex; no one waits holding it: the reader sleeps on the
// socket's file descriptor (ZMQ_FD), not on the socket, and a sender that
// finds the queue to the broker full lets go of it between tries.
#pragma once

#include "../connection.hpp"
#include "waker.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace watt::detail {

class SharedConnection {
public:
  SharedConnection(const std::string& address, const std::string& identity, const CurveKeys* curve);

  // Any thread: as `origin`, the container's own identity or one it hosts.
  void send(std::string_view origin, proto::Kind kind, std::string_view address, std::string_view header,
            std::string_view body);

  // The reader alone.
  bool try_receive(Incoming& out, std::string& error);
  // The I/O thread alone.
  LinkEvent next_event() { return conn_.next_event(); }
  // Until `waker` is woken, the deadline, or, as asked, something may be
  // read (`socket`: the caller is the reader), a link event waits
  // (`monitor`: the caller is the I/O thread), or `also` is readable.
  void wait(std::chrono::steady_clock::time_point deadline, const Waker& waker, bool socket, bool monitor,
            int also = -1);
  void set_linger(int ms);

private:
  bool readable();  // under the lock: whether a message waits

  std::mutex mutex_;
  Connection conn_;
  const Waker* reader_asleep_ = nullptr;  // guarded by mutex_: the reader polls the descriptor, woken by this
};

}  // namespace watt::detail
