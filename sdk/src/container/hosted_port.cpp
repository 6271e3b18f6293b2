#include "hosted_port.hpp"

#include "mux.hpp"
#include "shared_connection.hpp"

#include <watt/proto/header.hpp>

#include <utility>

namespace watt::detail {

HostedPort::HostedPort(Mux& mux, SharedConnection& connection, std::function<void()> on_wake, Help help)
    : mux_(mux), connection_(connection), on_wake_(std::move(on_wake)), help_(std::move(help)) {}

HostedPort::~HostedPort() {
  if (open_) mux_.detach(*this);
}

void HostedPort::open(const std::string&, const std::string& identity, const CurveKeys*) {
  identity_ = identity;
  open_ = true;
  mux_.attach(*this);
}

void HostedPort::close(int) {
  // What it sent is on the shared connection already; the container's
  // linger covers it.
  if (!open_) return;
  mux_.detach(*this);
  open_ = false;
}

void HostedPort::send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) {
  if (kind == proto::Kind::subscribe || kind == proto::Kind::unsubscribe) {
    proto::Header h;
    (void)proto::decode_header(header, h);  // ours: well-formed
    if (kind == proto::Kind::subscribe)
      mux_.subscribing(*this, h.id, address);
    else
      mux_.unsubscribing(*this, address);
  }
  connection_.send(identity_, kind, address, header, body);
}

bool HostedPort::try_receive(Incoming& out, std::string&) {
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    drained = full_ && queue_.size() <= intake_limit_ / 2;
    if (drained) full_ = false;
  }
  if (drained && on_drained_) on_drained_();
  return true;
}

LinkEvent HostedPort::next_event() {
  std::lock_guard lock(mutex_);
  if (events_.empty()) return LinkEvent::none;
  const auto e = events_.front();
  events_.pop_front();
  return e;
}

void HostedPort::wait(Clock::time_point deadline) {
  help_(
      [this] {
        std::lock_guard lock(mutex_);
        return std::exchange(woken_, false) || !queue_.empty() || !events_.empty();
      },
      deadline);
}

void HostedPort::wake() noexcept {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  if (on_wake_) on_wake_();
}

bool HostedPort::push(Incoming&& in) {
  bool filled = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(in));
    filled = !full_ && queue_.size() >= intake_limit_;
    if (filled) full_ = true;
  }
  if (on_wake_) on_wake_();
  return filled;
}

void HostedPort::push(LinkEvent event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  if (on_wake_) on_wake_();
}

bool HostedPort::release_full() {
  std::lock_guard lock(mutex_);
  return std::exchange(full_, false);
}

}  // namespace watt::detail
