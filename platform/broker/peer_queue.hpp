// What waits at the broker for one peer whose socket is full: the broker's
// own replies first, then most urgent first, oldest first within a priority.
// Best-effort messages are bounded (the least urgent, oldest go first when
// full); lossless ones never drop, and instead make the broker slow their
// publishers down.
#pragma once

#include "outgoing.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace watt::broker {

class PeerQueue {
public:
  explicit PeerQueue(std::size_t best_effort_limit = 10000) : limit_(best_effort_limit) {}

  // Returns how many best-effort messages were dropped to make room (0 or 1),
  // which may be the new message itself when it is the least urgent.
  std::size_t push(Outgoing&& msg);

  bool empty() const noexcept { return size() == 0; }
  std::size_t size() const noexcept { return best_effort_size_ + lossless_size_ + control_.size(); }
  std::size_t lossless_size() const noexcept { return lossless_size_; }

  // The most urgent, oldest message; the queue must not be empty.
  Outgoing& front();
  void pop_front();

  void set_limit(std::size_t limit) noexcept { limit_ = limit; }

private:
  struct Entry {
    std::uint64_t seq = 0;
    Outgoing msg;
  };
  // A FIFO over a vector used as a ring: pushing and popping move messages
  // in and out of slots that stay, so a queue that is always in use (a
  // subscriber that lags for a while) allocates nothing per message.
  class Ring {
  public:
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return slots_.size(); }
    Entry& front() noexcept { return slots_[head_]; }
    void push_back(Entry&& e);
    void pop_front();

  private:
    std::vector<Entry> slots_;  // a power of two in size
    std::size_t head_ = 0, size_ = 0;
  };
  struct Bucket {
    std::uint8_t priority = 0;
    Ring ring;
  };
  // Buckets in urgency order; few are ever in use, so a scan is cheapest.
  using Buckets = std::vector<Bucket>;
  static Ring& ring_for(Buckets& buckets, std::uint8_t priority);
  static Bucket* first_nonempty(Buckets& buckets) noexcept;
  static Bucket* last_nonempty(Buckets& buckets) noexcept;
  // After a pop: a bucket left empty gives its memory back if it grew large.
  static void trim(Buckets& buckets, Bucket* bucket);
  Bucket* front_bucket() noexcept;

  std::size_t limit_;
  Buckets best_effort_;
  Buckets lossless_;
  std::deque<Outgoing> control_;
  std::size_t best_effort_size_ = 0;
  std::size_t lossless_size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace watt::broker
