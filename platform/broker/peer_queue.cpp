// PeerQueue: priority buckets (std::map keeps them in urgency order).
#include "peer_queue.hpp"

namespace watt::broker {

std::size_t PeerQueue::push(Outgoing&& msg) {
  if (msg.control) {
    control_.push_back(std::move(msg));
    return 0;
  }
  const auto pri = msg.priority;
  if (msg.lossless) {
    lossless_[pri].push_back({++next_seq_, std::move(msg)});
    ++lossless_size_;
    return 0;
  }
  if (best_effort_size_ >= limit_) {
    if (best_effort_.empty()) return 1;  // a zero limit keeps nothing
    auto least = std::prev(best_effort_.end());
    if (pri > least->first) return 1;  // the newcomer is the least urgent of all
    least->second.pop_front();
    if (least->second.empty()) best_effort_.erase(least);
    best_effort_[pri].push_back({++next_seq_, std::move(msg)});
    return 1;
  }
  best_effort_[pri].push_back({++next_seq_, std::move(msg)});
  ++best_effort_size_;
  return 0;
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
    control_.pop_front();
    return;
  }
  auto it = front_bucket();
  const bool lossless = it->second.front().msg.lossless;
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
