// Metropolis–Hastings weights, the spectral gap of W and the step size.
#include <watt/ed/weights.hpp>

#include <watt/ed/error.hpp>
#include <watt/ed/symmetric_eigen.hpp>

#include <algorithm>
#include <cmath>

namespace watt::ed {

std::vector<Neighbourhood> metropolis(const Graph& g) {
  std::vector<Neighbourhood> out(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    double sum = 0;
    for (const auto j : g.neighbours(i)) {
      const double w = 1.0 / static_cast<double>(1 + std::max(g.degree(i), g.degree(j)));
      out[i].neighbours.emplace_back(j, w);
      sum += w;
    }
    out[i].self_weight = 1 - sum;
  }
  return out;
}

double spectral_gap(const Graph& g) {
  const auto n = g.size();
  if (n <= 1) return 1;
  if (!g.connected()) return 0;
  // W = 11ᵀ/n exactly: every eigenvalue but the ones vector's is zero.
  if (g.edge_count() == n * (n - 1) / 2) return 1;
  const auto rows = metropolis(g);
  const double mean = 1.0 / static_cast<double>(n);
  std::vector<double> m(n * n, -mean);
  for (std::size_t i = 0; i < n; ++i) {
    m[i * n + i] += rows[i].self_weight;
    for (const auto& [j, w] : rows[i].neighbours) m[i * n + j] += w;
  }
  const auto eig = symmetric_eigenvalues(std::move(m), n);
  const double radius = std::max(std::abs(eig.front()), std::abs(eig.back()));
  return std::clamp(1 - radius, 0.0, 1.0);
}

StepStats step_stats(const std::vector<NodeParams>& nodes) {
  if (nodes.empty()) throw Error("step size: no nodes to take c_max and c_mean from");
  StepStats s;
  double sum = 0;
  for (const auto& p : nodes) {
    const double c = curvature(p);
    s.c_max = std::max(s.c_max, c);
    sum += c;
  }
  s.c_mean = sum / static_cast<double>(nodes.size());
  return s;
}

double step_size(double c_max, double c_mean, double gap) {
  if (!(c_max > 0) || !(c_mean > 0) || !std::isfinite(c_max) || !std::isfinite(c_mean))
    throw Error("step size: c_max and c_mean must be > 0 (got " + number_text(c_max) + " and " + number_text(c_mean) +
                ")");
  if (!(gap > 0)) throw Error("step size: the spectral gap is " + number_text(gap) + " (is the graph connected?)");
  return std::min(1 / (3 * c_max), gap / c_mean);
}

}  // namespace watt::ed
