// What the optimization benchmarks share: the median time of a repeated
// step, and the baseline every watt::opt figure is printed beside, the same
// model handed to COIN-OR CLP directly.
#pragma once

#include <watt/opt/model.hpp>

#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>
#include <CoinPackedVector.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace bench {

template <class F>
double median_us(int repeats, F&& f) {
  std::vector<double> us;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

// The same LP straight into CLP, with no model of ours; its objective.
inline double raw_clp(const watt::opt::Model& m) {
  CoinPackedMatrix matrix(false, 0, 0);
  matrix.setDimensions(0, static_cast<int>(m.vars().size()));
  std::vector<double> cl, cu, c, rl, ru;
  const auto bound = [](double b) { return std::isinf(b) ? (b > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX) : b; };
  for (const auto& v : m.vars()) {
    cl.push_back(bound(v.lower));
    cu.push_back(bound(v.upper));
    c.push_back(v.cost);
  }
  for (const auto& r : m.rows()) {
    CoinPackedVector row;
    for (const auto& t : r.terms) row.insert(t.var, t.coef);
    matrix.appendRow(row);
    rl.push_back(bound(r.lower));
    ru.push_back(bound(r.upper));
  }
  ClpSimplex s;
  s.setLogLevel(0);
  s.loadProblem(matrix, cl.data(), cu.data(), c.data(), rl.data(), ru.data());
  s.initialSolve();
  return s.objectiveValue();
}

}  // namespace bench
