// bench_org: seed 003's trading model, solved and iterated by direct calls:
//   E      one end-user's Problem E (24 hours), S1 and S2, beside the same LP
//          handed to COIN-OR CLP directly
//   D      the DisCo's Problem D for the 33-bus case and for a generated one
//   round  one round of Case 2 (every end-user's E, the regions' sums, D),
//          by direct calls: the floor under a round over the bus, which
//          examples/org33/run.sh measures (docs/performance.md)
#include "bench_common.hpp"
#include "opt_baseline.hpp"

#include <watt/opt/solve.hpp>
#include <watt/org/case_file.hpp>
#include <watt/org/trading_run.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

using namespace watt::org;

std::string read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

DiscoProblem problem_d(const TradingCase& c) {
  const auto r = run_trading(c, {true, true, 1e-6, 50});
  DiscoProblem p;
  for (const auto& a : r.regions) p.a2d.push_back(a.a2d);
  for (const auto& g : c.regions) p.price_l2a.push_back(g.price_l2a);
  p.price_market = c.price_market;
  for (const auto& u : c.users) {
    Series cap;
    for (double l : u.load) cap.push_back(c.d2l_cap * l);
    p.d2l_cap.push_back(cap);
  }
  p.lambda_d2l = c.lambda_d2l;
  p.delta = c.delta;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"seed 003's trading model: solve and round times"};
  std::string dir = "examples/org33";
  std::vector<std::size_t> users = {1000};
  int repeats = 21;
  app.add_option("--example", dir, "where org33.yml and org33_case.json are")->capture_default_str();
  app.add_option("--users", users, "generated cases (10 regions each) besides the 33-bus one")->capture_default_str();
  app.add_option("--repeats", repeats, "per figure (the median is shown)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const auto choices = read_choices(read(dir + "/org33.yml"), "org33.yml");
  const auto json = read(dir + "/org33_case.json");
  std::vector<std::pair<std::string, TradingCase>> cases{{"33-bus", org33_case(json, choices)}};
  for (auto n : users) cases.emplace_back(std::to_string(n) + " end-users", generated_case(json, choices, n, 10, 1));

  const auto& c = cases.front().second;
  bench::Table e({"Problem E (24 h)", "variables", "rows", "watt::org", "CLP directly"});
  for (bool shiftable : {false, true}) {
    const EndUserProblem p{c.users.front().load,
                           c.regions.front().price_l2a,
                           Series(c.hours(), 0.0),
                           c.lambda_d2l,
                           c.gamma_p,
                           c.gamma_c,
                           shiftable};
    const auto m = end_user_model(p);
    const double ours = bench::median_us(repeats, [&] { (void)solve_end_user(p); });
    const double raw = bench::median_us(repeats, [&] { (void)bench::raw_clp(m); });
    e.add({shiftable ? "S2 (shiftable)" : "S1 (interruptible)", std::to_string(m.vars().size()),
           std::to_string(m.rows().size()), bench::fixed(ours / 1000, 3) + " ms", bench::fixed(raw / 1000, 3) + " ms"});
  }
  e.print(std::cout);
  std::cout << "\n";
  bench::Table t({"case", "end-users", "Problem D", "round of Case 2 (direct calls)", "rounds", "Case 2, S2 in all"});
  for (const auto& [name, tc] : cases) {
    const auto d = problem_d(tc);
    const double d_us = bench::median_us(std::max(3, repeats / 3), [&] { (void)solve_disco(d); });
    TradingResult r;
    const double run_us = bench::median_us(std::max(3, repeats / 7), [&] {
      r = run_trading(tc, {true, true, 1e-6, 50});
    });
    t.add({name, std::to_string(tc.users.size()), bench::fixed(d_us / 1000, 2) + " ms",
           bench::fixed(run_us / 1000 / r.rounds, 1) + " ms", std::to_string(r.rounds),
           bench::fixed(run_us / 1000, 1) + " ms"});
  }
  t.print(std::cout);
  return 0;
}
