// The answers a peer owes: one for each request routed to it and not yet
// answered, by caller and request id. The broker forwards a response or an
// error only when it is owed, so no peer can answer a call made to another.
// An entry lasts until its answer, or until the request's deadline (capped,
// since a TCP client's clock is its own); a peer may owe a bounded number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace watt::broker {

class OwedAnswers {
public:
  // `caller` is the calling peer's serial number (never reused, unlike its
  // identity or its memory).
  void expect(std::uint64_t caller, std::uint64_t id, std::int64_t until_ns) { until_[Key{caller, id}] = until_ns; }
  // True, and forgotten, when this answer is owed.
  bool settle(std::uint64_t caller, std::uint64_t id) { return until_.erase(Key{caller, id}) != 0; }
  // Forgets what is past its time (the caller gave up on it); returns how many.
  std::size_t expire(std::int64_t now_ns);
  std::size_t size() const noexcept { return until_.size(); }

private:
  struct Key {
    std::uint64_t caller;
    std::uint64_t id;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept { return k.caller * 0x9e3779b97f4a7c15ULL ^ k.id; }
  };
  std::unordered_map<Key, std::int64_t, KeyHash> until_;
};

}  // namespace watt::broker
