#include "methods.hpp"

#include <watt/endpoint.hpp>
#include <watt/proto/clock.hpp>

#include <optional>

namespace watt::detail {

Methods::Methods(std::string identity, Problems& problems, Answer answer, std::shared_ptr<ReplyGate> gate)
    : identity_(std::move(identity)), problems_(problems), answer_(std::move(answer)), gate_(std::move(gate)) {}

void Methods::check_name(const std::string& name, bool internal) const {
  if (name.empty()) throw Error("export_method: the method name must not be empty");
  if (!internal && name.rfind("watt.", 0) == 0)
    throw Error("export_method: names starting with 'watt.' are reserved for the SDK ('" + name + "')");
}

void Methods::add(std::string name, std::function<Value(const Value&)> fn, bool internal) {
  check_name(name, internal);
  methods_[std::move(name)] = Method{std::move(fn), nullptr};
}

void Methods::add_deferred(std::string name, std::function<void(const Value&, Reply)> fn) {
  check_name(name, false);
  methods_[std::move(name)] = Method{nullptr, std::move(fn)};
}

void Methods::serve(const IncomingRequest& r) {
  if (r.deadline_ns != 0 && proto::now_ns() > r.deadline_ns) {
    problems_.report("expired_request", "dropped requests whose caller had already timed out");
    return;
  }
  if (!r.address.empty()) {
    // Another platform's agent: only a gateway that serves them answers, and
    // never with its own methods.
    if (remote_)
      serve_remote(r);
    else
      answer_(r.caller, r.id,
              RpcError{ErrorCode::unknown_peer,
                       "'" + identity_ + "' serves no calls to other platforms ('" + r.address + "')"});
    return;
  }
  auto it = methods_.find(r.method);
  if (it == methods_.end()) {
    answer_(r.caller, r.id,
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
      answer_(r.caller, r.id, result);
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
      problems_.report("threw_after_reply", r.method + " threw after answering: " + failure->message);
    else if (failure)
      finish(*deferred, std::move(*failure), false);
    else if (deferred->dropped)
      finish(*deferred, Value(), true);
  } else if (failure) {
    answer_(r.caller, r.id, *failure);
  }
}

void Methods::serve_remote(const IncomingRequest& r) {
  auto deferred = open_reply(r);
  try {
    remote_(RemoteCall{r.address, r.method, r.args, r.caller, r.deadline_ns}, Reply(deferred));
  } catch (const std::exception& e) {
    deferred->in_handler = false;
    finish(*deferred, RpcError{ErrorCode::handler_threw, e.what()}, false);
    return;
  }
  deferred->in_handler = false;
  if (deferred->dropped) finish(*deferred, Value(), true);
}

std::shared_ptr<ReplyState> Methods::open_reply(const IncomingRequest& r) {
  auto s = std::make_shared<ReplyState>();
  s->gate = gate_;
  s->caller = r.caller;
  s->method = r.method;
  s->request_id = r.id;
  s->key = ++next_reply_;
  open_.emplace(s->key, s);
  return s;
}

void Methods::finish(ReplyState& s, Result<Value> result, bool dropped) {
  if (s.answered) return;
  // Dropped inside the handler (it threw, or let its Reply go): serve()
  // decides the answer once the handler is out.
  if (dropped && s.in_handler) {
    s.dropped = true;
    return;
  }
  s.answered = true;
  open_.erase(s.key);
  if (dropped)
    result =
        RpcError{ErrorCode::internal, "'" + identity_ + "' dropped its reply to " + s.method + " without answering"};
  answer_(s.caller, s.request_id, result);
}

void Methods::close_all(const RpcError& error) {
  auto open = std::move(open_);
  open_.clear();
  for (auto& [key, weak] : open)
    if (auto state = weak.lock()) finish(*state, error, false);
}

}  // namespace watt::detail
