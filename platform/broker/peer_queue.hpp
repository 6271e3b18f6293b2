// What waits at the broker for one peer whose socket is full: the broker's
// own replies first, then most urgent first, oldest first within a priority.
// Every message is weighed in bytes (its frame and its bookkeeping), per
// peer and against the broker's shared budget, so that memory stays bounded
// whatever peers send and however slowly others read:
//   - best-effort messages are bounded by count and bytes; the least urgent,
//     oldest go first when full (the newcomer itself, if it is the least
//     urgent);
//   - lossless, RPC and control messages never drop here: the outbox asks
//     fits() first and refuses by kind what would not fit.
#pragma once

#include "outgoing.hpp"

#include <cstddef>
#include <deque>
#include <map>

namespace watt::broker {

// A backlog: messages, and what they weigh.
struct Backlog {
  std::size_t messages = 0;
  std::size_t bytes = 0;
};

// The bytes waiting in every peer's queue, and the most they may add up to.
struct QueueMemory {
  std::size_t bytes = 0;
  std::size_t limit = static_cast<std::size_t>(-1);
};

class PeerQueue {
public:
  // What one waiting message costs besides its frame: the queue entry and
  // the frame's own header.
  static constexpr std::size_t overhead_bytes = 128;
  static std::size_t cost(const Outgoing& m) noexcept { return m.frame.size() + overhead_bytes; }

  explicit PeerQueue(std::size_t best_effort_limit = 10000) : limit_(best_effort_limit) {}
  ~PeerQueue();
  PeerQueue(const PeerQueue&) = delete;
  PeerQueue& operator=(const PeerQueue&) = delete;

  // Best-effort messages at most (count), all messages at most (bytes), and
  // the shared budget they also count against (none when null).
  void set_limits(std::size_t best_effort_limit, std::size_t byte_limit, QueueMemory* shared) noexcept;

  // Whether a message of this cost may join without dropping anything.
  bool fits(std::size_t cost) const noexcept;
  // Returns how many best-effort messages were dropped to make room, which
  // may include the new message itself when it is the least urgent.
  std::size_t push(Outgoing&& msg);

  bool empty() const noexcept { return size() == 0; }
  std::size_t size() const noexcept { return best_effort_size_ + lossless_size_ + control_.size(); }
  std::size_t lossless_size() const noexcept { return lossless_size_; }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t lossless_bytes() const noexcept { return lossless_bytes_; }
  Backlog lossless() const noexcept { return {lossless_size_, lossless_bytes_}; }

  // The most urgent, oldest message; the queue must not be empty.
  Outgoing& front();
  void pop_front();

private:
  struct Entry {
    std::uint64_t seq;
    Outgoing msg;
  };
  using Buckets = std::map<std::uint8_t, std::deque<Entry>>;
  Buckets::iterator front_bucket();
  bool full_for(std::size_t cost) const noexcept;
  // Drops the least urgent, oldest best-effort message.
  void drop_least_urgent();
  void count_in(std::size_t cost, bool lossless) noexcept;
  void count_out(std::size_t cost, bool lossless) noexcept;

  std::size_t limit_;
  std::size_t byte_limit_ = static_cast<std::size_t>(-1);
  QueueMemory* shared_ = nullptr;
  Buckets best_effort_;
  Buckets lossless_;
  std::deque<Outgoing> control_;
  std::size_t best_effort_size_ = 0;
  std::size_t lossless_size_ = 0;
  std::size_t bytes_ = 0;
  std::size_t lossless_bytes_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace watt::broker
