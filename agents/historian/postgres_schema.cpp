// The schema and the prepared statements, in one place so the SQL can be
// read as a whole.
#include "postgres_schema.hpp"

namespace watt::historian::postgres {
namespace {

// Two historians starting at once must not both create the tables: the
// schema is made under this transaction-scoped advisory lock.
constexpr const char* schema_sql = R"(
  select pg_advisory_xact_lock(hashtext('watt-historian schema'));
  create table if not exists topics (
    topic_id serial primary key,
    name text unique not null,
    metadata text);
  create table if not exists data (
    ts bigint not null,
    topic_id int not null,
    value_number double precision,
    value_json text,
    primary key (topic_id, ts)) partition by range (ts);
)";

// A whole batch goes over as four array parameters of one statement: one
// round trip, and as fast as COPY into a temporary table followed by an
// insert-select (both ~200k rows/s on 10k-row batches), with less to keep up
// (no temporary table to remake after a reconnect).
constexpr const char* insert_sql =
    "insert into data (ts, topic_id, value_number, value_json) "
    "select * from unnest($1::bigint[], $2::int[], $3::double precision[], $4::text[]) on conflict do nothing";

// $1 topic id, $2 start (inclusive), $3 end (exclusive), $4 count.
constexpr const char* raw_sql =
    "select ts, value_number, value_json from data where topic_id = $1 and ts >= $2 and ts < $3 order by ts ";

}  // namespace

Partitions set_up(pqxx::connection& c) {
  // "relation already exists, skipping" on every reconnect is noise.
  pqxx::nontransaction(c).exec0("set client_min_messages to warning");
  pqxx::work w(c);
  w.exec(schema_sql);
  auto partitions = by_start(list_partitions(w));
  w.commit();
  c.prepare("insert", insert_sql);
  c.prepare("raw_asc", std::string(raw_sql) + "asc limit $4");
  c.prepare("raw_desc", std::string(raw_sql) + "desc limit $4");
  // $1 name.
  c.prepare("topic", "select topic_id, metadata from topics where name = $1");
  // $1 names, $2 their metadata (arrays of the same length). Another writer
  // may add the same topic meanwhile: on conflict, topics_get reads back
  // whichever row won.
  c.prepare("topics_add",
            "insert into topics (name, metadata) select * from unnest($1::text[], $2::text[]) "
            "on conflict (name) do nothing");
  c.prepare("topics_get", "select topic_id, name, metadata from topics where name = any($1::text[])");
  // $1 topic id, $2 metadata.
  c.prepare("topic_meta", "update topics set metadata = $2 where topic_id = $1");
  return partitions;
}

std::vector<std::pair<std::string, Range>> list_partitions(pqxx::transaction_base& w) {
  // regclass text is quoted, and schema-qualified when it has to be.
  const auto rows = w.exec(
      "select c.oid::regclass::text, pg_get_expr(c.relpartbound, c.oid) from pg_inherits i "
      "join pg_class c on c.oid = i.inhrelid where i.inhparent = 'data'::regclass");
  std::vector<std::pair<std::string, Range>> out;
  for (const auto& row : rows)
    if (const auto range = parse_bound(row[1].as<std::string>())) out.emplace_back(row[0].as<std::string>(), *range);
  return out;
}

Partitions by_start(const std::vector<std::pair<std::string, Range>>& list) {
  Partitions out;
  for (const auto& [name, range] : list) out.emplace(range.from, range);
  return out;
}

}  // namespace watt::historian::postgres
