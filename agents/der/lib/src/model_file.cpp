#include "params.hpp"

#include <watt/der/builtins.hpp>
#include <watt/der/model_file.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace watt::der {
namespace {

std::map<std::string, double> coefficients(Params& p, const YAML::Node& n, const std::string& where) {
  std::map<std::string, double> out;
  if (!n) return out;
  if (!n.IsMap()) p.fail(where, "must be a map of names to numbers");
  for (const auto& kv : n) {
    double v = 0;
    if (!kv.first.IsScalar() || !YAML::convert<double>::decode(kv.second, v))
      p.fail(where, "must be a map of names to numbers");
    out[kv.first.Scalar()] = v;
  }
  return out;
}

Terms terms(Params& model, const YAML::Node& n, const std::string& where) {
  Params t(n, model.node()["name"].as<std::string>(""));
  Terms out;
  out.states = coefficients(model, n["states"], where + ".states");
  out.controls = coefficients(model, n["controls"], where + ".controls");
  out.switches = coefficients(model, n["switches"], where + ".switches");
  out.inputs = coefficients(model, n["inputs"], where + ".inputs");
  out.constant = t.num("constant", 0);
  for (const char* k : {"states", "controls", "switches", "inputs", "min", "max", "next", "threshold", "initial"})
    t.use(k);
  t.finish();
  return out;
}

// Each entry of a map section (states, controls, switches, outputs) with
// its own parameters.
template <class F>
void each(Params& p, const char* section, F&& f) {
  p.use(section);
  const auto n = p.node()[section];
  if (!n) return;
  if (!n.IsMap()) p.fail(section, "must be a map, by name");
  for (const auto& kv : n) {
    const auto name = kv.first.as<std::string>();
    Params entry(kv.second, p.node()["name"].as<std::string>("") + "." + section + "." + name);
    f(name, entry, std::string(section) + "." + name);
  }
}

DerModel state_space(Params& p, const std::string& name) {
  DerModel m;
  m.name = name;
  m.kind = "state_space";
  p.use("inputs");
  if (const auto in = p.node()["inputs"]) {
    if (!in.IsSequence()) p.fail("inputs", "must be a list of series names");
    for (const auto& i : in) m.inputs.push_back(i.as<std::string>());
  }
  each(p, "states", [&](const std::string& n, Params& e, const std::string& where) {
    State s;
    s.name = n;
    s.initial = e.num("initial", 0);
    s.range = {e.limit("min", std::nullopt), e.limit("max", std::nullopt)};
    if (e.node()["threshold"]) s.threshold = e.num("threshold", 0);
    e.use("next");
    if (!e.node()["next"]) e.fail("next", "is required: the state at the next step");
    s.next = terms(p, e.node()["next"], where + ".next");
    e.finish();
    m.states.push_back(std::move(s));
  });
  each(p, "controls", [&](const std::string& n, Params& e, const std::string&) {
    Control c;
    c.name = n;
    c.range = {e.limit("min", 0.0), e.limit("max", std::nullopt)};
    c.cost = e.num("cost", 0);
    m.controls.push_back(std::move(c));
    e.finish();
  });
  each(p, "switches", [&](const std::string& n, Params& e, const std::string&) {
    Switch s;
    s.name = n;
    e.switch_rules(s);
    e.use("exclusive_with");
    if (const auto x = e.node()["exclusive_with"])
      for (const auto& o : x) s.exclusive_with.push_back(o.as<std::string>());
    e.finish();
    m.switches.push_back(std::move(s));
  });
  each(p, "outputs", [&](const std::string& n, Params& e, const std::string& where) {
    m.outputs.push_back({n, terms(p, e.node(), where), {e.limit("min", std::nullopt), e.limit("max", std::nullopt)}});
  });
  p.use("thermostats");
  for (const auto& t : p.node()["thermostats"]) {
    const auto mode = t["mode"].as<std::string>("cool");
    if (mode != "cool" && mode != "heat") p.fail("thermostats", "mode is cool or heat");
    m.thermostats.push_back({t["state"].as<std::string>(""), t["switch"].as<std::string>(""), mode == "cool"});
  }
  p.finish();
  return m;
}

}  // namespace

ModelSet parse_models(std::string_view yaml, const std::string& source, double step_h) {
  try {
    const auto root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) throw ModelError("not a map with step_minutes and models");
    if (auto err = watt::yaml::key_error(root, {"step_minutes", "models"}); !err.empty()) throw ModelError(err);
    ModelSet set;
    const double minutes = root["step_minutes"].as<double>(30);
    if (!(minutes > 0 && minutes <= 24 * 60)) throw ModelError("'step_minutes' must be from 0 to 1440");
    set.step_h = step_h > 0 ? step_h : minutes / 60;
    if (!root["models"] || !root["models"].IsSequence()) throw ModelError("'models' must be a list");
    std::set<std::string> names;
    for (const auto& n : root["models"]) {
      const auto name = n["name"].as<std::string>("");
      if (name.empty()) throw ModelError("a model without a name");
      if (!names.insert(name).second) throw ModelError("model '" + name + "' twice");
      const auto kind = n["kind"].as<std::string>("");
      if (kind == "state_space") {
        Params p(n, name);
        set.models.push_back(state_space(p, name));
        check(set.models.back());
      } else {
        set.models.push_back(builtin(kind, name, n, set.step_h));
      }
    }
    return set;
  } catch (const ModelError& e) {
    throw ModelError(source + ": " + e.what());
  } catch (const YAML::Exception& e) {
    throw ModelError(source + ": " + e.what());
  }
}

ModelSet load_models(const std::string& file, double step_h) {
  std::ifstream in(file);
  if (!in) throw ModelError(file + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_models(text.str(), file, step_h);
}

}  // namespace watt::der
