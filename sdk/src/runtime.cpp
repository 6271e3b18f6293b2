// The runtime's connection, loop and message handling.
#include "runtime.hpp"

#include <watt/keys.hpp>
#include <watt/proto/clock.hpp>
#include <watt/topic.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace watt::detail {

using proto::now_ns;

CurveKeys curve_keys(const std::string& server_key, const std::string& key_file) {
  if (server_key.size() != 40) throw Error("the server key must be the platform's 40-character public key");
  if (key_file.empty()) throw Error("a key file is needed to connect with a server key (watt keys create NAME)");
  const auto pair = read_key_file(key_file);
  return {server_key, pair.public_key, pair.secret_key};
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::sink_ptr sink) {
  static auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(name, sink ? std::move(sink) : console);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  // Read while the runtime is built, before any thread of ours runs.
  if (const char* level = std::getenv("WATT_LOG_LEVEL"))  // NOLINT(concurrency-mt-unsafe)
    logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

Runtime::Runtime(std::string identity, std::string address, spdlog::sink_ptr log_sink)
    : identity_(std::move(identity)), address_(std::move(address)), log_(make_logger(identity_, std::move(log_sink))) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw Error("eventfd failed: " + std::system_category().message(errno));
  gate_ = std::make_shared<ReplyGate>();
  gate_->rt = this;
}

Runtime::~Runtime() {
  {
    std::lock_guard lock(gate_->mutex);
    gate_->rt = nullptr;
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Runtime::check_thread(const char* what) const {
  if (owner_ != std::thread::id{} && owner_ != std::this_thread::get_id())
    throw Error(std::string(what) + " called from another thread than the agent's; use post()");
}

void Runtime::problem(const std::string& kind, const std::string& text) {
  if (problems_.count(kind)) log_->warn("{} (seen {} times)", text, problems_.total(kind));
}

void Runtime::connect(std::chrono::milliseconds timeout) {
  owner_ = std::this_thread::get_id();
  conn_ = std::make_unique<Connection>(address_, identity_, curve_ ? &*curve_ : nullptr);
  send_hello();
  wait_for([&] { return welcomed_ || hello_error_.has_value(); }, Clock::now() + timeout);
  if (!welcomed_) {
    conn_->set_linger(0);
    conn_.reset();
    if (hello_error_) throw Error("the platform refused '" + identity_ + "': " + hello_error_->what());
    throw Error("no answer from the platform at " + address_ + " within " + std::to_string(timeout.count()) +
                " ms; is it running? (watt platform start)");
  }
}

void Runtime::send_hello() {
  proto::Header h;
  h.id = hello_id_ = ++next_id_;
  h.protocol = proto::version;
  h.pid = static_cast<std::uint64_t>(::getpid());
  h.batch = true;  // what waits for us at the broker may come several to a frame
  conn_->send(proto::Kind::hello, identity_, proto::encode_header(h), {});
}

void Runtime::on_link(LinkEvent event) {
  if (event == LinkEvent::disconnected && welcomed_) {
    welcomed_ = false;
    rejoining_ = true;
    paused_ = false;  // a new broker knows nothing of the old one's flow control
    log_->warn("lost the platform at {}; reconnecting", address_);
  } else if (event == LinkEvent::connected && rejoining_) {
    send_hello();
  } else if (event == LinkEvent::auth_failed && !welcomed_ && !hello_error_) {
    hello_error_ = RpcError{ErrorCode::unauthorized, "the platform does not know this key (is it on its allow-list?)"};
  }
}

void Runtime::leave() {
  if (!conn_) return;
  if (welcomed_) {
    // A caller still waiting on a deferred reply hears now, not at its timeout.
    auto open = std::move(open_replies_);
    open_replies_.clear();
    for (auto& [key, weak] : open)
      if (auto state = weak.lock())
        finish_reply(*state, RpcError{ErrorCode::shutting_down, "'" + identity_ + "' is stopping"}, false);
    if (!sync(std::chrono::milliseconds(5000)))
      log_->warn("the broker did not confirm it took every message before we left");
    // Waited for (briefly): a goodbye lost as the socket closes would leave
    // the broker believing in us until its next liveness probe.
    const auto id = pending(Clock::now() + std::chrono::milliseconds(1000));
    proto::Header h;
    h.id = id;
    conn_->send(proto::Kind::bye, {}, proto::encode_header(h), {});
    (void)wait_call(id);
  }
  conn_->set_linger(1000);
  conn_.reset();
  welcomed_ = false;
}

void Runtime::request_stop() noexcept {
  stop_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);  // async-signal-safe wake-up
}

void Runtime::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
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
      problem("posted", std::string("a posted function threw: ") + e.what());
    }
  }
}

// ---- subscriptions and publishing -------------------------------------------------

void Runtime::send_subscribe(const std::string& pattern) {
  if (!conn_ || !welcomed_) return;
  proto::Header h;
  h.id = ++next_id_;
  h.lossless = patterns_[pattern].second > 0;
  conn_->send(proto::Kind::subscribe, pattern.empty() ? std::string_view("#") : pattern, proto::encode_header(h), {});
}

SubscriptionId Runtime::subscribe(std::string_view pattern, std::function<void(const Envelope&)> cb,
                                  SubscribeOptions o) {
  check_thread("subscribe()");
  if (auto err = pattern_error(pattern); !err.empty()) throw Error("subscribe: " + err);
  const std::string norm(normalize_pattern(pattern));
  const bool lossless = o.delivery == Delivery::lossless;
  const auto id = ++next_sub_;
  subs_.emplace(id, LocalSub{norm, std::move(cb), lossless});
  index_.insert(norm, id, lossless);
  auto& [count, lossless_count] = patterns_[norm];
  const bool changed = count == 0 || (lossless && lossless_count == 0);
  ++count;
  lossless_count += lossless;
  if (changed) send_subscribe(norm);
  return id;
}

void Runtime::unsubscribe(SubscriptionId id) {
  check_thread("unsubscribe()");
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  const std::string pattern = it->second.pattern;
  const bool was_lossless = it->second.lossless;
  index_.erase(pattern, id);
  subs_.erase(it);
  auto& [count, lossless_count] = patterns_[pattern];
  --count;
  lossless_count -= was_lossless;
  if (count == 0) {
    patterns_.erase(pattern);
    if (conn_ && welcomed_) {
      proto::Header h;
      h.id = ++next_id_;
      conn_->send(proto::Kind::unsubscribe, pattern.empty() ? std::string_view("#") : pattern, proto::encode_header(h),
                  {});
    }
  } else if (was_lossless && lossless_count == 0) {
    send_subscribe(pattern);  // the remaining subscriptions are best effort
  }
}

void Runtime::publish(std::string_view topic, const Value& body, const PublishOptions& o) {
  check_thread("publish()");
  if (auto err = topic_error(topic); !err.empty()) throw Error("publish: " + err);
  if (o.priority > 100) throw Error("publish: priority must be 0..100, got " + std::to_string(o.priority));
  if (rejoining_) {
    problem("disconnected", "dropped messages published while the platform was unreachable");
    return;
  }
  if (!conn_ || !welcomed_) throw Error("publish: '" + identity_ + "' is not connected to the platform");
  // A publisher in a tight loop never reaches the poll: look for the broker's
  // flow control now and then, so a request to slow down is seen promptly.
  if ((++publishes_ & 63) == 0 && inbox_size_ < max_inbox_) read_available();
  if (paused_) {
    while (paused_ && !stop_requested()) {
      if (!wait_for([&] { return !paused_ || stop_requested(); }, Clock::now() + std::chrono::seconds(5)))
        log_->warn("still held back: {}", pause_reason_);
    }
  }
  proto::Header h;
  h.id = ++next_id_;
  h.ts = now_ns();
  h.pri = o.priority;
  if (o.max_delay.count() > 0) h.dl = h.ts + o.max_delay.count();
  h.ct = o.content_type;
  proto::encode_header(h, header_buf_);
  conn_->send(proto::Kind::publish, topic, header_buf_, body.bytes());
}

// ---- calls ------------------------------------------------------------------------

std::uint64_t Runtime::pending(Clock::time_point deadline) {
  const auto id = ++next_id_;
  calls_.emplace(id, PendingCall{deadline, std::nullopt, {}, call_deadlines_.emplace(deadline, id), true});
  return id;
}

void Runtime::disarm(PendingCall& c) {
  if (c.armed) {
    call_deadlines_.erase(c.expiry);
    c.armed = false;
  }
}

std::uint64_t Runtime::start_call(const CallOptions& o, std::string_view peer, std::string_view method,
                                  const Value& args) {
  check_thread("call()");
  if (peer.empty() || method.empty()) throw Error("call: peer and method must not be empty");
  const auto id = pending(Clock::now() + o.timeout);
  if (rejoining_) {
    resolve(id, RpcError{ErrorCode::disconnected, "the platform is unreachable; reconnecting"});
    return id;
  }
  if (!conn_ || !welcomed_) throw Error("call: '" + identity_ + "' is not connected to the platform");
  proto::Header h;
  h.id = id;
  h.ts = now_ns();
  h.pri = o.priority;
  h.dl = h.ts + std::chrono::duration_cast<std::chrono::nanoseconds>(o.timeout).count();
  h.method = method;
  conn_->send(proto::Kind::request, peer, proto::encode_header(h), args.bytes());
  return id;
}

void Runtime::resolve(std::uint64_t id, Result<Value> result) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.result) return;  // abandoned, or already timed out
  disarm(it->second);
  it->second.result.emplace(std::move(result));
  if (it->second.then) enqueue(0, Completion{id});
}

Result<Value> Runtime::wait_call(std::uint64_t id) {
  check_thread("Call::get()");
  auto it = calls_.find(id);
  if (it == calls_.end()) return RpcError{ErrorCode::internal, "call was already consumed"};
  const auto deadline = it->second.deadline;
  wait_for([&] { return calls_.at(id).result.has_value(); }, deadline);
  disarm(calls_.at(id));
  auto node = calls_.extract(id);
  if (!node.mapped().result) return RpcError{ErrorCode::timeout, "no answer within the call's timeout"};
  return std::move(*node.mapped().result);
}

void Runtime::then_call(std::uint64_t id, std::function<void(Result<Value>)> fn) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  it->second.then = std::move(fn);
  if (it->second.result) enqueue(0, Completion{id});
}

void Runtime::abandon_call(std::uint64_t id) noexcept {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  disarm(it->second);
  calls_.erase(it);
}

void Runtime::expire_calls() {
  const auto now = Clock::now();
  while (!call_deadlines_.empty() && call_deadlines_.begin()->first <= now) {
    const auto id = call_deadlines_.begin()->second;
    if (!calls_.contains(id)) {
      call_deadlines_.erase(call_deadlines_.begin());  // cannot happen: every exit disarms
      continue;
    }
    resolve(id, RpcError{ErrorCode::timeout, "no answer within the call's timeout"});  // disarms
  }
}

void Runtime::check_method_name(const std::string& name, bool internal) const {
  if (name.empty()) throw Error("export_method: the method name must not be empty");
  if (!internal && name.rfind("watt.", 0) == 0)
    throw Error("export_method: names starting with 'watt.' are reserved for the SDK ('" + name + "')");
}

void Runtime::export_method(std::string name, std::function<Value(const Value&)> fn, bool internal) {
  check_thread("export_method()");
  check_method_name(name, internal);
  methods_[std::move(name)] = Method{std::move(fn), nullptr};
}

void Runtime::export_deferred(std::string name, std::function<void(const Value&, Reply)> fn) {
  check_thread("export_deferred()");
  check_method_name(name, false);
  methods_[std::move(name)] = Method{nullptr, std::move(fn)};
}

bool Runtime::sync(std::chrono::milliseconds timeout) {
  check_thread("sync()");
  if (!conn_ || !welcomed_) return false;
  const auto id = pending(Clock::now() + timeout);
  proto::Header h;
  h.id = id;
  conn_->send(proto::Kind::sync, {}, proto::encode_header(h), {});
  return wait_call(id).ok();
}

Result<std::vector<PeerInfo>> Runtime::peers(std::chrono::milliseconds timeout) {
  check_thread("peers()");
  if (!conn_ || !welcomed_) return RpcError{ErrorCode::not_registered, "not connected"};
  const auto id = pending(Clock::now() + timeout);
  proto::Header h;
  h.id = id;
  conn_->send(proto::Kind::peers, {}, proto::encode_header(h), {});
  auto r = wait_call(id);
  if (!r) return r.error();
  try {
    return r.value().as<std::vector<PeerInfo>>();
  } catch (const Error& e) {
    return RpcError{ErrorCode::bad_frame, e.what()};
  }
}

TimerId Runtime::add_timer(Clock::duration first, Clock::duration period, std::function<void()> fn) {
  check_thread("every()/after()");
  return timers_.add(first, period, std::move(fn));
}

// ---- receiving ------------------------------------------------------------------

void Runtime::enqueue(std::uint8_t pri, InboxItem msg) {
  inbox_[std::min<std::uint8_t>(pri, 100)].push_back(std::move(msg));
  ++inbox_size_;
}

void Runtime::poll_once(Clock::time_point deadline) {
  if (!conn_) return;
  const auto now = Clock::now();
  auto wait =
      deadline <= now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
  wait = std::min(wait, std::chrono::milliseconds(1000));
  zmq::pollitem_t items[] = {{conn_->socket().handle(), 0, ZMQ_POLLIN, 0},
                             {nullptr, wake_fd_, ZMQ_POLLIN, 0},
                             {conn_->monitor().handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 3, wait);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return;  // a signal: the loop re-checks stop_ and comes back
  }
  if (items[1].revents & ZMQ_POLLIN) {
    std::uint64_t n;
    [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
  }
  if (items[2].revents & ZMQ_POLLIN) {
    for (auto e = conn_->next_event(); e != LinkEvent::none; e = conn_->next_event()) on_link(e);
  }
  read_available();
}

void Runtime::read_available() {
  Incoming f;
  std::string error;
  // Bounded so timers and the inbox get their turn under a flood.
  for (int i = 0; i < 4096 && conn_ && conn_->try_receive(f, error); ++i) {
    if (!error.empty()) {
      problem("bad_frame", error);
      continue;
    }
    if (f.kind == proto::Kind::batch)
      handle_batch(f);
    else
      handle(f);
  }
}

void Runtime::handle_batch(Incoming& batch) {
  // Each message shares the batch's bytes (by reference count) and is
  // handled as if it had come alone. A damaged item ends the batch: what
  // follows it cannot be found.
  const char* const base = batch.frame.data<char>();
  std::string_view rest = batch.body_view();
  Incoming one;
  while (!rest.empty()) {
    std::string_view item;
    std::string error = proto::take_batch_item(rest, item);
    if (error.empty()) {
      one.frame.copy(batch.frame);
      error = one.parse(static_cast<std::size_t>(item.data() - base), item.size());
      if (error.empty() && one.kind == proto::Kind::batch) error = "a batch inside a batch";
    }
    if (!error.empty()) {
      problem("bad_frame", "dropped the rest of a batch from the broker: " + error);
      return;
    }
    handle(one);
  }
}

void Runtime::handle(Incoming& f) {
  proto::Header h;
  if (auto err = proto::decode_header(f.header_view(), h); !err.empty()) {
    problem("bad_header",
            std::string("dropped a ") + std::string(proto::kind_name(f.kind)) + " from the broker: " + err);
    return;
  }
  switch (f.kind) {
    case proto::Kind::deliver: {
      // Built in its place in the inbox: the frame is swapped in, not copied.
      auto& d = std::get<PendingDelivery>(
          inbox_[std::min<std::uint8_t>(h.pri, 100)].emplace_back(std::in_place_type<PendingDelivery>));
      ++inbox_size_;
      d.id = h.id;
      d.ts = h.ts;
      d.dl = h.dl;
      d.pri = h.pri;
      d.ct_at = h.ct.empty() ? 0 : static_cast<std::size_t>(h.ct.data() - f.frame.data<char>());
      d.ct_len = h.ct.size();
      d.in = std::move(f);
      break;
    }
    case proto::Kind::request:
      enqueue(h.pri, IncomingRequest{std::string(f.origin_view()), h.id, std::string(h.method), h.dl,
                                     Value::from_msgpack_unchecked(std::string(f.body_view()))});
      break;
    case proto::Kind::response:
    case proto::Kind::peer_list: resolve(h.id, Value::from_msgpack_unchecked(std::string(f.body_view()))); break;
    case proto::Kind::ack: resolve(h.id, Value()); break;
    case proto::Kind::error: {
      RpcError err{error_code_from_string(h.code), std::string(h.message)};
      if (h.id != 0 && h.id == hello_id_ && !welcomed_) {
        if (rejoining_) log_->error("the platform refused us after reconnecting: {}", err.what());
        hello_error_ = err;
      } else if (h.id != 0 && calls_.contains(h.id)) {
        resolve(h.id, std::move(err));
      } else {
        problem(std::string(h.code), "the broker reported " + err.what());
      }
      break;
    }
    case proto::Kind::welcome:
      if (h.id != hello_id_) break;
      welcomed_ = true;
      // Subscriptions live in the broker: a new one (after a restart) is told
      // them again. Exported methods need nothing: they live here.
      for (const auto& [pattern, counts] : patterns_) send_subscribe(pattern);
      if (rejoining_) {
        rejoining_ = false;
        log_->info("reconnected to the platform");
      }
      break;
    case proto::Kind::ping: {
      proto::Header pong;
      pong.id = h.id;
      conn_->send(proto::Kind::pong, {}, proto::encode_header(pong), {});
      break;
    }
    case proto::Kind::flow:
      if (h.paused && !paused_) log_->warn("publishing held back: {}", h.message);
      if (!h.paused && paused_) log_->info("publishing resumed");
      paused_ = h.paused;
      pause_reason_.assign(h.message);
      break;
    default:
      problem("unexpected_kind", "ignored an unexpected " + std::string(proto::kind_name(f.kind)) + " from the broker");
  }
}

void Runtime::dispatch_inbox() {
  // Only what is here now, most urgent first: what arrives meanwhile (in a
  // nested wait) waits for the next round, after timers. The batch's memory
  // is kept for the next round (a nested round finds none and makes its own),
  // so a steady stream of messages does not regrow the buckets each time.
  std::vector<InboxItem> batch = std::move(spare_);
  struct KeepSpare {
    std::vector<InboxItem>& from;
    std::vector<InboxItem>& to;
    ~KeepSpare() {
      if (from.empty() && from.capacity() > to.capacity()) to.swap(from);
    }
  } keep{batch, spare_};
  for (auto& bucket : inbox_) {
    if (inbox_size_ == 0 || stop_requested()) return;
    if (bucket.empty()) continue;
    batch.swap(bucket);
    inbox_size_ -= batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (stop_requested()) {
        // Put back what was not handled, ahead of anything newer.
        bucket.insert(bucket.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(i)),
                      std::make_move_iterator(batch.end()));
        inbox_size_ += batch.size() - i;
        return;
      }
      handle_item(batch[i]);
    }
    batch.clear();
  }
}

void Runtime::handle_item(InboxItem& item) {
  if (auto* d = std::get_if<PendingDelivery>(&item)) {
    deliver(*d);
  } else if (auto* r = std::get_if<IncomingRequest>(&item)) {
    serve(*r);
  } else {
    const auto id = std::get<Completion>(item).call_id;
    auto node = calls_.extract(id);
    if (node.empty() || !node.mapped().then || !node.mapped().result) return;
    try {
      node.mapped().then(std::move(*node.mapped().result));
    } catch (const std::exception& ex) {
      problem("then", std::string("a call's then() callback threw: ") + ex.what());
    }
  }
}

void Runtime::deliver(const PendingDelivery& d) {
  if (d.dl != 0 && now_ns() > d.dl) {
    problem("expired", "dropped messages that passed their deadline before they could be handled");
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
  // Collect first: a callback may unsubscribe (itself or others), or spin
  // and so deliver (and look up) other messages.
  const auto& matches = index_.match(e.topic);
  SubscriptionId ids[64];
  const std::size_t n = std::min<std::size_t>(matches.size(), 64);
  for (std::size_t i = 0; i < n; ++i) ids[i] = matches[i].first;
  std::vector<SubscriptionId> more;
  for (std::size_t i = n; i < matches.size(); ++i) more.push_back(matches[i].first);
  auto run = [&](SubscriptionId id) {
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    try {
      it->second.cb(e);
    } catch (const std::exception& ex) {
      problem("callback:" + it->second.pattern,
              "subscriber callback for '" + it->second.pattern + "' threw on " + e.topic + ": " + ex.what());
    }
  };
  for (std::size_t i = 0; i < n; ++i) run(ids[i]);
  for (auto id : more) run(id);
}

void Runtime::serve(const IncomingRequest& r) {
  if (r.deadline_ns != 0 && now_ns() > r.deadline_ns) {
    problem("expired_request", "dropped requests whose caller had already timed out");
    return;
  }
  auto it = methods_.find(r.method);
  if (it == methods_.end()) {
    answer(r.caller, r.id,
           RpcError{ErrorCode::unknown_method, "'" + identity_ + "' exports no method '" + r.method + "'"});
    return;
  }
  caller_ = r.caller;
  std::shared_ptr<ReplyState> deferred;
  std::optional<RpcError> failure;
  try {
    if (it->second.deferred) {
      deferred = open_reply(r);
      it->second.deferred(r.args, Reply(deferred));
    } else {
      Result<Value> result = it->second.direct(r.args);
      caller_.clear();
      answer(r.caller, r.id, result);
    }
  } catch (const BadArgs& e) {
    failure = RpcError{ErrorCode::bad_args, r.method + ": " + e.what()};
  } catch (const std::exception& e) {
    failure = RpcError{ErrorCode::handler_threw, e.what()};
  } catch (...) {
    failure = RpcError{ErrorCode::handler_threw, r.method + ": unknown exception"};
  }
  caller_.clear();
  if (deferred) {
    deferred->in_handler = false;
    if (failure && deferred->answered)
      problem("threw_after_reply", r.method + " threw after answering: " + failure->message);
    else if (failure)
      finish_reply(*deferred, std::move(*failure), false);
    else if (deferred->dropped)
      finish_reply(*deferred, Value(), true);
  } else if (failure) {
    answer(r.caller, r.id, *failure);
  }
}

void Runtime::answer(const std::string& caller, std::uint64_t id, const Result<Value>& result) {
  if (!conn_) return;
  proto::Header h;
  h.id = id;
  if (result.ok()) {
    conn_->send(proto::Kind::response, caller, proto::encode_header(h), result.value().bytes());
    return;
  }
  h.code = to_string(result.error().code);
  h.message = result.error().message;
  conn_->send(proto::Kind::error, caller, proto::encode_header(h), {});
}

// ---- deferred replies -------------------------------------------------------------

std::shared_ptr<ReplyState> Runtime::open_reply(const IncomingRequest& r) {
  auto s = std::make_shared<ReplyState>();
  s->gate = gate_;
  s->caller = r.caller;
  s->method = r.method;
  s->request_id = r.id;
  s->key = ++next_reply_;
  open_replies_.emplace(s->key, s);
  return s;
}

void Runtime::complete_reply(std::shared_ptr<ReplyState> state, Result<Value> result, bool dropped) {
  const auto gate = state->gate;
  std::lock_guard lock(gate->mutex);  // the runtime is not destroyed meanwhile
  Runtime* rt = gate->rt;
  if (rt == nullptr) return;
  if (rt->owner_ == std::this_thread::get_id()) {
    rt->finish_reply(*state, std::move(result), dropped);
    return;
  }
  rt->post([rt, state = std::move(state), result = std::move(result), dropped]() mutable {
    rt->finish_reply(*state, std::move(result), dropped);
  });
}

void Runtime::finish_reply(ReplyState& s, Result<Value> result, bool dropped) {
  if (s.answered) return;
  // Dropped inside the handler (it threw, or let its Reply go): serve()
  // decides the answer once the handler is out.
  if (dropped && s.in_handler) {
    s.dropped = true;
    return;
  }
  s.answered = true;
  open_replies_.erase(s.key);
  if (dropped)
    result =
        RpcError{ErrorCode::internal, "'" + identity_ + "' dropped its reply to " + s.method + " without answering"};
  answer(s.caller, s.request_id, result);
}

// ---- loops ----------------------------------------------------------------------

void Runtime::do_one_round(Clock::time_point wait_until, const std::function<bool()>& done) {
  run_posted();
  timers_.run_due();
  expire_calls();
  dispatch_inbox();
  // A callback of this round may have been what a spin waits for: polling
  // now would hold its caller until the next message or the poll's cap.
  if (stop_requested() || (done && done())) return;
  auto deadline = std::min(wait_until, timers_.next_due());
  if (!call_deadlines_.empty()) deadline = std::min(deadline, call_deadlines_.begin()->first);
  if (inbox_size_ > 0) deadline = Clock::now();
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) deadline = Clock::now();
  }
  poll_once(deadline);
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
    expire_calls();
    if (done()) return true;
    auto until = deadline;
    if (!call_deadlines_.empty()) until = std::min(until, call_deadlines_.begin()->first);
    poll_once(until);
  }
  return true;
}

}  // namespace watt::detail
