// Economic dispatch: Metropolis–Hastings weights, the spectral gap of W
// against closed forms and a brute-force eigen-solver, and the step size.
#include <watt/ed/error.hpp>
#include <watt/ed/graph.hpp>
#include <watt/ed/symmetric_eigen.hpp>
#include <watt/ed/weights.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using namespace watt::ed;

namespace {

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back("N" + std::to_string(i));
  return ids;
}

Graph shaped(std::size_t n, GraphSpec::Kind kind, double degree = 4, std::uint64_t seed = 1) {
  GraphSpec s;
  s.kind = kind;
  s.degree = degree;
  s.seed = seed;
  return build_graph(names(n), s);
}

std::vector<double> dense(const Graph& g) {
  const auto rows = metropolis(g);
  const auto n = g.size();
  std::vector<double> w(n * n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    w[i * n + i] = rows[i].self_weight;
    for (const auto& [j, x] : rows[i].neighbours) w[i * n + j] = x;
  }
  return w;
}

// Cyclic Jacobi rotations: slow, simple and independent of the library's
// Householder + QL.
std::vector<double> jacobi_eigenvalues(std::vector<double> a, std::size_t n) {
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-30) break;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (std::abs(a[p * n + q]) < 1e-300) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q]);
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p, q
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p, q
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  std::vector<double> d;
  for (std::size_t i = 0; i < n; ++i) d.push_back(a[i * n + i]);
  return d;
}

double brute_gap(const Graph& g) {
  const auto n = g.size();
  auto w = dense(g);
  for (auto& x : w) x -= 1.0 / static_cast<double>(n);
  double radius = 0;
  for (const double e : jacobi_eigenvalues(w, n)) radius = std::max(radius, std::abs(e));
  return 1 - radius;
}

}  // namespace

TEST_CASE("ed weights: Metropolis rows sum to one, are symmetric, 1/3 on a ring and 1/n on a complete graph") {
  const auto ring = metropolis(shaped(8, GraphSpec::Kind::ring));
  for (const auto& row : ring) {
    CHECK(row.self_weight == doctest::Approx(1.0 / 3));
    REQUIRE(row.neighbours.size() == 2);
    for (const auto& [j, w] : row.neighbours) CHECK(w == doctest::Approx(1.0 / 3));
  }
  const auto complete = metropolis(shaped(9, GraphSpec::Kind::complete));
  for (const auto& row : complete) {
    CHECK(row.self_weight == doctest::Approx(1.0 / 9));
    for (const auto& [j, w] : row.neighbours) CHECK(w == doctest::Approx(1.0 / 9));
  }
  for (const auto& g : {shaped(40, GraphSpec::Kind::random, 5, 3), shaped(12, GraphSpec::Kind::ring)}) {
    const auto w = dense(g);
    const auto n = g.size();
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < n; ++j) {
        sum += w[i * n + j];
        CHECK(w[i * n + j] == w[j * n + i]);
        CHECK(w[i * n + j] >= 0);
      }
      CHECK(sum == doctest::Approx(1).epsilon(1e-15));
    }
  }
}

TEST_CASE("ed weights: the spectral gap matches the ring's closed form and the complete graph's 1") {
  for (const std::size_t n : {3u, 4u, 5u, 8u, 16u, 101u, 400u}) {
    INFO("ring of ", n);
    const double closed = 2.0 / 3 * (1 - std::cos(2 * std::numbers::pi / static_cast<double>(n)));
    CHECK(std::abs(spectral_gap(shaped(n, GraphSpec::Kind::ring)) - closed) < 1e-9);
  }
  CHECK(spectral_gap(shaped(16, GraphSpec::Kind::complete)) == 1);
  CHECK(spectral_gap(shaped(1, GraphSpec::Kind::complete)) == 1);
  // K_n with one edge missing is not "complete": the general solver runs.
  GraphSpec spec;
  spec.kind = GraphSpec::Kind::edges;
  const auto ids = names(2);
  spec.edges = {{"N0", "N1"}};
  CHECK(spectral_gap(build_graph(ids, spec)) == 1);
  GraphSpec cut;
  cut.kind = GraphSpec::Kind::edges;
  cut.edges = {{"N0", "N1"}, {"N2", "N3"}};
  CHECK(spectral_gap(build_graph(names(4), cut)) == 0);
}

TEST_CASE("ed weights: the spectral gap matches a brute-force eigen-solver on small graphs") {
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    const auto g = shaped(5 + seed * 3, GraphSpec::Kind::random, 2.5 + static_cast<double>(seed % 3), seed);
    INFO("random graph, seed ", seed);
    CHECK(std::abs(spectral_gap(g) - brute_gap(g)) < 1e-9);
  }
  GraphSpec grid;
  grid.kind = GraphSpec::Kind::grid;
  grid.rows = 3;
  grid.cols = 5;
  const auto g = build_graph(names(15), grid);
  CHECK(std::abs(spectral_gap(g) - brute_gap(g)) < 1e-9);
  GraphSpec star;
  star.kind = GraphSpec::Kind::edges;
  for (std::size_t i = 1; i < 7; ++i) star.edges.emplace_back("N0", "N" + std::to_string(i));
  const auto s = build_graph(names(7), star);
  CHECK(std::abs(spectral_gap(s) - brute_gap(s)) < 1e-9);
}

TEST_CASE("ed weights: the eigen-solver handles diagonal, repeated and random symmetric matrices") {
  CHECK(symmetric_eigenvalues({2, 0, 0, 0, -1, 0, 0, 0, 2}, 3) == std::vector<double>{-1, 2, 2});
  std::mt19937_64 rng(5);
  const std::size_t n = 30;
  std::vector<double> a(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j)
      a[i * n + j] = a[j * n + i] = static_cast<double>(rng() >> 11) * 0x1.0p-53 - 0.5;
  auto brute = jacobi_eigenvalues(a, n);
  std::sort(brute.begin(), brute.end());
  const auto fast = symmetric_eigenvalues(a, n);
  for (std::size_t i = 0; i < n; ++i) CHECK(fast[i] == doctest::Approx(brute[i]).epsilon(1e-10));
}

TEST_CASE("ed weights: the step size is min(1/(3 c_max), gap/c_mean)") {
  CHECK(step_size(10, 5, 1) == doctest::Approx(1.0 / 30));
  CHECK(step_size(10, 5, 0.05) == doctest::Approx(0.01));
  CHECK_THROWS_AS(step_size(0, 5, 1), Error);
  CHECK_THROWS_AS(step_size(10, 5, 0), Error);

  NodeParams g;
  g.id = "G";
  g.a = 0.025;  // c = 20
  NodeParams c;
  c.id = "C";
  c.role = Role::consumer;
  c.s = 0.05;  // c = 10
  const auto stats = step_stats({g, c});
  CHECK(stats.c_max == doctest::Approx(20));
  CHECK(stats.c_mean == doctest::Approx(15));
  CHECK_THROWS_AS(step_stats({}), Error);
}
