// What waits at the broker for one peer whose socket is full: the broker's
// own replies first, then most urgent first, oldest first within a priority.
// Best-effort messages are bounded (the least urgent, oldest go first when
// full); lossless ones never drop, and instead make the broker slow their
// publishers down.
#pragma once

#include "outgoing.hpp"

#include <cstddef>
#include <deque>
#include <map>

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
    std::uint64_t seq;
    Outgoing msg;
  };
  using Buckets = std::map<std::uint8_t, std::deque<Entry>>;
  Buckets::iterator front_bucket();

  std::size_t limit_;
  Buckets best_effort_;
  Buckets lossless_;
  std::deque<Outgoing> control_;
  std::size_t best_effort_size_ = 0;
  std::size_t lossless_size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace watt::broker
