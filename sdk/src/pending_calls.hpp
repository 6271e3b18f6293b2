// Calls (and syncs, and the goodbye) waiting for their answer: each has a
// deadline, after which it is answered timeout. An answered call whose
// caller set a then() callback is queued in the inbox as a Completion, so
// the callback runs in its turn on the agent's thread.
#pragma once

#include "inbox.hpp"
#include "problems.hpp"

#include "timer_queue.hpp"

#include <watt/call.hpp>
#include <watt/error.hpp>
#include <watt/value.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace watt::detail {

class PendingCalls {
public:
  explicit PendingCalls(Inbox& completions) : completions_(completions) {}

  // A call to `callee` ("broker" for what the broker answers itself).
  void open(std::uint64_t id, Clock::time_point deadline, std::string callee);
  bool contains(std::uint64_t id) const { return calls_.contains(id); }
  // Whether this call waits for an answer from `from`: its callee, or the
  // broker with an error (the call could not be routed). Ids are small and
  // sequential, so an answer is matched on its sender too: no other peer can
  // answer a call in the callee's place.
  bool awaits(std::uint64_t id, std::string_view from, bool error) const;
  // Its answer, unless it has one already, or was abandoned.
  void resolve(std::uint64_t id, Result<Value> result);
  bool answered(std::uint64_t id) const;
  std::optional<Clock::time_point> deadline(std::uint64_t id) const;
  // Takes the call out: its answer, or timeout when it has none.
  Result<Value> take(std::uint64_t id);
  void then(std::uint64_t id, std::function<void(Result<Value>)> fn);
  void abandon(std::uint64_t id) noexcept;
  // Runs the then() callback of a Completion.
  void complete(std::uint64_t id, Problems& problems);

  // Answers timeout to every call past its deadline.
  void expire(Clock::time_point now);
  std::optional<Clock::time_point> next_deadline() const;

private:
  using Deadlines = std::multimap<Clock::time_point, std::uint64_t>;
  struct Call {
    Clock::time_point deadline;
    std::string callee;
    std::optional<Result<Value>> result;
    std::function<void(Result<Value>)> then;
    Deadlines::iterator expiry;  // its entry in deadlines_, while armed
    bool armed = true;
  };
  // A call that has its answer (or is gone) no longer needs its deadline:
  // dropping the entry keeps the loop from waking for nothing.
  void disarm(Call& c);

  Inbox& completions_;
  std::unordered_map<std::uint64_t, Call> calls_;
  Deadlines deadlines_;
};

}  // namespace watt::detail
