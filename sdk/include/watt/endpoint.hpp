// The bus as an agent (or any other client) sees it: subscribe, publish, call,
// export methods, timers. Every callback runs on the owner's one thread.
#pragma once

#include <watt/call.hpp>
#include <watt/detail/function_traits.hpp>
#include <watt/envelope.hpp>
#include <watt/export.hpp>
#include <watt/reply.hpp>
#include <watt/value.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace watt {

using SubscriptionId = std::uint64_t;
using TimerId = std::uint64_t;

// One connected peer, as the broker reports it.
struct PeerInfo {
  std::string identity;
  std::int64_t connected_ns = 0;
  std::uint64_t pid = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t queued = 0;        // messages waiting at the broker for this peer
  std::uint64_t dropped = 0;       // best-effort messages dropped for this peer
  std::uint64_t received = 0;      // messages the broker took from this peer
  std::uint64_t queued_bytes = 0;  // what its queued messages weigh at the broker
  MSGPACK_DEFINE_MAP(identity, connected_ns, pid, subscriptions, queued, dropped, received, queued_bytes)
};

// A call the broker routed to this peer for an agent of another platform
// ("site/agent"): what a federation gateway serves (serve_remote_calls).
struct RemoteCall {
  std::string target;  // "site/agent"
  std::string method;
  Value args;
  std::string caller;
  std::int64_t deadline_ns = 0;  // 0 = none
};

// The body of platform/peers/joined/<identity> and platform/peers/left/<identity>.
struct PeerEvent {
  std::string identity;
  std::uint64_t pid = 0;
  std::string reason;  // "joined", "left" (said goodbye), "connection closed"
  MSGPACK_DEFINE_MAP(identity, pid, reason)
};

namespace detail {
// Thrown inside a method wrapper when the arguments do not fit: reported to
// the caller as bad_args rather than handler_threw.
struct BadArgs : Error {
  using Error::Error;
};
// The caller's arguments as the handler's parameter tuple, or BadArgs.
template <class Tuple>
Tuple unpack_args(const Value& args) {
  try {
    return args.as<Tuple>();
  } catch (const Error& e) {
    throw BadArgs(e.what());
  }
}
}  // namespace detail

class WATT_EXPORT Endpoint {
public:
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  const std::string& identity() const;

  // Whole-segment pattern, '+' and '#' wildcards (see watt/topic.hpp). Throws
  // watt::Error for an invalid pattern.
  SubscriptionId subscribe(std::string_view pattern, std::function<void(const Envelope&)> callback,
                           SubscribeOptions options = {});
  void unsubscribe(SubscriptionId id);

  template <class T>
  void publish(std::string_view topic, const T& value, const PublishOptions& options = {}) {
    publish_value(topic, Value::of(value), options);
  }
  // Throws watt::Error for an invalid topic. While a lossless subscriber has
  // asked the broker to slow publishers down, publications wait on this
  // side, in order (up to 10,000 messages or 16 MiB), and the agent's loop
  // runs on; past that bound publish() blocks until the pause ends.
  void publish_value(std::string_view topic, const Value& body, const PublishOptions& options = {});

  template <class... A>
  Call call(std::string_view peer, std::string_view method, const A&... args) {
    return call_with(CallOptions{}, peer, method, args...);
  }
  template <class... A>
  Call call_with(const CallOptions& options, std::string_view peer, std::string_view method, const A&... args) {
    return call_value(options, peer, method, Value::of(std::make_tuple(args...)));
  }
  // args must be a msgpack array.
  Call call_value(const CallOptions& options, std::string_view peer, std::string_view method, const Value& args);

  // Exports a method whose parameters and result are msgpack-able; the
  // caller's arguments are unpacked into the parameters. A mismatch is
  // answered with bad_args, an exception with handler_threw.
  template <class F>
  void export_method(std::string name, F handler) {
    using traits = detail::function_traits<F>;
    export_raw(std::move(name), [fn = std::move(handler)](const Value& args) mutable -> Value {
      auto tuple = detail::unpack_args<typename traits::args>(args);
      using R = typename traits::result;
      if constexpr (std::is_void_v<R>) {
        std::apply(fn, std::move(tuple));
        return Value::of(msgpack::type::nil_t{});
      } else if constexpr (std::is_same_v<R, Value>) {
        return std::apply(fn, std::move(tuple));
      } else {
        return Value::of(std::apply(fn, std::move(tuple)));
      }
    });
  }
  // The handler gets the raw argument array and returns the raw result.
  void export_raw(std::string name, std::function<Value(const Value& args)> handler);

  // Exports a method that answers later: the handler takes a watt::Reply
  // first, then the caller's arguments (unpacked as for export_method), and
  // completes the reply when it has the answer — now, from a later callback,
  // or from another thread. A reply dropped unanswered answers with an error;
  // a handler that throws before answering answers handler_threw.
  template <class F>
  void export_deferred(std::string name, F handler) {
    using all = typename detail::function_traits<F>::args;
    static_assert(std::tuple_size_v<all> >= 1 && std::is_same_v<std::tuple_element_t<0, all>, Reply>,
                  "export_deferred: the handler's first parameter must be a watt::Reply");
    using args = typename detail::tuple_tail<all>::type;
    export_deferred_raw(std::move(name), [fn = std::move(handler)](const Value& a, Reply reply) mutable {
      std::apply([&](auto&&... v) { fn(std::move(reply), std::move(v)...); }, detail::unpack_args<args>(a));
    });
  }
  // The handler gets the raw argument array and the reply to complete.
  void export_deferred_raw(std::string name, std::function<void(const Value& args, Reply reply)> handler);
  // Identity of the peer whose request is being handled; empty outside one.
  const std::string& caller() const;

  // Serves the calls to other platforms' agents ("site/agent") that the
  // broker routes here, to the gateway config.yml names (broker.gateway):
  // the MQTT bridge's federation. Answer through Reply. Without a handler
  // such calls are answered unknown_peer.
  void serve_remote_calls(std::function<void(const RemoteCall&, Reply)> handler);

  TimerId every(std::chrono::nanoseconds period, std::function<void()> callback);
  TimerId after(std::chrono::nanoseconds delay, std::function<void()> callback);
  void cancel(TimerId id);

  // The only thread-safe member: runs fn on the owner's thread. How a worker
  // thread reports back.
  void post(std::function<void()> fn);

  // Waits until the broker has taken everything this endpoint sent so far.
  bool sync(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // What the broker refused of this endpoint's publications and
  // subscriptions (unauthorized, bad_topic, backpressure…) since the last
  // call, oldest first (the latest 100); each is logged as well. After a
  // sync(), it holds every refusal of what was sent before it.
  std::vector<RpcError> refusals();

  // Messages that reached this endpoint after their deadline (dropped
  // unhandled), by topic, since it connected: how a receiver counts its
  // deadline misses. At most 1,000 topics; the rest are counted together
  // under "(other topics)". The broker counts its own (`watt stats`).
  std::map<std::string, std::uint64_t> missed_deadlines() const;

  Result<std::vector<PeerInfo>> peers(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  spdlog::logger& log();

protected:
  explicit Endpoint(detail::Runtime* rt) noexcept : rt_(rt) {}
  ~Endpoint() = default;
  detail::Runtime* rt_;
};

}  // namespace watt
