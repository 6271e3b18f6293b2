// A linear or mixed-integer program: variables with bounds and a cost, sparse
// linear rows with bounds, a sense. Built by value, checked as it is built
// (an index out of range, a NaN, a lower bound above its upper bound throw
// std::invalid_argument naming the variable or row); solved by watt::opt::solve.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace watt::opt {

inline constexpr double inf = std::numeric_limits<double>::infinity();

enum class VarType { continuous, integer, binary };
enum class Sense { minimize, maximize };

struct Var {
  std::string name;
  double lower = 0, upper = inf, cost = 0;
  VarType type = VarType::continuous;
};

struct Term {
  int var;
  double coef;
};

// lower <= sum(coef * x[var]) <= upper; an equality has lower == upper.
struct Row {
  std::string name;
  std::vector<Term> terms;
  double lower = -inf, upper = inf;
};

class Model {
public:
  // Returns the variable's index.
  int add_var(std::string name, double lower, double upper, double cost = 0, VarType type = VarType::continuous);
  // Returns the row's index. Terms naming one variable twice are summed.
  int add_row(std::string name, std::vector<Term> terms, double lower, double upper);
  int add_le(std::string name, std::vector<Term> terms, double rhs) {
    return add_row(std::move(name), std::move(terms), -inf, rhs);
  }
  int add_ge(std::string name, std::vector<Term> terms, double rhs) {
    return add_row(std::move(name), std::move(terms), rhs, inf);
  }
  int add_eq(std::string name, std::vector<Term> terms, double rhs) {
    return add_row(std::move(name), std::move(terms), rhs, rhs);
  }

  void set_cost(int var, double cost);
  void set_bounds(int var, double lower, double upper);
  void set_row_bounds(int row, double lower, double upper);
  void set_sense(Sense s) noexcept { sense_ = s; }

  const std::vector<Var>& vars() const noexcept { return vars_; }
  const std::vector<Row>& rows() const noexcept { return rows_; }
  Sense sense() const noexcept { return sense_; }
  bool has_integers() const noexcept;

private:
  const Var& var(int i) const;
  std::vector<Var> vars_;
  std::vector<Row> rows_;
  Sense sense_ = Sense::minimize;
};

}  // namespace watt::opt
