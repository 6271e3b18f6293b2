#include <watt/opt/model.hpp>

#include <cmath>
#include <stdexcept>

namespace watt::opt {

namespace {

void check_bounds(const std::string& what, double lower, double upper) {
  if (std::isnan(lower) || std::isnan(upper)) throw std::invalid_argument(what + ": a bound is NaN");
  if (lower > upper)
    throw std::invalid_argument(what + ": lower bound " + std::to_string(lower) + " is above upper bound " +
                                std::to_string(upper));
}

}  // namespace

int Model::add_var(std::string name, double lower, double upper, double cost, VarType type) {
  if (type == VarType::binary) {
    lower = std::max(lower, 0.0);
    upper = std::min(upper, 1.0);
  }
  check_bounds("variable '" + name + "'", lower, upper);
  if (!std::isfinite(cost)) throw std::invalid_argument("variable '" + name + "': its cost is not finite");
  vars_.push_back({std::move(name), lower, upper, cost, type});
  return static_cast<int>(vars_.size() - 1);
}

int Model::add_row(std::string name, std::vector<Term> terms, double lower, double upper) {
  check_bounds("row '" + name + "'", lower, upper);
  std::vector<Term> merged;
  for (const auto& t : terms) {
    (void)var(t.var);
    if (!std::isfinite(t.coef)) throw std::invalid_argument("row '" + name + "': a coefficient is not finite");
    bool found = false;
    for (auto& m : merged)
      if (m.var == t.var) {
        m.coef += t.coef;
        found = true;
      }
    if (!found) merged.push_back(t);
  }
  rows_.push_back({std::move(name), std::move(merged), lower, upper});
  return static_cast<int>(rows_.size() - 1);
}

const Var& Model::var(int i) const {
  if (i < 0 || static_cast<std::size_t>(i) >= vars_.size())
    throw std::invalid_argument("no variable " + std::to_string(i) + " (the model has " + std::to_string(vars_.size()) +
                                ")");
  return vars_[static_cast<std::size_t>(i)];
}

void Model::set_cost(int v, double cost) {
  (void)var(v);
  if (!std::isfinite(cost)) throw std::invalid_argument("variable '" + var(v).name + "': its cost is not finite");
  vars_[static_cast<std::size_t>(v)].cost = cost;
}

void Model::set_bounds(int v, double lower, double upper) {
  check_bounds("variable '" + var(v).name + "'", lower, upper);
  vars_[static_cast<std::size_t>(v)].lower = lower;
  vars_[static_cast<std::size_t>(v)].upper = upper;
}

void Model::set_row_bounds(int r, double lower, double upper) {
  if (r < 0 || static_cast<std::size_t>(r) >= rows_.size()) throw std::invalid_argument("no row " + std::to_string(r));
  check_bounds("row '" + rows_[static_cast<std::size_t>(r)].name + "'", lower, upper);
  rows_[static_cast<std::size_t>(r)].lower = lower;
  rows_[static_cast<std::size_t>(r)].upper = upper;
}

bool Model::has_integers() const noexcept {
  for (const auto& v : vars_)
    if (v.type != VarType::continuous) return true;
  return false;
}

}  // namespace watt::opt
