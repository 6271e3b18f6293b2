// The bridge's outbound queue: QoS-1 messages from the bus wait here, in
// SQLite, until the broker has acknowledged them, so that neither a broker
// away for hours nor a restart of the bridge loses one. Rows leave in the
// order they came; a full queue drops its oldest (or refuses the newest, as
// configured) and counts what it dropped.
#pragma once

#include <watt/sqlite/database.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace watt::mqtt {

struct Outgoing {
  std::int64_t id = 0;  // the queue's, rising
  std::string topic;    // the MQTT topic
  std::string payload;
  int qos = 1;
  bool retain = false;
};

enum class WhenFull { drop_oldest, drop_newest };

class Outbox {
public:
  // Opens or creates the queue in `file`; what is in it from an earlier run
  // is sent first.
  Outbox(const std::string& file, std::int64_t capacity, WhenFull when_full);

  // Appends in one transaction; returns how many messages the bound dropped
  // (of these, or of the oldest waiting).
  std::uint64_t push(const std::vector<Outgoing>& batch);
  // Up to `limit` messages after `after_id`, oldest first.
  std::vector<Outgoing> after(std::int64_t after_id, std::size_t limit);
  // One message, if it is still queued.
  std::optional<Outgoing> get(std::int64_t id);
  // Removes what the broker acknowledged, in one transaction.
  void remove(const std::vector<std::int64_t>& ids);

  std::int64_t size() const { return size_; }
  std::int64_t capacity() const { return capacity_; }
  std::uint64_t dropped() const { return dropped_; }
  const std::string& file() const { return db_.file(); }

private:
  std::uint64_t push_rows(const std::vector<Outgoing>& batch);
  void recount();

  sqlite::Database db_;
  sqlite::Statement insert_, select_, select_one_, delete_, drop_oldest_;
  std::int64_t capacity_;
  WhenFull when_full_;
  std::int64_t size_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace watt::mqtt
