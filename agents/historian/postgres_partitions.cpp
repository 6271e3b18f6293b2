// Partition ranges: integer arithmetic kept clear of int64 overflow at both
// ends of the timeline, since timestamps come from publishers we don't trust.
#include "postgres_partitions.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>

namespace watt::historian::postgres {
namespace {

constexpr auto min64 = std::numeric_limits<std::int64_t>::min();
constexpr auto max64 = std::numeric_limits<std::int64_t>::max();

// One bound between the parentheses: '123' (quoted by pg_get_expr),
// MINVALUE or MAXVALUE. nullopt for MAXVALUE, min64 for MINVALUE (the same
// thing for a bigint column).
bool parse_value(std::string_view v, std::optional<std::int64_t>& out) {
  if (v == "MINVALUE") {
    out = min64;
    return true;
  }
  if (v == "MAXVALUE") {
    out.reset();
    return true;
  }
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return false;
  out = n;
  return true;
}

// The text between "<keyword> (" and the next ')'.
std::optional<std::string_view> between(std::string_view expr, std::string_view keyword) {
  const auto at = expr.find(keyword);
  if (at == std::string_view::npos) return std::nullopt;
  const auto open = at + keyword.size();
  const auto close = expr.find(')', open);
  if (close == std::string_view::npos) return std::nullopt;
  return expr.substr(open, close - open);
}

}  // namespace

const Range* find_partition(const Partitions& known, std::int64_t ts) {
  auto it = known.upper_bound(ts);  // the first one starting after ts
  if (it == known.begin()) return nullptr;
  --it;
  return it->second.contains(ts) ? &it->second : nullptr;
}

Range new_partition(const Partitions& known, std::int64_t ts, std::int64_t width) {
  // Floor division, so a negative ts lands in the partition below zero.
  std::int64_t q = ts / width;
  if (ts % width != 0 && ts < 0) --q;
  Range r;
  // min64 / width rounds towards zero: the lowest q whose q * width fits.
  r.from = q < min64 / width ? min64 : q * width;
  if (q < max64 / width) r.to = (q + 1) * width;  // else MAXVALUE
  const auto next = known.upper_bound(ts);
  if (next != known.end() && (!r.to || next->second.from < *r.to)) r.to = next->second.from;
  if (next != known.begin()) {
    const auto& prev = std::prev(next)->second;  // ends at or before ts: ts is in no partition
    if (prev.to && *prev.to > r.from) r.from = *prev.to;
  }
  return r;
}

std::string partition_name(const Range& r) {
  if (r.from >= 0) return "data_p" + std::to_string(r.from);
  // Unsigned: -min64 does not fit an int64.
  return "data_pm" + std::to_string(0u - static_cast<std::uint64_t>(r.from));
}

std::string create_partition_sql(const Range& r) {
  return "create table if not exists " + partition_name(r) + " partition of data for values from (" +
         std::to_string(r.from) + ") to (" + (r.to ? std::to_string(*r.to) : std::string("MAXVALUE")) + ")";
}

std::optional<Range> parse_bound(const std::string& expr) {
  const auto from = between(expr, "FROM (");
  const auto to = between(expr, "TO (");
  if (!from || !to) return std::nullopt;
  std::optional<std::int64_t> lo, hi;
  if (!parse_value(*from, lo) || !parse_value(*to, hi) || !lo) return std::nullopt;  // FROM (MAXVALUE): empty
  return Range{*lo, hi};
}

}  // namespace watt::historian::postgres
