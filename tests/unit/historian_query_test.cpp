// Historian: the query RPC's arguments in, its result out.
#include "query_args.hpp"

#include <watt/error.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace watt::historian;

namespace {
constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t now = 1'763'719'200 * s;  // 2025-11-21T10:00:00Z

Query parse(const std::string& json) { return parse_query(watt::Value::from_json("[" + json + "]"), now); }
std::string error_of(const std::string& json) {
  try {
    parse(json);
  } catch (const watt::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("query arguments: times as text or epoch seconds, order, aggregate and period") {
  const auto q = parse(R"({"topic": "a/b", "start": "now-1h", "end": 1763719200.5, "count": 10,
                           "order": "last_to_first", "agg": "AVG", "agg_period": 300})");
  CHECK(q.topic == "a/b");
  CHECK(q.start_ns == now - 3600 * s);
  CHECK(q.end_ns == now + s / 2);
  CHECK(q.count == 10);
  CHECK(q.order == Order::last_to_first);
  CHECK(q.agg == Aggregate::avg);
  CHECK(q.period_ns == 300 * s);
  CHECK(parse(R"({"topic": "a", "agg": "count", "agg_period": "5m"})").period_ns == 300 * s);
  const auto d = parse(R"({"topic": "a"})");
  CHECK(d.count == 1000);
  CHECK(d.agg == Aggregate::none);
  CHECK(d.order == Order::first_to_last);
}

TEST_CASE("query arguments: mistakes name the key") {
  CHECK(error_of(R"({"start": "now"})").find("'topic' is required") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "colour": 1})").find("unknown key 'colour'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "start": "now", "end": "now-1h"})").find("before 'end'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "start": "soon"})").find("'start'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "start": true})").find("'start' must be a time") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "count": 0})").find("'count'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "order": "sideways"})").find("'order'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "agg": "median"})").find("unknown aggregate 'median'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "agg_period": "5m"})").find("needs an 'agg'") != std::string::npos);
  CHECK(error_of(R"({"topic": "a", "agg": "avg", "agg_period": 0})").find("'agg_period'") != std::string::npos);
  CHECK_THROWS_AS(parse_query(watt::Value::from_json(R"("a/b")"), now), watt::Error);
  CHECK_THROWS_AS(parse_query(watt::Value::from_json(R"([{"topic": "a"}, 2])"), now), watt::Error);
}

TEST_CASE("query result: times in ISO 8601, values as they were stored, counts as integers") {
  Query q;
  q.topic = "a/b";
  const std::vector<Sample> samples{
      {now, 21.5, std::nullopt}, {now + s / 4, 7.0, "7"}, {now + s, std::nullopt, R"("on")"}};
  const auto r = pack_query_result(q, samples, std::string(R"({"units":"degC"})"));
  // The JSON view sorts keys.
  CHECK(r.to_json() == R"({"metadata":{"units":"degC"},"topic":"a/b","values":[["2025-11-21T10:00:00Z",21.5],)"
                       R"(["2025-11-21T10:00:00.250Z",7],["2025-11-21T10:00:01Z","on"]]})");
  q.agg = Aggregate::count;
  CHECK(pack_query_result(q, {{now, 3.0, std::nullopt}}, std::nullopt).to_json() ==
        R"({"metadata":null,"topic":"a/b","values":[["2025-11-21T10:00:00Z",3]]})");
}
