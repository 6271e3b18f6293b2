// The port of a runtime with a connection of its own: one DEALER socket,
// polled with its monitor and an eventfd that post() and stop() write.
#include "port.hpp"

#include <watt/error.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace watt::detail {
namespace {

class SocketPort final : public Port {
public:
  SocketPort() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw Error("eventfd failed: " + std::system_category().message(errno));
  }
  ~SocketPort() override { ::close(wake_fd_); }
  SocketPort(const SocketPort&) = delete;
  SocketPort& operator=(const SocketPort&) = delete;

  void open(const std::string& address, const std::string& identity, const CurveKeys* curve) override {
    conn_ = std::make_unique<Connection>(address, identity, curve);
  }
  void close(int linger_ms) override {
    if (!conn_) return;
    conn_->set_linger(linger_ms);
    conn_.reset();
  }
  bool is_open() const noexcept override { return conn_ != nullptr; }
  bool hosted() const noexcept override { return false; }

  void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) override {
    conn_->send(kind, address, header, body);
  }
  bool try_receive(Incoming& out, std::string& error) override {
    return conn_ != nullptr && conn_->try_receive(out, error);
  }
  LinkEvent next_event() override { return conn_ ? conn_->next_event() : LinkEvent::none; }

  void wait(Clock::time_point deadline) override {
    const auto now = Clock::now();
    auto ms =
        deadline <= now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    ms = std::min(ms, std::chrono::milliseconds(1000));
    zmq::pollitem_t items[3] = {{nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    std::size_t n = 1;
    if (conn_) {
      items[n++] = {conn_->socket().handle(), 0, ZMQ_POLLIN, 0};
      items[n++] = {conn_->monitor().handle(), 0, ZMQ_POLLIN, 0};
    }
    try {
      zmq::poll(items, n, ms);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      return;  // a signal: the loop re-checks whether to stop, and comes back
    }
    if (items[0].revents & ZMQ_POLLIN) {
      std::uint64_t count;
      [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
    }
  }
  void wake() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);  // async-signal-safe
  }

private:
  int wake_fd_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace

std::unique_ptr<Port> own_connection() { return std::make_unique<SocketPort>(); }

}  // namespace watt::detail
