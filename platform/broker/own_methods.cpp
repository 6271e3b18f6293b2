#include "own_methods.hpp"

#include <watt/error.hpp>
#include <watt/value.hpp>

#include <msgpack.hpp>

namespace watt::broker {

OwnMethods::Answer OwnMethods::serve(const Peer& caller, const proto::Header& h) {
  if (h.method == "reload_auth" && caller.auth_name.empty()) return reload_auth(h);
  if (h.method == "reload_orgs" && caller.auth_name.empty()) return reload_orgs(h);
  if (h.method == "stats") return stats(h);
  ++stats_.request_errors;
  Answer a;
  a.kind = proto::Kind::error;
  a.id = h.id;
  a.code = to_string(ErrorCode::unknown_method);
  a.message = "the broker exports only 'stats' (and 'reload_auth', 'reload_orgs' to local peers)";
  return a;
}

OwnMethods::Answer OwnMethods::reload_auth(const proto::Header& h) {
  Answer a;
  a.id = h.id;
  try {
    if (!config_.auth_file.empty()) allow_ = AllowList::load(config_.auth_file);
    if (on_reload_) on_reload_();
    a.body = Value::of(allow_.entries().size()).bytes();
  } catch (const std::exception& e) {
    a.kind = proto::Kind::error;
    a.code = to_string(ErrorCode::handler_threw);
    a.message = e.what();
  }
  return a;
}

OwnMethods::Answer OwnMethods::reload_orgs(const proto::Header& h) {
  Answer a;
  a.id = h.id;
  try {
    const auto tree = platform::OrgTree::load(config_.orgs_file);
    orgs_ = platform::OrgAccess(tree);
    a.body = Value::of(tree.orgs().size()).bytes();
  } catch (const std::exception& e) {
    a.kind = proto::Kind::error;
    a.code = to_string(ErrorCode::handler_threw);
    a.message = e.what();
  }
  return a;
}

OwnMethods::Answer OwnMethods::stats(const proto::Header& h) {
  BrokerStats s = stats_;
  s.peers = peers_.size();
  s.subscriptions = subscriptions_.size();
  peers_.for_each([&s](const Peer& p) {
    s.queued += p.queue.size();
    s.queued_bytes += p.queue.bytes();
  });
  s.memory_limit = config_.memory_limit;
  Answer a;
  a.id = h.id;
  detail::StringWriter sink{&a.body};
  msgpack::pack(sink, s);
  return a;
}

}  // namespace watt::broker
