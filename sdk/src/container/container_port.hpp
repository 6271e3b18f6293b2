// The container's reading, and its own port (for the runtime of its own
// identity, on the I/O thread). Whoever reads the shared connection (a pool
// thread while one is free, the I/O thread otherwise: Scheduler::Input)
// keeps what is for the container and hands the rest to the mux (batches
// taken apart first, since one frame may hold messages for several agents).
// When the container joins or loses the platform, its agents hear it
// through the mux.
#pragma once

#include "../port.hpp"
#include "mux.hpp"
#include "scheduler.hpp"
#include "shared_connection.hpp"
#include "waker.hpp"

#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace watt::detail {

class ContainerPort final : public Port, public Scheduler::Input {
public:
  // How long a pool thread may keep the reading while in a turn before
  // another takes it over: a short callback keeps it (and the next message
  // costs no hand-over), a long one holds up nobody else for more than this.
  static constexpr std::chrono::microseconds handover{1000};

  ContainerPort(Mux& mux, Scheduler& scheduler) : mux_(mux), scheduler_(&scheduler) {}
  ~ContainerPort() override;

  // Port, for the I/O thread.
  void open(const std::string& address, const std::string& identity, const CurveKeys* curve) override;
  void close(int linger_ms) override;
  bool is_open() const noexcept override { return connection_ != nullptr; }
  bool hosted() const noexcept override { return false; }
  void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) override;
  bool try_receive(Incoming& out, std::string& error) override;
  LinkEvent next_event() override;
  void wait(Clock::time_point deadline) override;
  void wake() noexcept override { io_wake_.wake(); }

  // Scheduler::Input, for the pool's reader.
  void poll(Clock::time_point deadline) override;
  void interrupt() noexcept override { pool_wake_.wake(); }
  void call_outside() noexcept override { io_wake_.wake(); }
  void left_poll() noexcept override;

  // The pool's threads stop reading (for good: the pool is going).
  void leave_scheduler();
  // For the hosted agents' ports; null until open().
  SharedConnection* connection() noexcept { return connection_.get(); }

private:
  // The reader: takes in what waits, a bounded number. Whether it found any.
  bool read_some();
  // Routes one message (a batch's items one by one); what is the
  // container's own is kept for the I/O thread. Returns an error text.
  std::string take(Incoming& in);

  Mux& mux_;
  Scheduler* scheduler_;
  std::string identity_;
  std::unique_ptr<SharedConnection> connection_;
  Waker io_wake_;    // the I/O thread sleeps on it
  Waker pool_wake_;  // the pool's reader sleeps on it
  // Set as a pool thread leaves poll() for a turn, unless it is set
  // already: when it goes off, the I/O thread looks whether the reading is
  // stuck, and sets it again while the reader is still in a turn. So under
  // traffic it costs a wake of the I/O thread each `handover`, not a system
  // call for each message.
  void set_alarm(bool went_off);
  Alarm stuck_;
  std::mutex stuck_mutex_;
  bool stuck_set_ = false;  // guarded by stuck_mutex_

  std::mutex own_mutex_;  // the reader adds, the I/O thread takes
  std::deque<Incoming> own_;
  std::deque<std::string> errors_;
};

}  // namespace watt::detail
