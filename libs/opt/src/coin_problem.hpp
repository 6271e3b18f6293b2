// A Model in the arrays COIN-OR loads: bounds with its infinity, and the
// rows as a row-ordered sparse matrix.
#pragma once

#include <watt/opt/model.hpp>

#include <CoinFinite.hpp>
#include <CoinPackedMatrix.hpp>
#include <CoinPackedVector.hpp>

#include <cmath>
#include <vector>

namespace watt::opt::detail {

inline double coin_bound(double b) {
  if (std::isinf(b)) return b > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX;
  return b;
}

struct CoinProblem {
  explicit CoinProblem(const Model& m) : matrix(false, 0, 0) {
    matrix.setDimensions(0, static_cast<int>(m.vars().size()));
    for (const auto& v : m.vars()) {
      col_lower.push_back(coin_bound(v.lower));
      col_upper.push_back(coin_bound(v.upper));
      cost.push_back(v.cost);
    }
    for (const auto& r : m.rows()) {
      CoinPackedVector row;
      for (const auto& t : r.terms) row.insert(t.var, t.coef);
      matrix.appendRow(row);
      row_lower.push_back(coin_bound(r.lower));
      row_upper.push_back(coin_bound(r.upper));
    }
  }
  CoinPackedMatrix matrix;
  std::vector<double> col_lower, col_upper, cost, row_lower, row_upper;
};

}  // namespace watt::opt::detail
