// Hosted identities (protocol 2): an agent container says hello once for its
// connection, then once more, with `hosted`, for each agent it runs. Each
// hosted identity is checked as if it had a connection of its own (the
// identity rules, its allow-list entry, whether it is taken); it then shares
// its container's connection, queue and flow control.
#include "broker.hpp"

#include <watt/identity.hpp>

namespace watt::broker {

void Broker::on_hosted_hello(const std::string& key, zmq::message_t& message, std::string_view identity,
                             const proto::Header& h) {
  // Refusals are addressed to the identity claimed, so the container can
  // tell which of its agents they are for.
  Peer* conn = peers_.find(key);
  if (conn == nullptr || conn->dead) {
    reject(key, h.id, ErrorCode::not_registered, "a hosted hello needs the connection to say hello first", identity);
    return;
  }
  if (conn->protocol < 2) {
    reject(key, h.id, ErrorCode::unsupported_version,
           "hosting identities needs protocol 2; this connection said hello with protocol " +
               std::to_string(conn->protocol),
           identity);
    return;
  }
  if (auto err = identity_error(identity); !err.empty()) {
    reject(key, h.id, ErrorCode::bad_identity, err, identity);
    return;
  }
  if (Peer* same = conn->speaker(identity); same != nullptr) {
    welcome(same->routing_id, h.id);  // said again (a container rejoining): nothing changes
    return;
  }
  if (conn->guests.size() >= config_.max_hosted) {
    reject(key, h.id, ErrorCode::backpressure,
           "this connection hosts " + std::to_string(conn->guests.size()) +
               " identities already, the most broker.max_hosted allows",
           identity);
    return;
  }
  const auto entry = hello_entry(key, message, identity, h.id, identity);
  if (!entry || !identity_free(key, identity, h, identity)) return;
  Peer& guest = peers_.add_guest(*conn, std::string(identity));
  guest.auth_name = *entry;
  guest.auth = entry->empty() ? nullptr : allow_.by_name(*entry);
  welcome(guest.routing_id, h.id);
  log_->debug("peer '{}' joined, hosted by '{}' (pid {})", guest.identity, conn->identity, guest.pid);
  const auto [topic, body] = PeerTable::event(guest, "joined");
  publish_event(topic, body);
}

}  // namespace watt::broker
