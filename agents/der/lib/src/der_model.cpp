#include <watt/der/der_model.hpp>

#include <cmath>
#include <set>

namespace watt::der {
namespace {

template <class T>
std::size_t index_of(const DerModel& m, const std::vector<T>& v, const std::string& n, const char* what) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].name == n) return i;
  throw ModelError("model '" + m.name + "': no " + what + " '" + n + "'");
}

void check_terms(const DerModel& m, const Terms& t, const std::string& where) {
  const auto fail = [&](const std::string& why) { throw ModelError("model '" + m.name + "', " + where + ": " + why); };
  const auto finite = [&](const std::map<std::string, double>& coefs, const char* kind, auto&& known) {
    for (const auto& [name, c] : coefs) {
      if (!std::isfinite(c)) fail(std::string(kind) + " '" + name + "': its coefficient is not a number");
      if (!known(name)) fail(std::string("no ") + kind + " '" + name + "'");
    }
  };
  const auto has = [](const auto& v) {
    return [&v](const std::string& n) {
      for (const auto& e : v)
        if (e.name == n) return true;
      return false;
    };
  };
  finite(t.states, "state", has(m.states));
  finite(t.controls, "control", has(m.controls));
  finite(t.switches, "switch", has(m.switches));
  finite(t.inputs, "input", [&](const std::string& n) {
    for (const auto& i : m.inputs)
      if (i == n) return true;
    return false;
  });
  if (!std::isfinite(t.constant)) fail("its constant is not a number");
}

void check_range(const DerModel& m, const Range& r, const std::string& where) {
  for (const Limit* l : {&r.lower, &r.upper})
    if (!l->none && l->series.empty() && std::isnan(l->value))
      throw ModelError("model '" + m.name + "', " + where + ": a bound is not a number");
  if (!r.lower.none && !r.upper.none && r.lower.series.empty() && r.upper.series.empty() &&
      r.lower.value > r.upper.value)
    throw ModelError("model '" + m.name + "', " + where + ": its lower bound is above its upper bound");
}

double apply(const DerModel& m, const Terms& t, const std::vector<double>& x, const std::vector<double>& c,
             const std::vector<double>& d, const std::vector<double>& w) {
  double v = t.constant;
  for (const auto& [n, k] : t.states) v += k * x.at(m.state_index(n));
  for (const auto& [n, k] : t.controls) v += k * c.at(m.control_index(n));
  for (const auto& [n, k] : t.switches) v += k * d.at(m.switch_index(n));
  for (const auto& [n, k] : t.inputs) v += k * w.at(m.input_index(n));
  return v;
}

}  // namespace

const Output& DerModel::power() const { return outputs.at(index_of(*this, outputs, "power", "output")); }
std::size_t DerModel::state_index(const std::string& n) const { return index_of(*this, states, n, "state"); }
std::size_t DerModel::control_index(const std::string& n) const { return index_of(*this, controls, n, "control"); }
std::size_t DerModel::switch_index(const std::string& n) const { return index_of(*this, switches, n, "switch"); }
std::size_t DerModel::input_index(const std::string& n) const {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i] == n) return i;
  throw ModelError("model '" + name + "': no input '" + n + "'");
}

void check(const DerModel& m) {
  if (m.name.empty()) throw ModelError("a model without a name");
  std::set<std::string> names;
  const auto unique = [&](const std::string& n, const char* what) {
    if (n.empty()) throw ModelError("model '" + m.name + "': a " + std::string(what) + " without a name");
    if (!names.insert(std::string(what) + ":" + n).second)
      throw ModelError("model '" + m.name + "': " + what + " '" + n + "' twice");
  };
  for (const auto& s : m.states) {
    unique(s.name, "state");
    if (!std::isfinite(s.initial))
      throw ModelError("model '" + m.name + "', state '" + s.name + "': initial is not a number");
  }
  for (const auto& c : m.controls) unique(c.name, "control");
  for (const auto& s : m.switches) unique(s.name, "switch");
  for (const auto& i : m.inputs) unique(i, "input");
  for (const auto& o : m.outputs) unique(o.name, "output");
  (void)m.power();
  for (const auto& s : m.states) {
    check_terms(m, s.next, "state '" + s.name + "'");
    check_range(m, s.range, "state '" + s.name + "'");
  }
  for (const auto& c : m.controls) check_range(m, c.range, "control '" + c.name + "'");
  for (const auto& o : m.outputs) {
    check_terms(m, o.terms, "output '" + o.name + "'");
    check_range(m, o.range, "output '" + o.name + "'");
  }
  for (const auto& s : m.switches) {
    const auto where = "model '" + m.name + "', switch '" + s.name + "': ";
    for (const auto& other : s.exclusive_with) (void)m.switch_index(other);
    if (s.window && (s.window->first < 0 || s.window->second < s.window->first))
      throw ModelError(where + "its window must be [first, last] steps, first <= last");
    if (s.run_steps && *s.run_steps < 0) throw ModelError(where + "run_steps must be >= 0");
    // Without a window, a required run could be put off past every horizon.
    if (s.run_steps && !s.window) throw ModelError(where + "run_steps needs a window to run it in");
    if (s.max_run_steps && *s.max_run_steps < 1) throw ModelError(where + "max_run_steps must be >= 1");
    if (s.min_up_steps < 1 || s.min_down_steps < 1) throw ModelError(where + "minimum up and down times are >= 1 step");
    if (s.duty_cycle && (s.run_steps || s.max_run_steps || s.min_up_steps > 1 || s.min_down_steps > 1 || s.window))
      throw ModelError(where + "a duty cycle has no run constraints (they count whole steps on)");
    if (!std::isfinite(s.switching_weight) || s.switching_weight < 0)
      throw ModelError(where + "switching_weight must be a number >= 0");
  }
  for (const auto& t : m.thermostats) {
    (void)m.state_index(t.state);
    (void)m.switch_index(t.toggle);
  }
}

StepResult step(const DerModel& m, const std::vector<double>& x, const std::vector<double>& controls,
                const std::vector<double>& switches, const std::vector<double>& inputs) {
  StepResult r;
  for (const auto& s : m.states) r.next.push_back(apply(m, s.next, x, controls, switches, inputs));
  for (const auto& o : m.outputs) r.outputs.push_back(apply(m, o.terms, x, controls, switches, inputs));
  return r;
}

}  // namespace watt::der
