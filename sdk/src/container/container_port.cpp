#include "container_port.hpp"

#include <watt/proto/batch.hpp>

namespace watt::detail {

void ContainerPort::open(const std::string& address, const std::string& identity, const CurveKeys* curve) {
  identity_ = identity;
  connection_ = std::make_unique<SharedConnection>(address, identity, curve);
  mux_.on_resume([conn = connection_.get()] { conn->wake(); });
}

void ContainerPort::close(int linger_ms) {
  if (!connection_) return;
  mux_.link(LinkEvent::disconnected);
  connection_->set_linger(linger_ms);
  connection_.reset();
}

void ContainerPort::send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) {
  connection_->send(identity_, kind, address, header, body);
}

bool ContainerPort::try_receive(Incoming& out, std::string& error) {
  // Bounded, so the container's own timers and heartbeats get their turn
  // under a flood for its agents.
  // While an agent's queue is full nothing more is read: what follows waits
  // at the broker, under its limits and flow control.
  for (int i = 0; i < 1024 && own_.empty() && !mux_.intake_paused(); ++i) {
    Incoming in;
    if (!connection_ || !connection_->try_receive(in, error)) return false;
    if (!error.empty()) return true;
    if (auto err = take(in); !err.empty()) {
      error = std::move(err);
      return true;
    }
  }
  if (own_.empty()) return false;
  out = std::move(own_.front());
  own_.pop_front();
  return true;
}

std::string ContainerPort::take(Incoming& in) {
  if (in.kind != proto::Kind::batch) {
    // Its own welcome: the agents may say hello now.
    if (in.kind == proto::Kind::welcome && (in.address_view().empty() || in.address_view() == identity_))
      mux_.link(LinkEvent::connected);
    if (!mux_.route(in)) own_.push_back(std::move(in));
    return {};
  }
  const char* const base = in.frame.data<char>();
  std::string_view rest = in.body_view();
  while (!rest.empty()) {
    std::string_view item;
    Incoming one;
    std::string error = proto::take_batch_item(rest, item);
    if (error.empty()) {
      one.frame.copy(in.frame);
      error = one.parse(static_cast<std::size_t>(item.data() - base), item.size());
      if (error.empty() && one.kind == proto::Kind::batch) error = "a batch inside a batch";
    }
    if (!error.empty()) return "dropped the rest of a batch from the broker: " + error;
    if (auto err = take(one); !err.empty()) return err;
  }
  return {};
}

LinkEvent ContainerPort::next_event() {
  if (!connection_) return LinkEvent::none;
  const auto e = connection_->next_event();
  if (e == LinkEvent::disconnected) mux_.link(LinkEvent::disconnected);
  return e;
}

void ContainerPort::wait(Clock::time_point deadline) {
  if (connection_) connection_->wait(deadline, !mux_.intake_paused());
}

void ContainerPort::wake() noexcept {
  if (connection_) connection_->wake();
}

}  // namespace watt::detail
