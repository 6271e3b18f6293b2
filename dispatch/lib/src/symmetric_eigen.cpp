// Householder tridiagonalisation and implicit QL with Wilkinson-style shifts
// (the tred2/tqli pair of Numerical Recipes, eigenvalues only), working on the
// lower triangle so a 1000-node graph takes well under a second.
#include <watt/ed/symmetric_eigen.hpp>

#include <watt/ed/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace watt::ed {
namespace {

// Reduces a (lower triangle used) to tridiagonal form: d the diagonal, e[i]
// the entry coupling i and i+1 (e[n-1] = 0).
void tridiagonalise(std::vector<double>& a, std::size_t n, std::vector<double>& d, std::vector<double>& e) {
  auto at = [&](std::size_t i, std::size_t j) -> double& { return a[i * n + j]; };
  d.assign(n, 0);
  e.assign(n, 0);
  std::vector<double> v(n), p(n);
  for (std::size_t k = 0; k + 2 < n; ++k) {
    const std::size_t m0 = k + 1;  // the trailing block is rows/cols m0..n-1
    double norm2 = 0;
    for (std::size_t i = m0; i < n; ++i) norm2 += at(i, k) * at(i, k);
    d[k] = at(k, k);
    const double x0 = at(m0, k);
    const double alpha = -std::copysign(std::sqrt(norm2), x0);
    double vv = 0;
    for (std::size_t i = m0; i < n; ++i) {
      v[i] = at(i, k) - (i == m0 ? alpha : 0.0);
      vv += v[i] * v[i];
    }
    e[k] = alpha;
    if (vv == 0) continue;  // the column is already reduced
    const double beta = 2 / vv;
    // p = β B v over the symmetric block, reading its lower triangle only.
    std::fill(p.begin() + static_cast<std::ptrdiff_t>(m0), p.end(), 0.0);
    for (std::size_t i = m0; i < n; ++i) {
      const double* row = &a[i * n];
      double sum = 0;
      for (std::size_t j = m0; j < i; ++j) {
        sum += row[j] * v[j];
        p[j] += row[j] * v[i];
      }
      p[i] += sum + row[i] * v[i];
    }
    double vp = 0;
    for (std::size_t i = m0; i < n; ++i) {
      p[i] *= beta;
      vp += v[i] * p[i];
    }
    const double half = beta * vp / 2;
    for (std::size_t i = m0; i < n; ++i) p[i] -= half * v[i];  // p becomes q
    for (std::size_t i = m0; i < n; ++i) {
      double* row = &a[i * n];
      const double vi = v[i], qi = p[i];
      for (std::size_t j = m0; j <= i; ++j) row[j] -= vi * p[j] + qi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = at(n - 2, n - 2);
    e[n - 2] = at(n - 1, n - 2);
  }
  if (n >= 1) d[n - 1] = at(n - 1, n - 1);
}

void implicit_ql(std::vector<double>& d, std::vector<double>& e) {
  const auto n = static_cast<std::ptrdiff_t>(d.size());
  auto D = [&](std::ptrdiff_t i) -> double& { return d[static_cast<std::size_t>(i)]; };
  auto E = [&](std::ptrdiff_t i) -> double& { return e[static_cast<std::size_t>(i)]; };
  for (std::ptrdiff_t l = 0; l < n; ++l) {
    int iterations = 0;
    std::ptrdiff_t m = l;
    do {
      for (m = l; m < n - 1; ++m) {
        const double dd = std::abs(D(m)) + std::abs(D(m + 1));
        if (std::abs(E(m)) <= std::numeric_limits<double>::epsilon() * dd) break;
      }
      if (m == l) break;
      if (++iterations > 100) throw Error("eigenvalues: QL did not converge");
      double g = (D(l + 1) - D(l)) / (2 * E(l));
      double r = std::hypot(g, 1.0);
      g = D(m) - D(l) + E(l) / (g + std::copysign(r, g));
      double s = 1, c = 1, p = 0;
      bool underflow = false;
      for (std::ptrdiff_t i = m - 1; i >= l; --i) {
        const double f = s * E(i);
        const double b = c * E(i);
        r = std::hypot(f, g);
        E(i + 1) = r;
        if (r == 0) {  // recover from underflow: deflate and start again
          D(i + 1) -= p;
          E(m) = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = D(i + 1) - p;
        r = (D(i) - g) * s + 2 * c * b;
        p = s * r;
        D(i + 1) = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      D(l) -= p;
      E(l) = g;
      E(m) = 0;
    } while (m != l);
  }
}

}  // namespace

std::vector<double> symmetric_eigenvalues(std::vector<double> a, std::size_t n) {
  if (a.size() != n * n) throw Error("eigenvalues: the matrix is not n x n");
  std::vector<double> d, e;
  tridiagonalise(a, n, d, e);
  implicit_ql(d, e);
  std::sort(d.begin(), d.end());
  return d;
}

}  // namespace watt::ed
