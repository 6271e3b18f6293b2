// The runtime: the Endpoint's calls, and the loop that runs posted work,
// timers, expired calls and the inbox, then waits on the connection.
#include "runtime.hpp"

#include <watt/identity.hpp>
#include <watt/keys.hpp>
#include <watt/log_format.hpp>
#include <watt/proto/clock.hpp>
#include <watt/topic.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>

namespace watt::detail {

using proto::now_ns;

CurveKeys curve_keys(const std::string& server_key, const std::string& key_file) {
  if (server_key.size() != 40) throw Error("the server key must be the platform's 40-character public key");
  if (key_file.empty()) throw Error("a key file is needed to connect with a server key (watt keys create NAME)");
  const auto pair = read_key_file(key_file);
  return {server_key, pair.public_key, pair.secret_key};
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink) {
  // Standard error: standard output is for what a program prints (watt
  // subscribe's JSON lines), never for its log.
  static auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(name, sink ? std::move(sink) : console);
  set_log_format(*logger);
  // Read while the runtime is built, before any thread of ours runs.
  if (const char* level = std::getenv("WATT_LOG_LEVEL"))  // NOLINT(concurrency-mt-unsafe)
    logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

Runtime::Runtime(std::string identity, std::string address, spdlog::sink_ptr log_sink, std::unique_ptr<Port> port)
    : log_(make_logger(identity, std::move(log_sink))),
      port_(port ? std::move(port) : own_connection()),
      gate_(std::make_shared<ReplyGate>()),
      problems_(*log_),
      session_(identity, std::move(address), *port_, *log_),
      calls_(inbox_),
      receiver_(session_, inbox_, calls_, problems_,
                [this] { subscriptions_.for_each_pattern([this](const std::string& p) { send_subscribe(p); }); }),
      methods_(
          identity, problems_,
          [this](const std::string& caller, std::uint64_t id, const Result<Value>& r) { answer(caller, id, r); },
          gate_) {
  gate_->rt = this;
}

Runtime::~Runtime() {
  std::lock_guard lock(gate_->mutex);
  gate_->rt = nullptr;
}

void Runtime::check_thread(const char* what) const {
  const auto owner = owner_.load(std::memory_order_relaxed);
  if (owner != std::thread::id{} && owner != std::this_thread::get_id())
    throw Error(std::string(what) + " called from another thread than the agent's; use post()");
}

// ---- joining and leaving ----------------------------------------------------

void Runtime::connect(std::chrono::milliseconds timeout) {
  adopt_thread();
  // A platform listens on TCP with CURVE only: without keys the handshake
  // never completes, and the wait would end in a misleading timeout. (A
  // hosted agent speaks through its container's connection, keyed already.)
  if (session_.address().starts_with("tcp://") && !session_.has_curve() && !session_.port().hosted())
    throw Error("the platform at " + session_.address() +
                " is on TCP, which needs its public key (server_key; --server-key for watt; `watt keys` on the "
                "platform's machine shows it) and a key file of this peer's (watt keys create NAME)");
  session_.open();
  wait_for([&] { return session_.welcomed() || session_.hello_error().has_value(); }, Clock::now() + timeout);
  if (session_.welcomed()) return;
  session_.close(0);
  if (const auto& refused = session_.hello_error())
    throw Error("the platform refused '" + identity() + "': " + refused->what());
  throw Error("no answer from the platform at " + session_.address() + " within " + std::to_string(timeout.count()) +
              " ms; is it running? (watt platform start)");
}

void Runtime::leave() {
  if (!session_.is_open()) return;
  if (session_.welcomed()) {
    // A caller still waiting on a deferred reply hears now, not at its timeout.
    methods_.close_all(RpcError{ErrorCode::shutting_down, "'" + identity() + "' is stopping"});
    // Nothing published is lost at a stop: what waited for the pause to end
    // goes now (a lossless subscriber's backlog takes it).
    release_held(true);
    if (!sync(std::chrono::milliseconds(5000)))
      log_->warn("the broker did not confirm it took every message before we left");
    // Waited for (briefly): a goodbye lost as the socket closes would leave
    // the broker believing in us until its next liveness probe.
    (void)wait_call(ask_broker(proto::Kind::bye, Clock::now() + std::chrono::milliseconds(1000)));
  }
  session_.close(1000);
}

std::uint64_t Runtime::ask_broker(proto::Kind kind, Clock::time_point deadline) {
  proto::Header h;
  h.id = session_.next_id();
  calls_.open(h.id, deadline, std::string(broker_identity));
  session_.send(kind, {}, h);
  return h.id;
}

bool Runtime::sync(std::chrono::milliseconds timeout) {
  check_thread("sync()");
  if (!session_.ready()) return false;
  const auto deadline = Clock::now() + timeout;
  // What waits for a pause to end was sent too, as far as the agent knows:
  // it goes out first (poll_once releases it once the pause is over).
  if (!held_.empty() && !wait_for([&] { return held_.empty() || stop_requested(); }, deadline)) return false;
  return wait_call(ask_broker(proto::Kind::sync, deadline)).ok();
}

Result<std::vector<PeerInfo>> Runtime::peers(std::chrono::milliseconds timeout) {
  check_thread("peers()");
  if (!session_.ready()) return RpcError{ErrorCode::not_registered, "not connected"};
  auto r = wait_call(ask_broker(proto::Kind::peers, Clock::now() + timeout));
  if (!r) return r.error();
  try {
    return r.value().as<std::vector<PeerInfo>>();
  } catch (const Error& e) {
    return RpcError{ErrorCode::bad_frame, e.what()};
  }
}

// ---- subscriptions and publishing -------------------------------------------

void Runtime::send_subscribe(const std::string& pattern) {
  if (!session_.ready()) return;
  proto::Header h;
  h.id = session_.next_id();
  h.lossless = subscriptions_.lossless(pattern);
  session_.send(proto::Kind::subscribe, pattern.empty() ? std::string_view("#") : pattern, h);
}

void Runtime::tell_broker(const LocalSubscriptions::Update& update) {
  using Change = LocalSubscriptions::Change;
  if (update.change == Change::subscribe) {
    send_subscribe(update.pattern);
  } else if (update.change == Change::unsubscribe && session_.ready()) {
    proto::Header h;
    h.id = session_.next_id();
    session_.send(proto::Kind::unsubscribe, update.pattern.empty() ? std::string_view("#") : update.pattern, h);
  }
}

SubscriptionId Runtime::subscribe(std::string_view pattern, std::function<void(const Envelope&)> cb,
                                  SubscribeOptions o) {
  check_thread("subscribe()");
  LocalSubscriptions::Update update;
  const auto id = subscriptions_.add(pattern, std::move(cb), o.delivery == Delivery::lossless, update);
  tell_broker(update);
  return id;
}

void Runtime::unsubscribe(SubscriptionId id) {
  check_thread("unsubscribe()");
  tell_broker(subscriptions_.remove(id));
}

void Runtime::publish(std::string_view topic, const Value& body, const PublishOptions& o, bool paced) {
  check_thread("publish()");
  if (auto err = topic_error(topic); !err.empty()) throw Error("publish: " + err);
  if (o.priority > 100) throw Error("publish: priority must be 0..100, got " + std::to_string(o.priority));
  if (session_.rejoining()) {
    problems_.report("disconnected", "dropped messages published while the platform was unreachable");
    return;
  }
  if (!session_.ready()) throw Error("publish: '" + identity() + "' is not connected to the platform");
  // A publisher in a tight loop never reaches the poll: look for the broker's
  // flow control now and then, so a request to slow down is seen promptly.
  if ((++publishes_ & 63) == 0 && inbox_.size() < Inbox::read_ahead_limit) receiver_.read_available();
  const std::int64_t ts = now_ns();
  const std::int64_t dl = o.max_delay.count() > 0 ? ts + o.max_delay.count() : 0;
  if (paced) release_held();
  if (!paced || (!session_.paused() && held_.empty())) {
    send_publish(topic, ts, dl, o.priority, o.content_type, body.bytes());
    return;
  }
  // Paused: held, in order, while there is room; past it, the agent waits.
  while (held_.full() && session_.paused() && !stop_requested()) {
    if (!wait_for([&] { return !session_.paused() || stop_requested(); }, Clock::now() + std::chrono::seconds(5)))
      log_->warn("still held back: " + session_.pause_reason());
  }
  held_.hold({std::string(topic), ts, dl, o.priority, o.content_type, std::string(body.bytes())});
  release_held();
}

void Runtime::send_publish(std::string_view topic, std::int64_t ts, std::int64_t dl, std::uint8_t pri,
                           std::string_view ct, std::string_view body) {
  proto::Header h;
  h.id = session_.next_id();
  h.ts = ts;
  h.pri = pri;
  h.dl = dl;
  h.ct = ct;
  session_.send(proto::Kind::publish, topic, h, body);
}

void Runtime::release_held(bool even_if_paused) {
  if (held_.empty() || (session_.paused() && !even_if_paused) || !session_.ready()) return;
  held_.release([this](const HeldPublishes::Held& m) { send_publish(m.topic, m.ts, m.dl, m.pri, m.ct, m.body); });
}

// ---- calls and methods ------------------------------------------------------

std::uint64_t Runtime::start_call(const CallOptions& o, std::string_view peer, std::string_view method,
                                  const Value& args) {
  check_thread("call()");
  if (peer.empty() || method.empty()) throw Error("call: peer and method must not be empty");
  const auto id = session_.next_id();
  calls_.open(id, Clock::now() + o.timeout, std::string(peer));
  if (session_.rejoining()) {
    calls_.resolve(id, RpcError{ErrorCode::disconnected, "the platform is unreachable; reconnecting"});
    return id;
  }
  if (!session_.ready()) throw Error("call: '" + identity() + "' is not connected to the platform");
  proto::Header h;
  h.id = id;
  h.ts = now_ns();
  h.pri = o.priority;
  h.dl = h.ts + std::chrono::duration_cast<std::chrono::nanoseconds>(o.timeout).count();
  h.method = method;
  session_.send(proto::Kind::request, peer, h, args.bytes());
  return id;
}

Result<Value> Runtime::wait_call(std::uint64_t id) {
  check_thread("Call::get()");
  const auto deadline = calls_.deadline(id);
  if (!deadline) return RpcError{ErrorCode::internal, "call was already consumed"};
  wait_for([&] { return calls_.answered(id); }, *deadline);
  return calls_.take(id);
}

void Runtime::export_method(std::string name, std::function<Value(const Value&)> fn, bool internal) {
  check_thread("export_method()");
  methods_.add(std::move(name), std::move(fn), internal);
}

void Runtime::export_deferred(std::string name, std::function<void(const Value&, Reply)> fn) {
  check_thread("export_deferred()");
  methods_.add_deferred(std::move(name), std::move(fn));
}

void Runtime::serve_remote_calls(std::function<void(const RemoteCall&, Reply)> fn) {
  check_thread("serve_remote_calls()");
  methods_.set_remote(std::move(fn));
}

void Runtime::answer(const std::string& caller, std::uint64_t id, const Result<Value>& result) {
  if (!session_.is_open()) return;
  proto::Header h;
  h.id = id;
  if (result.ok()) {
    session_.send(proto::Kind::response, caller, h, result.value().bytes());
    return;
  }
  h.code = to_string(result.error().code);
  h.message = result.error().message;
  session_.send(proto::Kind::error, caller, h);
}

void Runtime::complete_reply(std::shared_ptr<ReplyState> state, Result<Value> result, bool dropped) {
  const auto gate = state->gate;
  std::lock_guard lock(gate->mutex);  // the runtime is not destroyed meanwhile
  Runtime* rt = gate->rt;
  if (rt == nullptr) return;
  if (rt->owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    rt->methods_.finish(*state, std::move(result), dropped);
    return;
  }
  rt->post([rt, state = std::move(state), result = std::move(result), dropped]() mutable {
    rt->methods_.finish(*state, std::move(result), dropped);
  });
}

// ---- timers and posted work -------------------------------------------------

TimerId Runtime::add_timer(Clock::duration first, Clock::duration period, std::function<void()> fn) {
  check_thread("every()/after()");
  return timers_.add(first, period, std::move(fn));
}

void Runtime::request_stop() noexcept {
  stop_.store(true);
  port_->wake();  // async-signal-safe for a port of its own
}

void Runtime::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  port_->wake();
}

void Runtime::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) {
    try {
      fn();
    } catch (const std::exception& e) {
      problems_.report("posted", std::string("a posted function threw: ") + e.what());
    }
  }
}

// ---- the inbox --------------------------------------------------------------

void Runtime::handle_item(InboxItem& item) {
  if (auto* d = std::get_if<PendingDelivery>(&item))
    deliver(*d);
  else if (auto* r = std::get_if<IncomingRequest>(&item))
    methods_.serve(*r);
  else
    calls_.complete(std::get<Completion>(item).call_id, problems_);
}

const TopicTally& Runtime::missed_deadlines() const {
  check_thread("missed_deadlines()");
  return missed_;
}

void Runtime::deliver(const PendingDelivery& d) {
  if (d.dl != 0 && now_ns() > d.dl) {
    missed_.add(d.in.parts().address);
    problems_.report("expired", "dropped messages that passed their deadline before they could be handled");
    return;
  }
  Envelope& e = current_;
  // A stream of messages mostly repeats its topic, sender and content type:
  // the envelope's strings are rewritten only when they change.
  auto set = [](std::string& field, std::string_view value) {
    if (field.size() != value.size() || std::char_traits<char>::compare(field.data(), value.data(), value.size()) != 0)
      field.assign(value);
  };
  const auto parts = d.in.parts();
  set(e.topic, parts.address);
  set(e.sender, parts.origin);
  e.id = d.id;
  e.timestamp_ns = d.ts;
  e.priority = d.pri;
  e.deadline_ns = d.dl;
  set(e.content_type, {parts.base + d.ct_at, d.ct_len});
  e.body.assign_unchecked(parts.body);
  subscriptions_.deliver(e, problems_);
}

// ---- the loop ---------------------------------------------------------------

void Runtime::poll_once(Clock::time_point deadline) {
  if (!session_.is_open()) return;
  port_->wait(deadline);
  take_link_events();
  receiver_.read_available();
  release_held();
}

void Runtime::take_link_events() {
  for (auto e = port_->next_event(); e != LinkEvent::none; e = port_->next_event()) session_.on_link(e);
}

void Runtime::do_one_round(Clock::time_point wait_until, const std::function<bool()>& done) {
  run_posted();
  timers_.run_due();
  calls_.expire(Clock::now());
  inbox_.dispatch([this](InboxItem& item) { handle_item(item); }, stop_);
  // A callback of this round may have been what a spin waits for: polling
  // now would hold its caller until the next message or the poll's cap.
  if (stop_requested() || (done && done())) return;
  auto deadline = std::min(wait_until, timers_.next_due());
  if (const auto next_call = calls_.next_deadline()) deadline = std::min(deadline, *next_call);
  if (!inbox_.empty()) deadline = Clock::now();
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) deadline = Clock::now();
  }
  poll_once(deadline);
}

Clock::time_point Runtime::turn() {
  adopt_thread();
  bool more = false;  // left on the port: a container's agent is woken only by what arrives next
  if (session_.is_open()) {
    take_link_events();
    more = receiver_.read_available();
    release_held();
  }
  run_posted();
  timers_.run_due();
  calls_.expire(Clock::now());
  inbox_.dispatch([this](InboxItem& item) { handle_item(item); }, stop_);
  if (stop_requested()) return Clock::now();
  {
    std::lock_guard lock(posted_mutex_);
    if (more || !posted_.empty() || !inbox_.empty()) return Clock::now();
  }
  auto next = timers_.next_due();
  if (const auto call = calls_.next_deadline()) next = std::min(next, *call);
  return next;
}

void Runtime::run_loop() {
  check_thread("run()");
  while (!stop_requested()) do_one_round(Clock::time_point::max());
}

bool Runtime::spin_until(const std::function<bool()>& done, Clock::time_point deadline) {
  check_thread("spin");
  while (!(done && done()) && !stop_requested()) {
    if (Clock::now() >= deadline) break;
    do_one_round(deadline, done);
  }
  return done && done();
}

bool Runtime::wait_for(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    calls_.expire(now);
    if (done()) return true;
    auto until = deadline;
    if (const auto next_call = calls_.next_deadline()) until = std::min(until, *next_call);
    poll_once(until);
  }
  return true;
}

}  // namespace watt::detail
