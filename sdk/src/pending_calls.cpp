#include "pending_calls.hpp"

#include <watt/identity.hpp>

namespace watt::detail {

void PendingCalls::open(std::uint64_t id, Clock::time_point deadline, std::string callee) {
  calls_.emplace(id, Call{deadline, std::move(callee), std::nullopt, {}, deadlines_.emplace(deadline, id), true});
}

bool PendingCalls::awaits(std::uint64_t id, std::string_view from, bool error) const {
  auto it = calls_.find(id);
  if (it == calls_.end()) return false;
  // A call to another platform's agent ("site/agent") is answered by the
  // platform's gateway, whichever peer that is: the broker lets only the
  // peer it gave the call to answer it.
  if (it->second.callee.find('/') != std::string::npos) return true;
  return it->second.callee == from || (error && from == broker_identity);
}

void PendingCalls::disarm(Call& c) {
  if (c.armed) {
    deadlines_.erase(c.expiry);
    c.armed = false;
  }
}

void PendingCalls::resolve(std::uint64_t id, Result<Value> result) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.result) return;  // abandoned, or already timed out
  disarm(it->second);
  it->second.result.emplace(std::move(result));
  if (it->second.then) completions_.emplace<Completion>(0, Completion{id});
}

bool PendingCalls::answered(std::uint64_t id) const {
  auto it = calls_.find(id);
  return it != calls_.end() && it->second.result.has_value();
}

std::optional<Clock::time_point> PendingCalls::deadline(std::uint64_t id) const {
  auto it = calls_.find(id);
  if (it == calls_.end()) return std::nullopt;
  return it->second.deadline;
}

Result<Value> PendingCalls::take(std::uint64_t id) {
  auto node = calls_.extract(id);
  if (node.empty()) return RpcError{ErrorCode::internal, "call was already consumed"};
  disarm(node.mapped());
  if (!node.mapped().result) return RpcError{ErrorCode::timeout, "no answer within the call's timeout"};
  return std::move(*node.mapped().result);
}

void PendingCalls::then(std::uint64_t id, std::function<void(Result<Value>)> fn) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  it->second.then = std::move(fn);
  if (it->second.result) completions_.emplace<Completion>(0, Completion{id});
}

void PendingCalls::abandon(std::uint64_t id) noexcept {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  disarm(it->second);
  calls_.erase(it);
}

void PendingCalls::complete(std::uint64_t id, Problems& problems) {
  auto node = calls_.extract(id);
  if (node.empty() || !node.mapped().then || !node.mapped().result) return;
  try {
    node.mapped().then(std::move(*node.mapped().result));
  } catch (const std::exception& ex) {
    problems.report("then", std::string("a call's then() callback threw: ") + ex.what());
  }
}

void PendingCalls::expire(Clock::time_point now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const auto id = deadlines_.begin()->second;
    if (!calls_.contains(id)) {
      deadlines_.erase(deadlines_.begin());  // cannot happen: every exit disarms
      continue;
    }
    resolve(id, RpcError{ErrorCode::timeout, "no answer within the call's timeout"});  // disarms
  }
}

std::optional<Clock::time_point> PendingCalls::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

}  // namespace watt::detail
