// The bridge's outbound side, free of the bus and of Paho: QoS-1 messages go
// through the Outbox and at most `in_flight` of them wait for the broker's
// acknowledgement at once; each acknowledged one leaves the queue. After a
// lost connection everything still queued is sent again from the oldest, on
// a new connection, so a message is lost never and sent twice only when it
// was in flight (as MQTT's QoS 1 allows).
#pragma once

#include <watt/mqtt/outbox.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

namespace watt::mqtt {

struct SenderCounts {
  std::uint64_t queued = 0;        // taken into the queue
  std::uint64_t sent = 0;          // handed to the broker (again after a reconnect too)
  std::uint64_t acknowledged = 0;  // PUBACKed, and so out of the queue
  std::uint64_t refused = 0;       // failed on a live connection: dropped, not retried
  std::uint64_t dropped = 0;       // the queue's bound
  std::uint64_t retried = 0;       // not sent after all, and sent again
};

class Sender {
public:
  using Send = std::function<void(const Outgoing&)>;
  Sender(Outbox& outbox, std::size_t in_flight, Send send);

  // Takes a message (its id is the queue's); kept in memory until flush().
  void take(Outgoing m);
  // Writes what was taken to the queue, drops what was acknowledged, and,
  // while up, sends what the window allows. Returns what the bound dropped.
  std::uint64_t flush();
  std::size_t pending() const { return taken_.size() + acked_.size(); }

  // The connection is up: send from the oldest queued message, at most
  // `window` unacknowledged (the least of ours and the broker's).
  void up(std::size_t window);
  // The connection is gone: nothing is in flight any more.
  void down();
  void acknowledged(std::int64_t id);
  // The broker refused a message: it is dropped, as sending it again
  // would meet the same answer.
  void refused(std::int64_t id);
  // A message was not sent after all (the client's own limits): it goes
  // again, ahead of the rest.
  void retry(std::int64_t id);

  std::size_t in_flight() const { return in_flight_.size(); }
  std::int64_t queued() const { return outbox_.size() + static_cast<std::int64_t>(taken_.size()); }
  const SenderCounts& counts() const { return counts_; }

private:
  void pump();

  Outbox& outbox_;
  std::size_t most_;    // our own bound on what is in flight
  std::size_t window_;  // this connection's
  Send send_;
  bool up_ = false;
  std::int64_t cursor_ = 0;  // the newest id sent on this connection
  std::set<std::int64_t> in_flight_;
  std::set<std::int64_t> again_;  // to send before what comes after the cursor
  std::vector<Outgoing> taken_;
  std::vector<std::int64_t> acked_;
  SenderCounts counts_;
};

}  // namespace watt::mqtt
