// bench_opt: watt::opt's solve times on the shapes the organizations, the hub
// and the markets solve, beside COIN-OR CLP called directly on the same LP in
// the same run (what the wrapper costs), and a warm start beside a cold one.
//   lp    a household's day: H hours, each with load, grid import and export,
//         a battery's charge, discharge and state of charge (6 variables and
//         2 rows an hour), costs from a price curve
//   warm  the same LP with every price moved, solved again: LpSolver's warm
//         start beside a cold solve
//   mip   the same day with the battery's charge and discharge exclusive
//         (one binary an hour)
#include "bench_common.hpp"
#include "opt_baseline.hpp"

#include <watt/opt/lp_solver.hpp>
#include <watt/opt/solve.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <iostream>

namespace {

using namespace watt::opt;
using bench::median_us;
using bench::raw_clp;

double price(int h, double shift) { return 0.2 + 0.1 * std::sin((h + shift) * 2 * M_PI / 24.0); }
double load(int h) { return 1.0 + 0.5 * std::cos(h * 2 * M_PI / 24.0); }

struct Day {
  Model model;
  std::vector<int> import_var;
};

// Per hour: import - export + discharge - charge = load; soc[h] = soc[h-1] + 0.95 charge - discharge / 0.95.
Day day(int hours, bool exclusive) {
  Day d;
  Model& m = d.model;
  int soc_before = -1;
  for (int h = 0; h < hours; ++h) {
    const int imp = m.add_var("import", 0, 5, price(h, 0));
    const int exp = m.add_var("export", 0, 5, -0.5 * price(h, 0));
    const int ch = m.add_var("charge", 0, 2);
    const int dis = m.add_var("discharge", 0, 2);
    const int soc = m.add_var("soc", 0, 10);
    d.import_var.push_back(imp);
    m.add_eq("balance", {{imp, 1}, {exp, -1}, {dis, 1}, {ch, -1}}, load(h));
    std::vector<Term> t{{soc, 1}, {ch, -0.95}, {dis, 1 / 0.95}};
    if (soc_before >= 0) t.push_back({soc_before, -1});
    m.add_eq("soc", t, soc_before >= 0 ? 0 : 5);
    if (exclusive) {
      const int on = m.add_var("charging", 0, 1, 0, VarType::binary);
      m.add_le("charge only when charging", {{ch, 1}, {on, -2}}, 0);
      m.add_le("discharge only when not", {{dis, 1}, {on, 2}}, 2);
    }
    soc_before = soc;
  }
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt::opt: solve times beside COIN-OR CLP called directly"};
  std::vector<int> hours = {24, 168, 8760};
  int repeats = 21;
  app.add_option("--hours", hours, "horizons, one row of the table each");
  app.add_option("--repeats", repeats, "solves per figure (the median is shown)");
  CLI11_PARSE(app, argc, argv);
  bench::Table t({"hours", "variables", "rows", "LP (watt::opt)", "LP (CLP directly)", "re-solve, new prices: cold",
                  "warm (LpSolver)", "MILP (charge xor discharge)"});
  for (int h : hours) {
    const Day lp = day(h, false);
    double objective = 0;
    const double ours = median_us(repeats, [&] { objective = solve(lp.model).objective; });
    double direct = 0;
    const double raw = median_us(repeats, [&] { direct = raw_clp(lp.model); });
    if (std::abs(direct - objective) > 1e-6 * (1 + std::abs(direct))) throw std::runtime_error("objectives differ");
    // New prices (a later hour's curve), cold and warm.
    Model moved = lp.model;
    for (int k = 0; k < h; ++k) moved.set_cost(lp.import_var[static_cast<std::size_t>(k)], price(k, 3));
    const double cold = median_us(repeats, [&] { (void)solve(moved); });
    LpSolver warm(lp.model);
    (void)warm.solve();
    int flip = 0;
    const double warm_us = median_us(repeats, [&] {
      const double shift = (flip++ % 2 == 0) ? 3 : 0;  // back and forth, so each solve has work to do
      for (int k = 0; k < h; ++k) warm.set_cost(lp.import_var[static_cast<std::size_t>(k)], price(k, shift));
      (void)warm.solve();
    });
    const Day mip = day(h, true);
    const double mip_us = h <= 168 ? median_us(std::max(3, repeats / 7), [&] { (void)solve(mip.model); }) : 0;
    t.add({std::to_string(h), std::to_string(lp.model.vars().size()), std::to_string(lp.model.rows().size()),
           bench::fixed(ours / 1000, 2) + " ms", bench::fixed(raw / 1000, 2) + " ms",
           bench::fixed(cold / 1000, 2) + " ms", bench::fixed(warm_us / 1000, 2) + " ms",
           mip_us > 0 ? bench::fixed(mip_us / 1000, 1) + " ms" : "-"});
  }
  t.print(std::cout);
  return 0;
}
