// The engine behind an Endpoint: one port to the broker, one thread at a
// time. Private to libwatt. The parts it is made of own their state:
//   port.hpp                 the way to the broker: a socket, or a share of a container's
//   session.hpp              hello and welcome, rejoining, flow control
//   receiver.hpp             what comes from the broker, taken apart
//   inbox.hpp                what waits for its turn, most urgent first
//   local_subscriptions.hpp  callbacks by pattern, and the broker's share
//   pending_calls.hpp        calls waiting for their answers
//   methods.hpp              exported methods and deferred replies
//   timer_queue.hpp          timers
// The runtime runs the loop and offers the Endpoint's calls.
#pragma once

#include "held_publishes.hpp"
#include "inbox.hpp"
#include "local_subscriptions.hpp"
#include "methods.hpp"
#include "pending_calls.hpp"
#include "port.hpp"
#include "problems.hpp"
#include "receiver.hpp"
#include "reply_state.hpp"
#include "session.hpp"
#include "timer_queue.hpp"

#include <watt/endpoint.hpp>
#include <watt/health.hpp>
#include <watt/topic_tally.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace watt {
class Agent;
}

namespace watt::detail {

// The server's key and this peer's pair from its key file; throws watt::Error.
CurveKeys curve_keys(const std::string& server_key, const std::string& key_file);
// Logs to `sink`, or to the console when it is null.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink = nullptr);

class Runtime {
public:
  // Without a port, the runtime has a connection of its own.
  Runtime(std::string identity, std::string address, spdlog::sink_ptr log_sink = nullptr,
          std::unique_ptr<Port> port = nullptr);
  ~Runtime();

  const std::string& identity() const noexcept { return session_.identity(); }
  spdlog::logger& log() noexcept { return *log_; }

  // For a TCP platform: its public key and ours. Before connect().
  void set_curve(CurveKeys keys) { session_.set_curve(std::move(keys)); }
  // Says hello; throws watt::Error when refused or unanswered.
  void connect(std::chrono::milliseconds timeout);
  // Flushes (sync) and says bye. Idempotent.
  void leave();

  void run_loop();
  bool spin_until(const std::function<bool()>& done, Clock::time_point deadline);
  // One round that does not wait, on whichever thread a container's
  // scheduler runs it: what has arrived, posted work, due timers, expired
  // calls. Returns when the next round is due if nothing arrives before
  // (now, when work is left; max when there is nothing to wait for).
  Clock::time_point turn();
  // A container's agent moves between its threads: the one about to use
  // this runtime says so (every call checks it is on the agent's thread).
  void adopt_thread() noexcept { owner_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  void request_stop() noexcept;
  bool stop_requested() const noexcept { return stop_.load(); }

  SubscriptionId subscribe(std::string_view pattern, std::function<void(const Envelope&)> cb, SubscribeOptions o);
  void unsubscribe(SubscriptionId id);
  // `paced` = false for the SDK's own heartbeats: they go out at once even
  // while the broker has paused this peer's publishing.
  void publish(std::string_view topic, const Value& body, const PublishOptions& o, bool paced = true);

  std::uint64_t start_call(const CallOptions& o, std::string_view peer, std::string_view method, const Value& args);
  Result<Value> wait_call(std::uint64_t id);
  void then_call(std::uint64_t id, std::function<void(Result<Value>)> fn) { calls_.then(id, std::move(fn)); }
  void abandon_call(std::uint64_t id) noexcept { calls_.abandon(id); }
  // `internal` allows the reserved "watt." names the SDK itself exports.
  void export_method(std::string name, std::function<Value(const Value&)> fn, bool internal = false);
  void export_deferred(std::string name, std::function<void(const Value&, Reply)> fn);
  void serve_remote_calls(std::function<void(const RemoteCall&, Reply)> fn);
  // A Reply's answer (or its drop), from any thread: handled here on the
  // runtime's thread, posted to it from another, ignored once it is gone.
  static void complete_reply(std::shared_ptr<ReplyState> state, Result<Value> result, bool dropped);

  // What this agent's heartbeats say (see Agent::set_health).
  Health health = Health::starting;
  std::string health_context;
  const std::string& caller() const noexcept { return methods_.caller(); }

  TimerId add_timer(Clock::duration first, Clock::duration period, std::function<void()> fn);
  void cancel_timer(TimerId id) { timers_.cancel(id); }
  void post(std::function<void()> fn);

  bool sync(std::chrono::milliseconds timeout);
  std::vector<RpcError> take_refusals() { return receiver_.take_refusals(); }
  const TopicTally& missed_deadlines() const;
  Result<std::vector<PeerInfo>> peers(std::chrono::milliseconds timeout);

private:
  void check_thread(const char* what) const;
  // Sends a request of the broker's own (sync, peers, bye) and returns its id.
  std::uint64_t ask_broker(proto::Kind kind, Clock::time_point deadline);
  void tell_broker(const LocalSubscriptions::Update& update);
  void send_subscribe(const std::string& pattern);
  void answer(const std::string& caller, std::uint64_t id, const Result<Value>& result);
  void handle_item(InboxItem& item);
  void deliver(const PendingDelivery& d);
  void run_posted();
  void poll_once(Clock::time_point deadline);
  void take_link_events();
  void send_publish(std::string_view topic, std::int64_t ts, std::int64_t dl, std::uint8_t pri, std::string_view ct,
                    std::string_view body);
  // Sends what was held while paused, once the pause is over (or at leave).
  void release_held(bool even_if_paused = false);
  // One turn of the loop; returns before polling when `done` holds.
  void do_one_round(Clock::time_point wait_until, const std::function<bool()>& done = {});
  // Nested wait (Call::get, sync, paused publish): control messages are
  // handled, deliveries and requests only queued.
  bool wait_for(const std::function<bool()>& done, Clock::time_point deadline);

  std::shared_ptr<spdlog::logger> log_;
  // Read by other threads (a Reply completed from a worker): a container's
  // agent changes threads between turns.
  std::atomic<std::thread::id> owner_{};
  std::unique_ptr<Port> port_;
  std::atomic<bool> stop_{false};
  std::uint64_t publishes_ = 0;
  HeldPublishes held_;
  Envelope current_;  // what subscribers are handed: reused, so delivery allocates nothing
  std::shared_ptr<ReplyGate> gate_;

  Problems problems_;
  TopicTally missed_;  // deliveries dropped on arrival, past their deadline
  Session session_;
  Inbox inbox_;
  PendingCalls calls_;
  Receiver receiver_;
  LocalSubscriptions subscriptions_;
  Methods methods_;
  TimerQueue timers_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace watt::detail
