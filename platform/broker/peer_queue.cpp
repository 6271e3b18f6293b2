// PeerQueue: priority buckets (std::map keeps them in urgency order), and
// what they weigh.
#include "peer_queue.hpp"

namespace watt::broker {

PeerQueue::~PeerQueue() {
  if (shared_ != nullptr) shared_->bytes -= bytes_;
}

void PeerQueue::set_limits(std::size_t best_effort_limit, std::size_t byte_limit, QueueMemory* shared) noexcept {
  limit_ = best_effort_limit;
  byte_limit_ = byte_limit;
  if (shared_ != nullptr) shared_->bytes -= bytes_;
  shared_ = shared;
  if (shared_ != nullptr) shared_->bytes += bytes_;
}

bool PeerQueue::fits(std::size_t cost) const noexcept {
  return bytes_ + cost <= byte_limit_ && (shared_ == nullptr || shared_->bytes + cost <= shared_->limit);
}

bool PeerQueue::full_for(std::size_t cost) const noexcept { return best_effort_size_ >= limit_ || !fits(cost); }

void PeerQueue::count_in(std::size_t cost, bool lossless) noexcept {
  bytes_ += cost;
  if (lossless) lossless_bytes_ += cost;
  if (shared_ != nullptr) shared_->bytes += cost;
}

void PeerQueue::count_out(std::size_t cost, bool lossless) noexcept {
  bytes_ -= cost;
  if (lossless) lossless_bytes_ -= cost;
  if (shared_ != nullptr) shared_->bytes -= cost;
}

void PeerQueue::drop_least_urgent() {
  auto least = std::prev(best_effort_.end());
  count_out(cost(least->second.front().msg), false);
  least->second.pop_front();
  if (least->second.empty()) best_effort_.erase(least);
  --best_effort_size_;
}

std::size_t PeerQueue::push(Outgoing&& msg) {
  const std::size_t c = cost(msg);
  if (msg.control) {
    count_in(c, false);
    control_.push_back(std::move(msg));
    return 0;
  }
  const auto pri = msg.priority;
  if (msg.lossless) {
    count_in(c, true);
    lossless_[pri].push_back({++next_seq_, std::move(msg)});
    ++lossless_size_;
    return 0;
  }
  std::size_t dropped = 0;
  // Room is made from less urgent (or as urgent, older) best-effort messages
  // only; a newcomer less urgent than all of them is the one dropped.
  while (full_for(c) && !best_effort_.empty() && pri <= std::prev(best_effort_.end())->first) {
    drop_least_urgent();
    ++dropped;
  }
  if (full_for(c)) return dropped + 1;
  count_in(c, false);
  best_effort_[pri].push_back({++next_seq_, std::move(msg)});
  ++best_effort_size_;
  return dropped;
}

PeerQueue::Buckets::iterator PeerQueue::front_bucket() {
  auto be = best_effort_.begin();
  auto ll = lossless_.begin();
  if (be == best_effort_.end()) return ll;
  if (ll == lossless_.end()) return be;
  if (be->first != ll->first) return be->first < ll->first ? be : ll;
  return be->second.front().seq < ll->second.front().seq ? be : ll;
}

Outgoing& PeerQueue::front() {
  if (!control_.empty()) return control_.front();
  return front_bucket()->second.front().msg;
}

void PeerQueue::pop_front() {
  if (!control_.empty()) {
    count_out(cost(control_.front()), false);
    control_.pop_front();
    return;
  }
  auto it = front_bucket();
  const bool lossless = it->second.front().msg.lossless;
  count_out(cost(it->second.front().msg), lossless);
  it->second.pop_front();
  if (lossless) {
    --lossless_size_;
    if (it->second.empty()) lossless_.erase(it);
  } else {
    --best_effort_size_;
    if (it->second.empty()) best_effort_.erase(it);
  }
}

}  // namespace watt::broker
