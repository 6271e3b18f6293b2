// Best replies, injections and parameter checks for one node.
#include <watt/ed/model.hpp>

#include <watt/ed/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace watt::ed {

const char* role_name(Role role) { return role == Role::generator ? "generator" : "consumer"; }

double upper_bound(const NodeParams& p) {
  if (p.role == Role::generator) return std::max(0.0, p.pmax);
  // A consumer with w ≤ 0 gains nothing from any power: its cap is zero.
  return std::max(0.0, std::min(p.pmax, p.w / (2 * p.s)));
}

double best_reply(const NodeParams& p, double lambda) {
  const double x = p.role == Role::generator ? (lambda - p.b) / (2 * p.a) : (p.w - lambda) / (2 * p.s);
  return std::clamp(x, 0.0, upper_bound(p));
}

double injection(const NodeParams& p, double power) { return p.role == Role::generator ? power : -power; }

double curvature(const NodeParams& p) { return p.role == Role::generator ? 1 / (2 * p.a) : 1 / (2 * p.s); }

double initial_lambda(const NodeParams& p) { return p.role == Role::generator ? p.b : p.w; }

double cost_or_utility(const NodeParams& p, double power) {
  if (p.role == Role::generator) return p.a * power * power + p.b * power + p.c;
  return p.w * power - p.s * power * power;
}

std::string id_error(const std::string& id) {
  if (id.empty()) return "node id is empty";
  for (const char ch : id) {
    if (ch == '/' || ch == '+' || ch == '#' || std::isspace(static_cast<unsigned char>(ch)) ||
        std::iscntrl(static_cast<unsigned char>(ch)))
      return "node id '" + id + "' must be one topic segment (no '/', '+', '#', whitespace or control characters)";
  }
  // ed/<run>/status and the like share the topic level with node ids.
  static constexpr std::array reserved = {"status", "result", "control"};
  for (const char* name : reserved)
    if (id == name) return "node id '" + id + "' is reserved (status, result and control are topics of the run)";
  return "";
}

namespace {

void finite(const NodeParams& p, const char* field, double v) {
  if (!std::isfinite(v))
    throw Error("node " + p.id + ": " + field + " must be a finite number (got " + number_text(v) + ")");
}

void positive(const NodeParams& p, const char* field, double v) {
  finite(p, field, v);
  if (!(v > 0)) throw Error("node " + p.id + ": " + field + " must be > 0 (got " + number_text(v) + ")");
}

}  // namespace

void validate(const NodeParams& p) {
  if (auto err = id_error(p.id); !err.empty()) throw Error(err);
  if (p.role == Role::generator) {
    positive(p, "a", p.a);
    finite(p, "b", p.b);
    finite(p, "c", p.c);
  } else {
    finite(p, "w", p.w);
    positive(p, "s", p.s);
  }
  finite(p, "pmax", p.pmax);
  if (p.pmax < 0) throw Error("node " + p.id + ": pmax must be >= 0 (got " + number_text(p.pmax) + ")");
  finite(p, "demand", p.demand);
}

}  // namespace watt::ed
