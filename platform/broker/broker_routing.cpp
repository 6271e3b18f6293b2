// The broker's routing: what a peer may publish, subscribe to and call;
// publications to subscribers; requests to their callee and answers back to
// their caller; and the broker's own replies.
#include "broker.hpp"

#include <algorithm>

#include <watt/proto/clock.hpp>
#include <watt/proto/topic.hpp>

namespace watt::broker {

// ---- routing ----------------------------------------------------------------

bool Broker::authorized(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h) {
  if (kind == proto::Kind::publish && platform::OrgAccess::private_topic(address)) {
    // Organizations' privacy binds every peer, trusted local ones too.
    if (auto why = orgs_.publish_error(p.identity, address); !why.empty()) {
      reject(p.routing_id, h.id, ErrorCode::unauthorized,
             "'" + p.identity + "' may not publish to " + std::string(address) + ": " + why);
      return false;
    }
  }
  if (p.auth_name.empty()) return true;  // a trusted local peer
  const AuthEntry* entry = p.auth;
  if (kind == proto::Kind::publish) {
    // An installed agent's heartbeat is how the platform sees it alive; a
    // TCP key publishes heartbeats (and alerts) only where granted.
    const bool own_heartbeat = entry != nullptr && entry->local && address.size() == 10 + p.identity.size() &&
                               address.starts_with("heartbeat/") && address.ends_with(p.identity);
    if (own_heartbeat || (entry != nullptr && may_publish(*entry, address))) return true;
    reject(p.routing_id, h.id, ErrorCode::unauthorized,
           "'" + p.identity + "' may not publish to " + std::string(address));
    return false;
  }
  if (entry != nullptr && may_call(*entry, address, h.method)) return true;
  // What every agent needs of the control service, whatever its grants:
  // its own configurations, and saying it has started. The control service
  // answers each about the caller alone.
  const bool self_service = address == config_.control_identity &&
                            (h.method == "own_config_names" || h.method == "own_config" || h.method == "agent_started");
  if (self_service) return true;
  ++stats_.request_errors;
  reject(p.routing_id, h.id, ErrorCode::unauthorized,
         "'" + p.identity + "' may not call " + std::string(address) + "/" + std::string(h.method));
  return false;
}

void Broker::on_subscribe(Peer& p, proto::Kind kind, std::string_view pattern, const proto::Header& h) {
  if (auto why = kind == proto::Kind::subscribe ? orgs_.subscribe_error(p.identity, pattern) : std::string();
      !why.empty()) {
    reject(p.routing_id, h.id, ErrorCode::unauthorized,
           "'" + p.identity + "' may not subscribe to " + std::string(pattern) + ": " + why);
    return;
  }
  if (kind == proto::Kind::subscribe && !p.auth_name.empty() &&
      (p.auth == nullptr || !may_subscribe(*p.auth, pattern))) {
    reject(p.routing_id, h.id, ErrorCode::unauthorized,
           "'" + p.identity + "' may not subscribe to " + std::string(pattern));
    return;
  }
  const std::string err = kind == proto::Kind::subscribe ? subscriptions_.subscribe(p, pattern, h.lossless)
                                                         : subscriptions_.unsubscribe(p, pattern);
  if (!err.empty()) {
    reject(p.routing_id, h.id, ErrorCode::bad_topic, err);
    return;
  }
  acknowledge(p.routing_id, h.id);
}

void Broker::on_publish(Peer& p, std::string_view topic, const proto::Header& h, zmq::message_t& message) {
  if (auto err = proto::topic_error(topic); !err.empty()) {
    reject(p.routing_id, h.id, ErrorCode::bad_topic, err);
    return;
  }
  if (!authorized(p, proto::Kind::publish, topic, h)) return;
  ++stats_.published;
  // Forwarded as received; only the kind byte changes, in place, before the
  // message is shared.
  message.data<std::uint8_t>()[proto::kind_offset] = static_cast<std::uint8_t>(proto::Kind::deliver);
  route(topic, message, h.pri, h.dl, &p.link());  // flow control holds back connections
}

void Broker::route(std::string_view topic, zmq::message_t& message, std::uint8_t pri, std::int64_t dl,
                   Peer* publisher) {
  // Every subscriber gets the same bytes: copies of a zmq message share them
  // by reference count.
  const auto& matched = subscriptions_.match(topic);
  std::size_t count = matched.size();
  // An organization's private topic reaches only those who may read it,
  // whatever their patterns span.
  const bool guarded = platform::OrgAccess::private_topic(topic);
  const std::vector<std::string>* readers = guarded ? &orgs_.readers(topic) : nullptr;
  const auto may_read = [&](const Peer& sub) {
    return std::any_of(readers->begin(), readers->end(),
                       [&](const std::string& id) { return id == sub.identity || sub.guests.contains(id); });
  };
  if (guarded)
    while (count > 0 && !may_read(*matched[count - 1].first)) --count;
  for (std::size_t i = 0; i < count; ++i) {
    Peer* const sub = matched[i].first;
    const bool lossless = matched[i].second;
    if (sub->dead || (guarded && !may_read(*sub))) continue;
    if (lossless && publisher != nullptr) {
      if (const auto admission = flow_.admit(*sub, sub->queue.lossless()); admission != FlowControl::Admission::take) {
        refuse_lossless(*sub, publisher, admission);
        continue;
      }
    }
    Outgoing out;
    // The last subscriber takes the message itself: no reference count at
    // all with a single subscriber.
    if (i + 1 == count)
      out.frame.move(message);
    else
      out.frame.copy(message);
    out.priority = pri;
    out.deadline_ns = dl;
    out.lossless = lossless;
    if (outbox_.deliver(*sub, std::move(out)) == Outbox::Delivery::refused) {
      // Over its bytes, or everyone's: as if the publisher ignored a pause.
      if (lossless && !sub->dead) refuse_lossless(*sub, publisher, FlowControl::refusal(*sub));
      continue;
    }
    if (sub->flow.congested && lossless && publisher != nullptr && publisher != sub && flow_.hold(*sub, *publisher))
      outbox_.send_flow(*publisher, true,
                        "lossless subscriber '" + sub->identity + "' is " + std::to_string(sub->queue.lossless_size()) +
                            " messages behind");
  }
}

void Broker::refuse_lossless(Peer& sub, Peer* publisher, FlowControl::Admission admission) {
  // Not given to this subscriber, counted, and the publisher told once.
  ++sub.dropped;
  ++stats_.dropped;
  if (publisher == nullptr || admission != FlowControl::Admission::refuse_and_report) return;
  flow_.reported(sub);
  reject(publisher->routing_id, 0, ErrorCode::backpressure,
         "lossless subscriber '" + sub.identity + "' is " + std::to_string(sub.queue.lossless_size()) + " messages (" +
             std::to_string(sub.queue.lossless_bytes()) +
             " bytes) behind; what you publish to it is refused until it catches up");
}

void Broker::publish_event(const std::string& topic, const std::string& body) {
  proto::Header h;
  h.ts = proto::now_ns();
  h.pri = 30;
  const std::string header = proto::encode_header(h);
  zmq::message_t msg(proto::message_size(topic, broker_identity, header, body));
  proto::write_message(msg.data<char>(), proto::Kind::deliver, topic, broker_identity, header, body);
  route(topic, msg, h.pri, 0, nullptr);
}

void Broker::on_routed(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h,
                       zmq::message_t& message) {
  const std::string target(address);
  if (kind == proto::Kind::request) {
    ++stats_.requests;
    if (target == broker_identity) {
      const auto a = own_methods_.serve(p, h);
      reply(p.routing_id, a.kind, a.header(), a.body);
      return;
    }
  }
  if (kind == proto::Kind::error) ++stats_.request_errors;
  Peer* to = peers_.by_identity(target);
  // "site/agent" is an agent of another platform (no local identity holds a
  // '/'): the gateway config.yml names takes the call.
  if (to == nullptr && kind == proto::Kind::request && target.find('/') != std::string::npos &&
      !config_.gateway.empty())
    to = peers_.by_identity(config_.gateway);
  if (to == nullptr) {
    if (kind == proto::Kind::request) {
      ++stats_.request_errors;
      reject(p.routing_id, h.id, ErrorCode::unknown_peer, "no peer '" + target + "' is connected");
    }
    // A response to a caller that left has no one to go to.
    return;
  }
  if (kind == proto::Kind::request ? !owe_answer(p, *to, h) : !answer_owed(p, *to, kind, h)) return;
  Outgoing out;
  out.frame = std::move(message);  // the origin in it is already checked
  out.priority = h.pri;
  out.deadline_ns = h.dl;
  out.lossless = true;  // RPC traffic is never dropped for space; deadlines still apply
  if (outbox_.deliver(*to, std::move(out)) == Outbox::Delivery::refused && kind == proto::Kind::request) {
    (void)to->owed.settle(p.serial, h.id);
    ++stats_.request_errors;
    // Its connection turned out to be closed (a goodbye lost on the way), or
    // it does not read: the caller hears so now rather than at its timeout.
    if (to->dead)
      reject(p.routing_id, h.id, ErrorCode::unknown_peer, "peer '" + target + "' has gone");
    else
      reject(p.routing_id, h.id, ErrorCode::backpressure,
             "peer '" + target + "' has " + std::to_string(to->link().queue.bytes()) +
                 " bytes waiting that it has not read; try again later");
  }
  // An answer to a caller that does not read is dropped (refused_for_memory).
}

bool Broker::owe_answer(Peer& caller, Peer& callee, const proto::Header& h) {
  if (callee.owed.size() >= config_.max_owed_answers) {
    ++stats_.request_errors;
    reject(caller.routing_id, h.id, ErrorCode::backpressure,
           "peer '" + callee.identity + "' has " + std::to_string(callee.owed.size()) +
               " calls unanswered; try again later");
    return false;
  }
  const std::int64_t latest =
      proto::now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(config_.answer_window).count();
  callee.owed.expect(caller.serial, h.id, h.dl != 0 ? std::min(h.dl, latest) : latest);
  return true;
}

bool Broker::answer_owed(Peer& answerer, Peer& caller, proto::Kind kind, const proto::Header& h) {
  if (answerer.owed.settle(caller.serial, h.id)) return true;
  // Not asked, answered already, or too late (the caller has given up):
  // dropped, so no peer can answer a call made to another.
  ++stats_.unrequested_answers;
  if (problems_.count("unrequested_answer"))
    log_->warn("dropped a {} from '{}' to '{}' for call #{}: no such call to '{}' waits for an answer ({} so far)",
               proto::kind_name(kind), answerer.identity, caller.identity, h.id, answerer.identity,
               problems_.total("unrequested_answer"));
  return false;
}

// The texts of these refusals are part of the protocol: a container reads
// them to stop handing an agent what it may no longer have
// (sdk/src/container/mux.cpp, Mux::revoked).
void Broker::enforce_grants() {
  peers_.for_each([this](Peer& p) {
    if (p.dead || p.auth_name.empty()) return;
    // The entries moved: each is looked up again.
    p.auth = allow_.by_name(p.auth_name);
    if (p.auth == nullptr || !may_claim(*p.auth, p.identity)) {
      const std::string why = p.auth == nullptr
                                  ? "its allow-list entry '" + p.auth_name + "' was removed"
                                  : "its entry '" + p.auth_name + "' no longer lets it be '" + p.identity + "'";
      log_->info("removed peer '{}': {}", p.identity, why);
      reject(p.routing_id, 0, ErrorCode::unauthorized, "access revoked: " + why);
      remove_peer(p, "access revoked");
      return;
    }
    // Kept normalized ("#" is ""): named as a peer would write them.
    std::vector<std::string> revoked;
    for (const auto& [pattern, lossless] : p.patterns)
      if (!may_subscribe(*p.auth, pattern)) revoked.push_back(pattern.empty() ? "#" : pattern);
    for (const auto& pattern : revoked) {
      (void)subscriptions_.unsubscribe(p, pattern);
      log_->info("unsubscribed peer '{}' from '{}': its entry '{}' no longer grants it", p.identity, pattern,
                 p.auth_name);
      reject(p.routing_id, 0, ErrorCode::unauthorized, "access revoked: no longer subscribed to " + pattern);
    }
  });
}

// ---- answering --------------------------------------------------------------

void Broker::reply(const std::string& key, proto::Kind kind, const proto::Header& h, std::string_view body,
                   std::string_view to) {
  Peer* p = peers_.find(key);
  if (to.empty() && p != nullptr && p->link().protocol >= 2) to = p->identity;
  Outgoing out = control_message(kind, proto::encode_header(h), body, to);
  if (p != nullptr)
    (void)outbox_.deliver(*p, std::move(out));  // a control reply that does not fit removes the peer
  else
    outbox_.send_unregistered(key, out);  // not a peer: answered now, never blocked on
}

void Broker::acknowledge(const std::string& key, std::uint64_t id, proto::Kind kind) {
  proto::Header ack;
  ack.id = id;
  reply(key, kind, ack);
}

void Broker::reject(const std::string& key, std::uint64_t id, ErrorCode code, const std::string& message,
                    std::string_view to) {
  ++stats_.rejected;
  const std::string kind(to_string(code));
  if (problems_.count(kind)) {
    const Peer* p = peers_.find(key);
    const std::string who = p != nullptr ? "'" + p->identity + "'" : "an unregistered peer";
    log_->warn("rejected a message from {}: {}: {} ({} so far)", who, kind, message, problems_.total(kind));
  }
  proto::Header h;
  h.id = id;
  h.code = kind;
  h.message = message;
  reply(key, proto::Kind::error, h, {}, to);
}

}  // namespace watt::broker
