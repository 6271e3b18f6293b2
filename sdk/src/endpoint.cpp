// Endpoint and Call: the public bus API, forwarded to the runtime.
#include "runtime.hpp"

#include <watt/call.hpp>
#include <watt/endpoint.hpp>

namespace watt {

const std::string& Endpoint::identity() const { return rt_->identity(); }

SubscriptionId Endpoint::subscribe(std::string_view pattern, std::function<void(const Envelope&)> callback,
                                   SubscribeOptions options) {
  return rt_->subscribe(pattern, std::move(callback), options);
}
void Endpoint::unsubscribe(SubscriptionId id) { rt_->unsubscribe(id); }

void Endpoint::publish_value(std::string_view topic, const Value& body, const PublishOptions& options) {
  rt_->publish(topic, body, options);
}

Call Endpoint::call_value(const CallOptions& options, std::string_view peer, std::string_view method,
                          const Value& args) {
  return Call(rt_, rt_->start_call(options, peer, method, args));
}

void Endpoint::export_raw(std::string name, std::function<Value(const Value&)> handler) {
  rt_->export_method(std::move(name), std::move(handler));
}
void Endpoint::export_deferred_raw(std::string name, std::function<void(const Value&, Reply)> handler) {
  rt_->export_deferred(std::move(name), std::move(handler));
}
const std::string& Endpoint::caller() const { return rt_->caller(); }
void Endpoint::serve_remote_calls(std::function<void(const RemoteCall&, Reply)> handler) {
  rt_->serve_remote_calls(std::move(handler));
}

TimerId Endpoint::every(std::chrono::nanoseconds period, std::function<void()> callback) {
  if (period.count() <= 0) throw Error("every: the period must be positive");
  return rt_->add_timer(period, period, std::move(callback));
}
TimerId Endpoint::after(std::chrono::nanoseconds delay, std::function<void()> callback) {
  return rt_->add_timer(delay, detail::Clock::duration::zero(), std::move(callback));
}
void Endpoint::cancel(TimerId id) { rt_->cancel_timer(id); }
void Endpoint::post(std::function<void()> fn) { rt_->post(std::move(fn)); }
bool Endpoint::sync(std::chrono::milliseconds timeout) { return rt_->sync(timeout); }
std::vector<RpcError> Endpoint::refusals() { return rt_->take_refusals(); }
std::map<std::string, std::uint64_t> Endpoint::missed_deadlines() const {
  const auto& counts = rt_->missed_deadlines().counts();
  return {counts.begin(), counts.end()};
}
Result<std::vector<PeerInfo>> Endpoint::peers(std::chrono::milliseconds timeout) { return rt_->peers(timeout); }
spdlog::logger& Endpoint::log() { return rt_->log(); }

Call& Call::operator=(Call&& o) noexcept {
  if (this != &o) {
    if (rt_) rt_->abandon_call(id_);
    rt_ = o.rt_;
    id_ = o.id_;
    o.rt_ = nullptr;
  }
  return *this;
}

Call::~Call() {
  if (rt_) rt_->abandon_call(id_);
}

Result<Value> Call::get() {
  if (!rt_) return RpcError{ErrorCode::internal, "call was already consumed"};
  auto* rt = std::exchange(rt_, nullptr);
  return rt->wait_call(id_);
}

void Call::then(std::function<void(Result<Value>)> fn) {
  if (!rt_) throw Error("then: the call was already consumed");
  std::exchange(rt_, nullptr)->then_call(id_, std::move(fn));
}

}  // namespace watt
