// The methods this peer exports, and the serving of requests for them:
// direct methods answer when they return; deferred ones get a watt::Reply to
// complete later, from any thread. Replies still open when the peer leaves
// are answered shutting_down.
#pragma once

#include "inbox.hpp"
#include "problems.hpp"
#include "reply_state.hpp"

#include <watt/endpoint.hpp>
#include <watt/error.hpp>
#include <watt/reply.hpp>
#include <watt/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace watt::detail {

class Methods {
public:
  // How an answer goes back to its caller.
  using Answer = std::function<void(const std::string& caller, std::uint64_t id, const Result<Value>& result)>;

  Methods(std::string identity, Problems& problems, Answer answer, std::shared_ptr<ReplyGate> gate);

  // `internal` allows the reserved "watt." names the SDK itself exports.
  void add(std::string name, std::function<Value(const Value&)> fn, bool internal = false);
  void add_deferred(std::string name, std::function<void(const Value&, Reply)> fn);
  // Requests addressed to another platform's agent ("site/agent") go here.
  void set_remote(std::function<void(const RemoteCall&, Reply)> fn) { remote_ = std::move(fn); }

  // Runs the method a request names and answers it (a deferred method
  // answers when its Reply completes).
  void serve(const IncomingRequest& r);
  // The identity of the caller being served; empty outside a handler.
  const std::string& caller() const noexcept { return caller_; }

  // A Reply's answer, or its drop; on the runtime's thread.
  void finish(ReplyState& s, Result<Value> result, bool dropped);
  // Answers every open deferred reply with this error.
  void close_all(const RpcError& error);

private:
  struct Method {
    std::function<Value(const Value&)> direct;
    std::function<void(const Value&, Reply)> deferred;  // set instead of direct
  };
  void check_name(const std::string& name, bool internal) const;
  std::shared_ptr<ReplyState> open_reply(const IncomingRequest& r);
  void serve_remote(const IncomingRequest& r);

  std::string identity_;
  Problems& problems_;
  Answer answer_;
  std::shared_ptr<ReplyGate> gate_;
  std::unordered_map<std::string, Method> methods_;
  std::function<void(const RemoteCall&, Reply)> remote_;
  std::string caller_;
  // Deferred replies not answered yet.
  std::unordered_map<std::uint64_t, std::weak_ptr<ReplyState>> open_;
  std::uint64_t next_reply_ = 0;
};

}  // namespace watt::detail
