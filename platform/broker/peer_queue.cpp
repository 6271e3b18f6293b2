// PeerQueue: priority buckets, each a ring of message slots.
#include "peer_queue.hpp"

#include <algorithm>

namespace watt::broker {
namespace {
// An emptied ring keeps up to this many slots for its next use.
constexpr std::size_t kept_slots = 64;
}  // namespace

void PeerQueue::Ring::push_back(Entry&& e) {
  if (size_ == slots_.size()) {
    std::vector<Entry> bigger(std::max<std::size_t>(8, slots_.size() * 2));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    slots_.swap(bigger);
    head_ = 0;
  }
  slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(e);
  ++size_;
}

void PeerQueue::Ring::pop_front() {
  // The slot lets go of its message now (it may still hold one that was not
  // sent: expired or dropped).
  slots_[head_].msg.frame = zmq::message_t();
  head_ = (head_ + 1) & (slots_.size() - 1);
  if (--size_ == 0) {
    head_ = 0;
    if (slots_.size() > kept_slots) std::vector<Entry>().swap(slots_);
  }
}

PeerQueue::Ring& PeerQueue::ring_for(Buckets& buckets, std::uint8_t priority) {
  auto it = buckets.begin();
  while (it != buckets.end() && it->priority < priority) ++it;
  if (it == buckets.end() || it->priority != priority) {
    it = buckets.insert(it, Bucket{});
    it->priority = priority;
  }
  return it->ring;
}

PeerQueue::Bucket* PeerQueue::first_nonempty(Buckets& buckets) noexcept {
  for (auto& b : buckets)
    if (!b.ring.empty()) return &b;
  return nullptr;
}

PeerQueue::Bucket* PeerQueue::last_nonempty(Buckets& buckets) noexcept {
  for (auto it = buckets.rbegin(); it != buckets.rend(); ++it)
    if (!it->ring.empty()) return &*it;
  return nullptr;
}

void PeerQueue::trim(Buckets& buckets, Bucket* bucket) {
  // An empty ring that gave its slots back is dropped as a bucket too.
  if (bucket->ring.empty() && bucket->ring.capacity() == 0)
    buckets.erase(buckets.begin() + (bucket - buckets.data()));
}

std::size_t PeerQueue::push(Outgoing&& msg) {
  if (msg.control) {
    control_.push_back(std::move(msg));
    return 0;
  }
  const auto pri = msg.priority;
  if (msg.lossless) {
    ring_for(lossless_, pri).push_back({++next_seq_, std::move(msg)});
    ++lossless_size_;
    return 0;
  }
  if (best_effort_size_ >= limit_) {
    Bucket* least = last_nonempty(best_effort_);
    if (least == nullptr) return 1;           // a zero limit keeps nothing
    if (pri > least->priority) return 1;      // the newcomer is the least urgent of all
    least->ring.pop_front();
    trim(best_effort_, least);
    ring_for(best_effort_, pri).push_back({++next_seq_, std::move(msg)});
    return 1;
  }
  ring_for(best_effort_, pri).push_back({++next_seq_, std::move(msg)});
  ++best_effort_size_;
  return 0;
}

PeerQueue::Bucket* PeerQueue::front_bucket() noexcept {
  Bucket* be = first_nonempty(best_effort_);
  Bucket* ll = first_nonempty(lossless_);
  if (be == nullptr) return ll;
  if (ll == nullptr) return be;
  if (be->priority != ll->priority) return be->priority < ll->priority ? be : ll;
  return be->ring.front().seq < ll->ring.front().seq ? be : ll;
}

Outgoing& PeerQueue::front() {
  if (!control_.empty()) return control_.front();
  return front_bucket()->ring.front().msg;
}

void PeerQueue::pop_front() {
  if (!control_.empty()) {
    control_.pop_front();
    return;
  }
  Bucket* b = front_bucket();
  const bool lossless = b->ring.front().msg.lossless;
  b->ring.pop_front();
  if (lossless) {
    --lossless_size_;
    trim(lossless_, b);
  } else {
    --best_effort_size_;
    trim(best_effort_, b);
  }
}

}  // namespace watt::broker
