// watt history query | topics | metadata | status: a historian's query RPCs
// from the command line. Times are passed through as written ("now-1h"), so
// the historian reads them against its own clock.
#include "cli_context.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace watt::cli {
namespace {

struct History {
  std::string historian = "historian";
  int timeout_ms = 30000;
  // query
  std::string topic, start, end, order = "FIRST_TO_LAST", agg, format = "json";
  long count = 1000;
  // topics, metadata
  std::string pattern = "#";
};

nlohmann::json call(const Context& ctx, const History& h, const std::string& method, const std::string& args_json) {
  auto c = ctx.connect();
  CallOptions o;
  o.timeout = std::chrono::milliseconds(h.timeout_ms);
  auto r = c->call_value(o, h.historian, method, Value::from_json(args_json)).get();
  if (!r) {
    const auto& e = r.error();
    if (e.code == ErrorCode::unknown_peer)
      throw Failure{"no historian '" + h.historian + "' on the bus (install one, or name it with --historian)"};
    throw Failure{e.message.empty() ? e.what() : e.message};
  }
  return nlohmann::json::parse(r.value().to_json());
}

// One CSV field: numbers as they are, text quoted when it needs to be.
std::string csv_field(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

void add_history_commands(CLI::App& app, Context& ctx) {
  auto h = std::make_shared<History>();
  auto* history = app.add_subcommand("history", "query a historian: stored series, topics, its state");
  history->require_subcommand(1);
  history->add_option("--historian", h->historian, "identity of the historian agent")->capture_default_str();
  history->add_option("--timeout", h->timeout_ms, "milliseconds to wait for the answer")->capture_default_str();

  auto* query = history->add_subcommand("query", "values of one topic over a time range");
  query->add_option("topic", h->topic, "the series, e.g. devices/campus/b1/ahu1/temp")->required();
  query->add_option("--start", h->start, "from (inclusive): now-1h, 2026-11-21T10:00:00Z, epoch seconds");
  query->add_option("--end", h->end, "until (exclusive); default: no end");
  query->add_option("--count", h->count, "at most this many rows")->capture_default_str();
  query->add_option("--order", h->order, "FIRST_TO_LAST or LAST_TO_FIRST")->capture_default_str();
  query->add_option("--agg", h->agg, "avg, min, max, sum or count, optionally per period: avg:5m");
  query->add_option("--format", h->format, "json or csv")->check(CLI::IsMember({"json", "csv"}))->capture_default_str();
  query->callback(guarded([&ctx, h] {
    nlohmann::json args{{"topic", h->topic}, {"count", h->count}, {"order", h->order}};
    if (!h->start.empty()) args["start"] = h->start;
    if (!h->end.empty()) args["end"] = h->end;
    if (!h->agg.empty()) {
      const auto colon = h->agg.find(':');
      args["agg"] = h->agg.substr(0, colon);
      if (colon != std::string::npos) args["agg_period"] = h->agg.substr(colon + 1);
    }
    const auto result = call(ctx, *h, "query", nlohmann::json::array({args}).dump());
    if (h->format == "json") {
      std::cout << result.dump(2) << "\n";
      return;
    }
    std::cout << "time," << csv_field(h->topic) << "\n";
    for (const auto& row : result["values"]) std::cout << row[0].get<std::string>() << "," << csv_field(row[1]) << "\n";
  }));

  auto* topics = history->add_subcommand("topics", "stored topics, one per line");
  topics->add_option("pattern", h->pattern, "only those matching, e.g. devices/campus/#")->capture_default_str();
  topics->callback(guarded([&ctx, h] {
    for (const auto& t : call(ctx, *h, "topics", nlohmann::json::array({h->pattern}).dump()))
      std::cout << t.get<std::string>() << "\n";
  }));

  auto* metadata = history->add_subcommand("metadata", "stored topics with their metadata, as JSON");
  metadata->add_option("pattern", h->pattern, "only those matching")->capture_default_str();
  metadata->callback(guarded([&ctx, h] {
    std::cout << call(ctx, *h, "topics_metadata", nlohmann::json::array({h->pattern}).dump()).dump(2) << "\n";
  }));

  history->add_subcommand("status", "the historian's cache, back end and counters, as JSON")
      ->callback(guarded([&ctx, h] { std::cout << call(ctx, *h, "status", "[]").dump(2) << "\n"; }));
}

}  // namespace watt::cli
