// An experiment's report: Table 2's shape beside the paper's, the checks of
// its signs and orderings and of the bus against the direct calls, and the
// files (result.json, flows_S<n>_case<m>.csv).
#include "experiment.hpp"

#include <watt/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>

namespace watt::org::tool {
namespace {

using nlohmann::json;

std::string scenario(const RunRecord& r) { return r.shiftable ? "S2" : "S1"; }
std::string case_name(const RunRecord& r) { return r.iterative ? "case2" : "case1"; }

const RunRecord& find(const std::vector<RunRecord>& runs, bool shiftable, bool iterative) {
  for (const auto& r : runs)
    if (r.shiftable == shiftable && r.iterative == iterative) return r;
  throw Error("the experiment is missing a run");
}

bool same(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); }

void write_flows(const RunRecord& r, const fs::path& file) {
  std::ofstream out(file, std::ios::trunc);
  const auto& m = r.result;
  out << "hour";
  for (const auto& g : m.regions) out << ",end_users_to_" << g;
  out << ",disco_to_end_users";
  for (const auto& g : m.regions) out << "," << g << "_to_disco";
  out << ",market_to_disco\n";
  for (std::size_t t = 0; t < m.market.size(); ++t) {
    out << t + 1;
    for (const auto& a : m.a2d) out << fmt::format(",{:.6f}", a[t]);  // (6): what the end-users sold equals it
    out << fmt::format(",{:.6f}", m.d2l_total[t]);
    for (const auto& a : m.a2d) out << fmt::format(",{:.6f}", a[t]);
    out << fmt::format(",{:.6f}\n", m.market[t]);
  }
  if (!out.flush()) throw Error("cannot write " + file.string());
}

struct Check {
  std::string what;
  bool held;
};

std::vector<Check> checks(const std::vector<RunRecord>& runs) {
  std::vector<Check> out;
  const auto& s1c1 = find(runs, false, false).result;
  const auto& s2c1 = find(runs, true, false).result;
  out.push_back({"Case 1, S1: EC^e, EC^a, EC^d all negative", s1c1.ec_e < 0 && s1c1.ec_a < 0 && s1c1.ec_d < 0});
  out.push_back({"Case 1, S2: EC^e < 0, EC^a > 0, EC^d < 0", s2c1.ec_e < 0 && s2c1.ec_a > 0 && s2c1.ec_d < 0});
  for (bool shiftable : {false, true}) {
    const auto& c1 = find(runs, shiftable, false).result;
    const auto& c2 = find(runs, shiftable, true).result;
    const std::string s = shiftable ? "S2" : "S1";
    out.push_back({"Case 2, " + s + ": EC^a < 0", c2.ec_a < 0});
    out.push_back({"Case 2, " + s + ": EC^e above Case 1's", c2.ec_e > c1.ec_e});
    out.push_back({"Case 2, " + s + ": EC^d below Case 1's", c2.ec_d < c1.ec_d});
    out.push_back({"Case 2, " + s + ": converged", c2.converged});
  }
  for (const auto& r : runs)
    out.push_back({scenario(r) + " " + case_name(r) + ": (1)-(8) hold at every hour" +
                       (r.balance.empty() ? std::string() : " (" + r.balance + ")"),
                   r.balance.empty()});
  for (const auto& r : runs)
    out.push_back({scenario(r) + " " + case_name(r) + ": the bus agrees with the direct calls",
                   same(r.result.ec_e, r.reference_ec_e) && same(r.result.ec_a, r.reference_ec_a) &&
                       same(r.result.ec_d, r.reference_ec_d)});
  return out;
}

json published(const fs::path& case_json) {
  std::ifstream in(case_json);
  const auto j = json::parse(in, nullptr, false);
  return j.is_discarded() ? json() : j["seed_003"]["table2_published"];
}

}  // namespace

bool report(const Experiment& e, const std::vector<RunRecord>& runs, const fs::path& out, const fs::path& case_json) {
  fs::create_directories(out);
  const json paper = e.paper ? published(case_json) : json();
  json result;
  std::cout << fmt::format("\n{:<16}{:>14}{:>14}{:>14}{:>14}\n", "expected cost", "S1 (Watt)", "S1 (paper)",
                           "S2 (Watt)", "S2 (paper)");
  for (const char* c : {"case1", "case2"})
    for (const char* k : {"ECe", "ECa", "ECd"}) {
      std::string line = fmt::format("{:<16}", fmt::format("{} ({})", k, c));
      for (bool shiftable : {false, true}) {
        const auto& r = find(runs, shiftable, std::string(c) == "case2").result;
        const double v = k[2] == 'e' ? r.ec_e : k[2] == 'a' ? r.ec_a : r.ec_d;
        const std::string s = shiftable ? "S2" : "S1";
        result[s][c][k] = v;
        const auto p = paper.is_object() ? paper[s][c][k] : json();
        line += fmt::format("{:>14.3f}{:>14}", v, p.is_number() ? fmt::format("{:.3f}", p.get<double>()) : "-");
      }
      std::cout << line << "\n";
    }
  for (const auto& r : runs) {
    result["rounds"][scenario(r)][case_name(r)] = r.result.rounds;
    result["round_ms"][scenario(r)][case_name(r)] = r.result.round_ms;
    result["stop"][scenario(r)][case_name(r)] = r.result.stop;
    write_flows(r, out / ("flows_" + scenario(r) + "_" + case_name(r) + ".csv"));
  }
  result["end_users"] = e.trading.users.size();
  result["regions"] = e.trading.regions.size();
  bool all = true;
  std::cout << "\n";
  for (const auto& c : checks(runs)) {
    std::cout << (c.held ? "  ok    " : "  FAIL  ") << c.what << "\n";
    result["checks"][c.what] = c.held;
    all = all && c.held;
  }
  std::ofstream(out / "result.json", std::ios::trunc) << result.dump(2) << "\n";
  std::cout << "\nwrote " << (out / "result.json").string() << " and the hourly flows beside it\n";
  return all;
}

}  // namespace watt::org::tool
