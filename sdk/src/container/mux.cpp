#include "mux.hpp"

#include <watt/proto/header.hpp>
#include <watt/proto/topic.hpp>

#include <algorithm>
#include <vector>

namespace watt::detail {

void Mux::attach(HostedPort& port) {
  port.on_drained([this] {
    if (--full_ports_ == 0 && on_resume_) on_resume_();
  });
  std::lock_guard lock(mutex_);
  by_identity_[port.identity()] = &port;
}

void Mux::detach(HostedPort& port) {
  bool resume = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_identity_.find(port.identity()); it != by_identity_.end() && it->second == &port)
      by_identity_.erase(it);
    for (const auto& pattern : port.patterns) subscribed_.erase(pattern, &port);
    port.patterns.clear();
    port.subscribing.clear();
    // A full queue that goes away holds nothing back any more.
    if (port.release_full()) resume = --full_ports_ == 0;
  }
  if (resume && on_resume_) on_resume_();
}

void Mux::subscribing(HostedPort& port, std::uint64_t id, std::string_view pattern) {
  std::lock_guard lock(mutex_);
  port.subscribing[id] = std::string(proto::normalize_pattern(pattern));
}

void Mux::unsubscribing(HostedPort& port, std::string_view pattern) {
  const std::string norm(proto::normalize_pattern(pattern));
  std::lock_guard lock(mutex_);
  // From now on nothing more for it, even what the broker sent before it
  // heard of this, and a late acknowledgement of its subscribe counts for
  // nothing.
  if (port.patterns.erase(norm) > 0) subscribed_.erase(norm, &port);
  std::erase_if(port.subscribing, [&](const auto& pending) { return pending.second == norm; });
}

void Mux::settle(HostedPort& port, std::uint64_t id, bool accepted) {
  auto it = port.subscribing.find(id);
  if (it == port.subscribing.end()) return;
  if (accepted && port.patterns.insert(it->second).second) subscribed_.insert(it->second, &port);
  port.subscribing.erase(it);
}

// The broker took a grant back (docs/security.md): a subscription it no
// longer allows, or the agent itself. Deliveries its neighbours still
// subscribe to must not reach it any more.
void Mux::revoked(HostedPort& port, std::string_view why) {
  constexpr std::string_view one = "access revoked: no longer subscribed to ";
  constexpr std::string_view all = "access revoked: ";
  if (why.starts_with(one)) {
    const std::string norm(proto::normalize_pattern(why.substr(one.size())));
    if (port.patterns.erase(norm) > 0) subscribed_.erase(norm, &port);
  } else if (why.starts_with(all)) {
    for (const auto& pattern : port.patterns) subscribed_.erase(pattern, &port);
    port.patterns.clear();
  }
}

std::uint64_t Mux::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

bool Mux::route(Incoming& in) {
  std::lock_guard lock(mutex_);
  switch (in.kind) {
    case proto::Kind::deliver: {
      for (const auto& [port, tag] : subscribed_.match(in.address_view()))
        if (port->push(in.share()) && full_ports_++ == 0) ++pauses_;
      return true;
    }
    case proto::Kind::flow:
      for (const auto& [identity, port] : by_identity_)
        if (port->push(in.share()) && full_ports_++ == 0) ++pauses_;
      return false;
    case proto::Kind::ping: return false;
    default: break;
  }
  const std::string_view to = in.address_view();
  if (to.empty() || to == own_) return false;
  auto it = by_identity_.find(to);
  if (it == by_identity_.end()) {
    ++dropped_;
    return true;
  }
  HostedPort& port = *it->second;
  if ((in.kind == proto::Kind::ack || in.kind == proto::Kind::error) && in.origin_view() == "broker") {
    proto::Header h;
    if (proto::decode_header(in.header_view(), h).empty()) {
      settle(port, h.id, in.kind == proto::Kind::ack);
      if (in.kind == proto::Kind::error && h.id == 0 && h.code == "unauthorized") revoked(port, h.message);
    }
  }
  if (port.push(std::move(in)) && full_ports_++ == 0) ++pauses_;
  return true;
}

void Mux::link(LinkEvent event) {
  // Under the lock, as route() does: a port leaves (detach) only through it.
  std::lock_guard lock(mutex_);
  for (auto& [identity, port] : by_identity_) {
    if (event != LinkEvent::connected) {
      // A new broker knows none of their subscriptions: each is accepted
      // again when the agent renews it.
      for (const auto& pattern : port->patterns) subscribed_.erase(pattern, port);
      port->patterns.clear();
      port->subscribing.clear();
    }
    port->push(event);
  }
}

}  // namespace watt::detail
