// The ranges of the PostgreSQL data table's partitions: which one a
// timestamp needs, what it is called, and the bounds the catalog reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace watt::historian::postgres {

// [from, to); no `to` = MAXVALUE, the only way to hold INT64_MAX itself.
struct Range {
  std::int64_t from = 0;
  std::optional<std::int64_t> to;
  bool contains(std::int64_t ts) const { return ts >= from && (!to || ts < *to); }
};

// Existing partitions by their lower bound.
using Partitions = std::map<std::int64_t, Range>;

// The partition that holds `ts`, if one of `known` does.
const Range* find_partition(const Partitions& known, std::int64_t ts);

// The range to create for `ts`, which no known partition holds: `width`
// wide and aligned to the epoch, but cut short where it would overlap a
// partition made earlier with another width (a changed setting).
Range new_partition(const Partitions& known, std::int64_t ts, std::int64_t width);

// data_p<from>, data_pm<-from> below the epoch: a plain identifier.
std::string partition_name(const Range& r);

// "create table if not exists … partition of data for values from … to …".
std::string create_partition_sql(const Range& r);

// The bounds in pg_get_expr(relpartbound) text, "FOR VALUES FROM ('0') TO
// ('86400')"; nullopt for what we never create (DEFAULT, other shapes).
std::optional<Range> parse_bound(const std::string& expr);

}  // namespace watt::historian::postgres
