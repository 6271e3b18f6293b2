// The query RPC's wire shapes: its argument map in, its result map out.
//   query({topic, start, end, count, order, agg, agg_period})
//     start/end: a time as time_spec.hpp reads it, or epoch seconds;
//     order: FIRST_TO_LAST (default) or LAST_TO_FIRST;
//     agg: none (default), avg, min, max, sum or count; agg_period a duration.
//   → {topic, values: [[iso time, value], …], metadata}
#pragma once

#include "backend.hpp"

#include <watt/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace watt::historian {

// `args` is the RPC's argument array, holding one map. Throws watt::Error
// naming the offending key.
Query parse_query(const Value& args, std::int64_t now_ns);

Aggregate parse_aggregate(std::string_view name);  // throws watt::Error

Value pack_query_result(const Query& q, const std::vector<Sample>& samples, const std::optional<std::string>& metadata);

// A sample's value as msgpack: the float it was, or what its JSON text says.
void append_sample_value(std::string& out, const Sample& s);

}  // namespace watt::historian
