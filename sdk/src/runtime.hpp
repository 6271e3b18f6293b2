// The engine behind an Endpoint: one socket, one thread, a priority-ordered
// inbox, timers, pending calls. Private to libwatt.
#pragma once

#include "connection.hpp"
#include "reply_state.hpp"
#include "timer_queue.hpp"

#include <watt/endpoint.hpp>
#include <watt/health.hpp>
#include <watt/log_limiter.hpp>
#include <watt/proto/topic_index.hpp>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

namespace watt {
class Agent;
}

namespace watt::detail {

// The server's key and this peer's pair from its key file; throws watt::Error.
CurveKeys curve_keys(const std::string& server_key, const std::string& key_file);
// Logs to `sink`, or to the console when it is null.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink = nullptr);

struct IncomingRequest {
  std::string caller;
  std::uint64_t id = 0;
  std::string method;
  std::int64_t deadline_ns = 0;
  Value args;
};
struct Completion {
  std::uint64_t call_id = 0;
};
// A delivery as received: the frame itself, and the header fields the
// Envelope needs (offsets, not views: moving a small frame moves its bytes).
struct PendingDelivery {
  Incoming in;
  std::uint64_t id = 0;
  std::int64_t ts = 0, dl = 0;
  std::uint8_t pri = 0;
  std::size_t ct_at = 0, ct_len = 0;
};

class Runtime {
public:
  Runtime(std::string identity, std::string address, spdlog::sink_ptr log_sink = nullptr);
  ~Runtime();

  const std::string& identity() const noexcept { return identity_; }
  spdlog::logger& log() noexcept { return *log_; }

  // For a TCP platform: its public key and ours. Before connect().
  void set_curve(CurveKeys keys) { curve_ = std::move(keys); }
  // Says hello; throws watt::Error when refused or unanswered.
  void connect(std::chrono::milliseconds timeout);
  // Flushes (sync) and says bye. Idempotent.
  void leave();

  void run_loop();
  bool spin_until(const std::function<bool()>& done, Clock::time_point deadline);
  void request_stop() noexcept;
  bool stop_requested() const noexcept { return stop_.load(); }

  SubscriptionId subscribe(std::string_view pattern, std::function<void(const Envelope&)> cb, SubscribeOptions o);
  void unsubscribe(SubscriptionId id);
  void publish(std::string_view topic, const Value& body, const PublishOptions& o);

  std::uint64_t start_call(const CallOptions& o, std::string_view peer, std::string_view method, const Value& args);
  Result<Value> wait_call(std::uint64_t id);
  void then_call(std::uint64_t id, std::function<void(Result<Value>)> fn);
  void abandon_call(std::uint64_t id) noexcept;
  // `internal` allows the reserved "watt." names the SDK itself exports.
  void export_method(std::string name, std::function<Value(const Value&)> fn, bool internal = false);
  void export_deferred(std::string name, std::function<void(const Value&, Reply)> fn);
  // A Reply's answer (or its drop), from any thread: handled here on the
  // runtime's thread, posted to it from another, ignored once it is gone.
  static void complete_reply(std::shared_ptr<ReplyState> state, Result<Value> result, bool dropped);

  // What this agent's heartbeats say (see Agent::set_health).
  Health health = Health::starting;
  std::string health_context;
  const std::string& caller() const noexcept { return caller_; }

  TimerId add_timer(Clock::duration first, Clock::duration period, std::function<void()> fn);
  void cancel_timer(TimerId id) { timers_.cancel(id); }
  void post(std::function<void()> fn);

  bool sync(std::chrono::milliseconds timeout);
  Result<std::vector<PeerInfo>> peers(std::chrono::milliseconds timeout);

private:
  struct LocalSub {
    std::string pattern;  // normalized
    std::function<void(const Envelope&)> cb;
    bool lossless = false;
  };
  using Deadlines = std::multimap<Clock::time_point, std::uint64_t>;
  struct PendingCall {
    Clock::time_point deadline;
    std::optional<Result<Value>> result;
    std::function<void(Result<Value>)> then;
    Deadlines::iterator expiry;  // its entry in call_deadlines_, while armed
    bool armed = true;
  };
  // A call that has its answer (or is gone) no longer needs its deadline:
  // dropping the entry keeps the loop from waking for nothing.
  void disarm(PendingCall& c);
  using InboxItem = std::variant<PendingDelivery, IncomingRequest, Completion>;

  void check_thread(const char* what) const;
  void send_hello();
  void on_link(LinkEvent event);
  std::uint64_t pending(Clock::time_point deadline);
  void send_subscribe(const std::string& pattern);
  void poll_once(Clock::time_point deadline);
  void read_available();
  void handle(Incoming& f);
  void handle_batch(Incoming& batch);
  void resolve(std::uint64_t id, Result<Value> result);
  void enqueue(std::uint8_t pri, InboxItem msg);
  void dispatch_inbox();
  void handle_item(InboxItem& item);
  void deliver(const PendingDelivery& d);
  void serve(const IncomingRequest& r);
  void answer(const std::string& caller, std::uint64_t id, const Result<Value>& result);
  std::shared_ptr<ReplyState> open_reply(const IncomingRequest& r);
  void finish_reply(ReplyState& s, Result<Value> result, bool dropped);
  void check_method_name(const std::string& name, bool internal) const;
  void expire_calls();
  void run_posted();
  // One turn of the loop; returns before polling when `done` holds.
  void do_one_round(Clock::time_point wait_until, const std::function<bool()>& done = {});
  // Nested wait (Call::get, sync, paused publish): control messages are
  // handled, deliveries and requests only queued.
  bool wait_for(const std::function<bool()>& done, Clock::time_point deadline);
  void problem(const std::string& kind, const std::string& text);

  std::string identity_;
  std::string address_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Connection> conn_;
  std::thread::id owner_{};
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  bool welcomed_ = false;
  bool rejoining_ = false;  // the link dropped; hello again once it is back
  std::optional<CurveKeys> curve_;
  std::optional<RpcError> hello_error_;
  bool paused_ = false;
  std::string pause_reason_;
  std::uint64_t next_id_ = 0;
  std::uint64_t hello_id_ = 0;
  std::uint64_t publishes_ = 0;
  // Reading ahead (inside publish) stops here, so a peer that publishes but
  // never spins keeps ZeroMQ's own bound on what it buffers.
  static constexpr std::size_t max_inbox_ = 10000;

  proto::TopicIndex<SubscriptionId, bool> index_;
  Envelope current_;        // what subscribers are handed: reused, so delivery allocates nothing
  std::string header_buf_;  // headers being encoded: reused likewise
  std::unordered_map<SubscriptionId, LocalSub> subs_;
  std::unordered_map<std::string, std::pair<int, int>> patterns_;  // pattern -> (subs, lossless subs)
  SubscriptionId next_sub_ = 0;

  struct Method {
    std::function<Value(const Value&)> direct;
    std::function<void(const Value&, Reply)> deferred;  // set instead of direct
  };
  std::unordered_map<std::string, Method> methods_;
  std::string caller_;
  std::shared_ptr<ReplyGate> gate_;
  // Deferred replies not answered yet, answered shutting_down by leave().
  std::unordered_map<std::uint64_t, std::weak_ptr<ReplyState>> open_replies_;
  std::uint64_t next_reply_ = 0;

  std::unordered_map<std::uint64_t, PendingCall> calls_;
  Deadlines call_deadlines_;

  // One FIFO per priority: handled most urgent first, oldest first within a
  // priority. Empty vectors cost no allocation.
  std::array<std::vector<InboxItem>, 101> inbox_;
  std::size_t inbox_size_ = 0;
  std::vector<InboxItem> spare_;  // an empty batch with room, kept between rounds
  TimerQueue timers_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;

  LogLimiter problems_;
};

}  // namespace watt::detail
