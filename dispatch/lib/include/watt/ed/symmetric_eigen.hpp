// Eigenvalues of a dense real symmetric matrix: Householder reduction to
// tridiagonal form, then the implicit QL algorithm. O(n³), no eigenvectors.
#pragma once

#include <cstddef>
#include <vector>

namespace watt::ed {

// `a` is n×n, row-major, symmetric; it is overwritten. Returns the
// eigenvalues in ascending order. Throws Error if QL fails to converge.
std::vector<double> symmetric_eigenvalues(std::vector<double> a, std::size_t n);

}  // namespace watt::ed
