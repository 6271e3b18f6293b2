#include <watt/mqtt/sender.hpp>

#include <algorithm>

namespace watt::mqtt {

Sender::Sender(Outbox& outbox, std::size_t in_flight, Send send)
    : outbox_(outbox), most_(in_flight == 0 ? 1 : in_flight), window_(most_), send_(std::move(send)) {}

void Sender::take(Outgoing m) {
  ++counts_.queued;
  taken_.push_back(std::move(m));
}

std::uint64_t Sender::flush() {
  const auto dropped = outbox_.push(taken_);
  taken_.clear();
  counts_.dropped += dropped;
  outbox_.remove(acked_);
  acked_.clear();
  pump();
  return dropped;
}

void Sender::up(std::size_t window) {
  up_ = true;
  window_ = std::max<std::size_t>(1, std::min(most_, window));
  cursor_ = 0;
  in_flight_.clear();
  again_.clear();
  pump();
}

void Sender::down() {
  up_ = false;
  in_flight_.clear();
  again_.clear();
}

void Sender::acknowledged(std::int64_t id) {
  if (in_flight_.erase(id) == 0) return;  // from a connection before this one
  ++counts_.acknowledged;
  acked_.push_back(id);
}

void Sender::refused(std::int64_t id) {
  if (in_flight_.erase(id) == 0) return;
  ++counts_.refused;
  acked_.push_back(id);  // out of the queue: sending it again would be refused again
}

void Sender::retry(std::int64_t id) {
  if (in_flight_.erase(id) == 0) return;
  ++counts_.retried;
  again_.insert(id);
}

void Sender::pump() {
  while (up_ && in_flight_.size() < window_ && !again_.empty()) {
    const auto id = *again_.begin();
    again_.erase(again_.begin());
    const auto m = outbox_.get(id);
    if (!m) continue;  // dropped by the bound meanwhile
    in_flight_.insert(id);
    ++counts_.sent;
    send_(*m);
  }
  while (up_ && in_flight_.size() < window_) {
    const auto batch = outbox_.after(cursor_, window_ - in_flight_.size());
    if (batch.empty()) return;
    for (const auto& m : batch) {
      cursor_ = m.id;
      // Acknowledged on an earlier connection, its removal not yet written.
      if (std::find(acked_.begin(), acked_.end(), m.id) != acked_.end()) continue;
      in_flight_.insert(m.id);
      ++counts_.sent;
      send_(m);
      if (!up_) return;  // the send found the connection gone
    }
  }
}

}  // namespace watt::mqtt
