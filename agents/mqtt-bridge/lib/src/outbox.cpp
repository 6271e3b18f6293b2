#include <watt/mqtt/outbox.hpp>

#include <algorithm>

namespace watt::mqtt {
namespace {

sqlite::Options queue_options() {
  sqlite::Options o;
  o.synchronous = "NORMAL";  // a row survives the bridge's crash; WAL keeps it cheap
  o.check_first = true;
  return o;
}

}  // namespace

Outbox::Outbox(const std::string& file, std::int64_t capacity, WhenFull when_full)
    : db_(file, queue_options()), capacity_(std::max<std::int64_t>(capacity, 1)), when_full_(when_full) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
      "payload BLOB NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL)");
  insert_ = sqlite::Statement(db_, "INSERT INTO outbox (topic, payload, qos, retain) VALUES (?, ?, ?, ?)");
  select_ =
      sqlite::Statement(db_, "SELECT id, topic, payload, qos, retain FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
  select_one_ = sqlite::Statement(db_, "SELECT id, topic, payload, qos, retain FROM outbox WHERE id = ?");
  delete_ = sqlite::Statement(db_, "DELETE FROM outbox WHERE id = ?");
  drop_oldest_ = sqlite::Statement(db_, "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)");
  recount();
}

void Outbox::recount() {
  sqlite::Statement count(db_, "SELECT count(*) FROM outbox");
  size_ = count.step() ? count.integer(0) : 0;
}

std::uint64_t Outbox::push(const std::vector<Outgoing>& batch) {
  if (batch.empty()) return 0;
  try {
    return push_rows(batch);
  } catch (...) {
    recount();  // rolled back: the count must say what the file holds
    throw;
  }
}

std::uint64_t Outbox::push_rows(const std::vector<Outgoing>& batch) {
  std::uint64_t dropped = 0;
  sqlite::Transaction tx(db_);
  for (const auto& m : batch) {
    if (size_ >= capacity_ && when_full_ == WhenFull::drop_newest) {
      ++dropped;
      continue;
    }
    insert_.bind(1, m.topic).bind_blob(2, m.payload).bind(3, std::int64_t{m.qos}).bind(4, std::int64_t{m.retain});
    insert_.run();
    ++size_;
  }
  if (size_ > capacity_) {
    const auto excess = size_ - capacity_;
    drop_oldest_.bind(1, excess).run();
    size_ -= excess;
    dropped += static_cast<std::uint64_t>(excess);
  }
  tx.commit();
  dropped_ += dropped;
  return dropped;
}

namespace {

Outgoing row(const sqlite::Statement& s) {
  return Outgoing{s.integer(0), s.text(1), s.blob(2), static_cast<int>(s.integer(3)), s.integer(4) != 0};
}

}  // namespace

std::vector<Outgoing> Outbox::after(std::int64_t after_id, std::size_t limit) {
  std::vector<Outgoing> out;
  select_.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
  while (select_.step()) out.push_back(row(select_));
  select_.reset();
  return out;
}

std::optional<Outgoing> Outbox::get(std::int64_t id) {
  std::optional<Outgoing> out;
  select_one_.bind(1, id);
  if (select_one_.step()) out = row(select_one_);
  select_one_.reset();
  return out;
}

void Outbox::remove(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return;
  // Counted as it goes, applied once committed: no count of the whole
  // table on every flush, however long the queue.
  std::int64_t removed = 0;
  try {
    sqlite::Transaction tx(db_);
    for (const auto id : ids) {
      delete_.bind(1, id).run();
      removed += db_.changes();
    }
    tx.commit();
  } catch (...) {
    recount();
    throw;
  }
  size_ -= removed;
}

}  // namespace watt::mqtt
