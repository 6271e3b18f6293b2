#include "diagnose.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace watt::opt::detail {
namespace {

constexpr double tiny = 1e-9;
constexpr std::size_t shown = 8;

// The indices of `v`'s entries larger than tiny, largest first.
std::vector<int> leading(const std::vector<double>& v) {
  std::vector<int> idx;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (std::abs(v[i]) > tiny) idx.push_back(static_cast<int>(i));
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
    return std::abs(v[static_cast<std::size_t>(a)]) > std::abs(v[static_cast<std::size_t>(b)]);
  });
  return idx;
}

}  // namespace

std::vector<std::string> infeasible_at(const Model& model, ClpSimplex& s) {
  std::unique_ptr<double[]> ray(s.infeasibilityRay());
  if (!ray) {
    // Presolve can prove infeasibility without a ray: the dual simplex on the
    // whole model leaves one.
    s.dual();
    ray.reset(s.infeasibilityRay());
  }
  if (!ray) return {};
  const auto& rows = model.rows();
  std::vector<double> y(ray.get(), ray.get() + rows.size());
  // The combination's coefficient on each variable: where it is not zero,
  // that variable's bound closes the contradiction.
  std::vector<double> d(model.vars().size(), 0.0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (const auto& t : rows[i].terms) d[static_cast<std::size_t>(t.var)] += y[i] * t.coef;
  std::vector<std::string> out;
  for (int i : leading(y)) out.push_back("row '" + rows[static_cast<std::size_t>(i)].name + "'");
  for (int j : leading(d)) {
    const auto& name = model.vars()[static_cast<std::size_t>(j)].name;
    // y·A·x = y·r: a negative coefficient is held by the variable's upper
    // bound, a positive one by its lower (CLP's sign convention). The bounds
    // are CLP's: a warm-started solver changes them after the model is built.
    const bool upper = d[static_cast<std::size_t>(j)] < 0;
    const double bound = upper ? s.columnUpper()[j] : s.columnLower()[j];
    if (std::abs(bound) < 1e29) out.push_back(std::string(upper ? "upper" : "lower") + " bound of '" + name + "'");
  }
  return out;
}

std::vector<std::string> unbounded_at(const Model& model, ClpSimplex& s) {
  std::unique_ptr<double[]> ray(s.unboundedRay());
  if (!ray) return {};
  const std::vector<double> r(ray.get(), ray.get() + model.vars().size());
  std::vector<std::string> out;
  for (int j : leading(r)) {
    const auto& name = model.vars()[static_cast<std::size_t>(j)].name;
    const bool up = r[static_cast<std::size_t>(j)] > 0;
    if (up && s.columnUpper()[j] >= 1e29) out.push_back("no upper bound on '" + name + "'");
    if (!up && s.columnLower()[j] <= -1e29) out.push_back("no lower bound on '" + name + "'");
  }
  return out;
}

std::string at_fault_text(const std::vector<std::string>& at_fault) {
  if (at_fault.empty()) return {};
  std::string out = "; at fault: ";
  for (std::size_t i = 0; i < std::min(at_fault.size(), shown); ++i) out += (i > 0 ? ", " : "") + at_fault[i];
  if (at_fault.size() > shown) out += " and " + std::to_string(at_fault.size() - shown) + " more";
  return out;
}

}  // namespace watt::opt::detail
