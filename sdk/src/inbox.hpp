// The runtime's inbox: what came from the broker and waits for a turn on the
// agent's thread (deliveries, requests) and calls whose answer waits for its
// then() callback. One FIFO per priority: handled most urgent first, oldest
// first within a priority.
#pragma once

#include "connection.hpp"

#include <watt/value.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace watt::detail {

struct IncomingRequest {
  std::string caller;
  std::string address;  // another platform's agent ("site/agent") a gateway is asked for; empty otherwise
  std::uint64_t id = 0;
  std::string method;
  std::int64_t deadline_ns = 0;
  Value args;
};
struct Completion {
  std::uint64_t call_id = 0;
};
// A delivery as received: the frame itself, and the header fields the
// Envelope needs (offsets, not views: moving a small frame moves its bytes).
struct PendingDelivery {
  Incoming in;
  std::uint64_t id = 0;
  std::int64_t ts = 0, dl = 0;
  std::uint8_t pri = 0;
  std::size_t ct_at = 0, ct_len = 0;
};
using InboxItem = std::variant<PendingDelivery, IncomingRequest, Completion>;

class Inbox {
public:
  // Reading ahead (inside publish) stops here, so a peer that publishes but
  // never spins keeps ZeroMQ's own bound on what it buffers.
  static constexpr std::size_t read_ahead_limit = 10000;

  void push(std::uint8_t pri, InboxItem item) {
    bucket(pri).push_back(std::move(item));
    ++size_;
  }
  // An item built in its place, with no variant moved (GCC 12 warns of the
  // inactive alternatives' strings in such a move, wrongly, once inlined).
  template <class T, class... Args>
  void emplace(std::uint8_t pri, Args&&... args) {
    bucket(pri).emplace_back(std::in_place_type<T>, std::forward<Args>(args)...);
    ++size_;
  }
  // A delivery built in its place (its frame is then swapped in, not copied).
  PendingDelivery& emplace_delivery(std::uint8_t pri) {
    ++size_;
    return std::get<PendingDelivery>(bucket(pri).emplace_back(std::in_place_type<PendingDelivery>));
  }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // Hands what is here now to `handle`, most urgent first; what arrives
  // meanwhile (in a nested wait) waits for the next round. Stops when
  // `stop` is set, keeping what was not handled ahead of anything newer.
  template <class Handle>
  void dispatch(Handle&& handle, const std::atomic<bool>& stop);

private:
  std::vector<InboxItem>& bucket(std::uint8_t pri) { return buckets_[pri < 100 ? pri : 100]; }

  // Empty vectors cost no allocation.
  std::array<std::vector<InboxItem>, 101> buckets_;
  std::size_t size_ = 0;
  std::vector<InboxItem> spare_;  // an empty batch with room, kept between rounds
};

template <class Handle>
void Inbox::dispatch(Handle&& handle, const std::atomic<bool>& stop) {
  // The batch's memory is kept for the next round (a nested round finds none
  // and makes its own), so a steady stream of messages does not regrow the
  // buckets each time.
  std::vector<InboxItem> batch = std::move(spare_);
  struct KeepSpare {
    std::vector<InboxItem>& from;
    std::vector<InboxItem>& to;
    ~KeepSpare() {
      if (from.empty() && from.capacity() > to.capacity()) to.swap(from);
    }
  } keep{batch, spare_};
  for (auto& bucket : buckets_) {
    if (size_ == 0 || stop.load()) return;
    if (bucket.empty()) continue;
    batch.swap(bucket);
    size_ -= batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (stop.load()) {
        bucket.insert(bucket.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(i)),
                      std::make_move_iterator(batch.end()));
        size_ += batch.size() - i;
        return;
      }
      handle(batch[i]);
    }
    batch.clear();
  }
}

}  // namespace watt::detail
