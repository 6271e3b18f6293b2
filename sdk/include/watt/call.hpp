// An RPC in flight: wait for it with get(), or have then() called back on the
// agent's thread when the answer (or the timeout) comes.
#pragma once

#include <watt/error.hpp>
#include <watt/export.hpp>
#include <watt/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>

namespace watt {

namespace detail {
class Runtime;
}

struct CallOptions {
  std::chrono::milliseconds timeout{10000};
  std::uint8_t priority = 20;  // RPCs are usually more urgent than telemetry
};

class WATT_EXPORT Call {
public:
  Call(detail::Runtime* rt, std::uint64_t id) noexcept : rt_(rt), id_(id) {}
  Call(Call&& o) noexcept : rt_(o.rt_), id_(o.id_) { o.rt_ = nullptr; }
  Call& operator=(Call&& o) noexcept;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  // A call neither waited for nor given a then() is abandoned: its answer,
  // when it comes, is dropped.
  ~Call();

  // Waits for the answer. Messages and requests that arrive meanwhile are
  // queued, not dispatched, so no other callback of this agent runs inside.
  Result<Value> get();

  template <class T>
  Result<T> get_as() {
    auto r = get();
    if (!r) return r.error();
    try {
      return r.value().template as<T>();
    } catch (const Error& e) {
      return RpcError{ErrorCode::internal, std::string("cannot read the result: ") + e.what()};
    }
  }

  // Calls fn with the answer on the agent's thread, like any other callback.
  void then(std::function<void(Result<Value>)> fn);

  std::uint64_t id() const noexcept { return id_; }

private:
  detail::Runtime* rt_;
  std::uint64_t id_;
};

}  // namespace watt
