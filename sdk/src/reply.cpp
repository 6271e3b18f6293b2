// Reply: the one answer a deferred method owes its caller (watt/reply.hpp).
#include "runtime.hpp"

#include <watt/reply.hpp>

namespace watt {

Reply& Reply::operator=(Reply&& o) noexcept {
  if (this != &o) {
    Reply old(std::move(*this));  // answered as dropped when it goes
    state_ = std::move(o.state_);
  }
  return *this;
}

Reply::~Reply() {
  if (!state_) return;
  try {
    detail::Runtime::complete_reply(std::move(state_), Value(), true);
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the caller times out
  }
}

void Reply::complete(Result<Value> result) {
  if (!state_) throw Error("Reply::complete: this reply is empty or already answered");
  detail::Runtime::complete_reply(std::move(state_), std::move(result), false);
}

const std::string& Reply::caller() const noexcept {
  static const std::string none;
  return state_ ? state_->caller : none;
}

}  // namespace watt
