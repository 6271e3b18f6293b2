// The answer to an RPC that a deferred method (Endpoint::export_deferred)
// gives later: movable, one-shot, completable from any thread. One that is
// destroyed unanswered answers with an error, so no caller waits for nothing.
#pragma once

#include <watt/error.hpp>
#include <watt/export.hpp>
#include <watt/value.hpp>

#include <memory>
#include <string>

namespace watt {

namespace detail {
class Methods;
struct ReplyState;
}  // namespace detail

class WATT_EXPORT Reply {
public:
  Reply() noexcept = default;  // empty: answers nothing
  Reply(Reply&&) noexcept = default;
  // The reply this one held, if still unanswered, is answered as dropped.
  Reply& operator=(Reply&& o) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  // Unanswered: the caller gets ErrorCode::internal ("... dropped without an
  // answer") rather than waiting for its timeout.
  ~Reply();

  template <class T>
  void send(const T& value) {
    complete(Value::of(value));
  }
  void fail(ErrorCode code, std::string message) { complete(RpcError{code, std::move(message)}); }
  // The one answer. On the agent's thread it goes out at once; from any other
  // thread it is handed to the agent's thread (as post() does). Throws
  // watt::Error when this reply is empty or already answered.
  void complete(Result<Value> result);

  // True until answered (or moved from).
  bool pending() const noexcept { return state_ != nullptr; }
  explicit operator bool() const noexcept { return pending(); }
  // The identity of the peer waiting for this answer; empty when not pending.
  const std::string& caller() const noexcept;

private:
  friend class detail::Methods;  // makes one for each request a deferred method serves
  explicit Reply(std::shared_ptr<detail::ReplyState> state) noexcept : state_(std::move(state)) {}
  std::shared_ptr<detail::ReplyState> state_;
};

}  // namespace watt
