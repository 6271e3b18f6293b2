#include "query_args.hpp"

#include "time_spec.hpp"

#include <watt/error.hpp>

#include <algorithm>
#include <cctype>

namespace watt::historian {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string as_string(const msgpack::object& o, const std::string& key) {
  if (o.type != msgpack::type::STR) throw Error("query: '" + key + "' must be a string");
  return {o.via.str.ptr, o.via.str.size};
}

std::int64_t as_time(const msgpack::object& o, const std::string& key, std::int64_t now_ns) {
  try {
    switch (o.type) {
      case msgpack::type::STR: return parse_time(std::string_view(o.via.str.ptr, o.via.str.size), now_ns);
      case msgpack::type::POSITIVE_INTEGER:
      case msgpack::type::NEGATIVE_INTEGER:
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64: return seconds_to_ns(o.as<double>());
      default: break;
    }
  } catch (const std::invalid_argument& e) {
    throw Error("query: '" + key + "': " + e.what());
  }
  throw Error("query: '" + key + "' must be a time (like now-1h or 2026-11-21T10:00:00Z) or epoch seconds");
}

std::int64_t as_duration(const msgpack::object& o) {
  try {
    if (o.type == msgpack::type::STR) return parse_duration(std::string_view(o.via.str.ptr, o.via.str.size));
    if (o.type == msgpack::type::POSITIVE_INTEGER || o.type == msgpack::type::FLOAT32 ||
        o.type == msgpack::type::FLOAT64)
      return seconds_to_ns(o.as<double>());
  } catch (const std::invalid_argument& e) {
    throw Error(std::string("query: 'agg_period': ") + e.what());
  }
  throw Error("query: 'agg_period' must be a duration (like 5m) or seconds");
}

}  // namespace

Aggregate parse_aggregate(std::string_view name) {
  const std::string n = upper(std::string(name));
  if (n == "NONE" || n.empty()) return Aggregate::none;
  if (n == "AVG") return Aggregate::avg;
  if (n == "MIN") return Aggregate::min;
  if (n == "MAX") return Aggregate::max;
  if (n == "SUM") return Aggregate::sum;
  if (n == "COUNT") return Aggregate::count;
  throw Error("query: unknown aggregate '" + std::string(name) + "' (known: none, avg, min, max, sum, count)");
}

Query parse_query(const Value& args, std::int64_t now_ns) {
  const auto handle = detail::unpack_checked(args.bytes());
  const msgpack::object& a = handle.get();
  if (a.type != msgpack::type::ARRAY || a.via.array.size != 1 || a.via.array.ptr[0].type != msgpack::type::MAP)
    throw Error("query takes one argument: a map with 'topic' and options");
  const msgpack::object& o = a.via.array.ptr[0];
  Query q;
  bool have_topic = false;
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR) throw Error("query: keys must be strings");
    const std::string key(kv.key.via.str.ptr, kv.key.via.str.size);
    const auto& v = kv.val;
    if (key == "topic") {
      q.topic = as_string(v, key);
      have_topic = true;
    } else if (key == "start") {
      q.start_ns = as_time(v, key, now_ns);
    } else if (key == "end") {
      q.end_ns = as_time(v, key, now_ns);
    } else if (key == "count") {
      if (v.type != msgpack::type::POSITIVE_INTEGER || v.via.u64 == 0 || v.via.u64 > 10'000'000)
        throw Error("query: 'count' must be a whole number from 1 to 10000000");
      q.count = static_cast<std::int64_t>(v.via.u64);
    } else if (key == "order") {
      const auto order = upper(as_string(v, key));
      if (order == "FIRST_TO_LAST")
        q.order = Order::first_to_last;
      else if (order == "LAST_TO_FIRST")
        q.order = Order::last_to_first;
      else
        throw Error("query: 'order' must be FIRST_TO_LAST or LAST_TO_FIRST");
    } else if (key == "agg") {
      q.agg = parse_aggregate(as_string(v, key));
    } else if (key == "agg_period") {
      q.period_ns = as_duration(v);
      if (q.period_ns <= 0) throw Error("query: 'agg_period' must be longer than zero");
    } else {
      throw Error("query: unknown key '" + key + "' (known: topic, start, end, count, order, agg, agg_period)");
    }
  }
  if (!have_topic || q.topic.empty()) throw Error("query: 'topic' is required");
  if (q.start_ns >= q.end_ns) throw Error("query: 'start' must be before 'end'");
  if (q.period_ns > 0 && q.agg == Aggregate::none) throw Error("query: 'agg_period' needs an 'agg'");
  return q;
}

void append_sample_value(std::string& out, const Sample& s) {
  detail::StringWriter w{&out};
  msgpack::packer<detail::StringWriter> pk(w);
  if (s.json) {
    out += Value::from_json(*s.json).bytes();
  } else if (s.number) {
    pk.pack_double(*s.number);
  } else {
    pk.pack_nil();
  }
}

Value pack_query_result(const Query& q, const std::vector<Sample>& samples,
                        const std::optional<std::string>& metadata) {
  std::string out;
  detail::StringWriter w{&out};
  msgpack::packer<detail::StringWriter> pk(w);
  pk.pack_map(3);
  pk.pack("topic");
  pk.pack(q.topic);
  pk.pack("values");
  pk.pack_array(static_cast<std::uint32_t>(samples.size()));
  for (const auto& s : samples) {
    pk.pack_array(2);
    pk.pack(format_time(s.ts_ns));
    if (q.agg == Aggregate::count && s.number)
      pk.pack_int64(static_cast<std::int64_t>(*s.number));
    else
      append_sample_value(out, s);
  }
  pk.pack("metadata");
  if (metadata)
    out += Value::from_json(*metadata).bytes();
  else
    pk.pack_nil();
  return Value::from_msgpack_unchecked(std::move(out));
}

}  // namespace watt::historian
