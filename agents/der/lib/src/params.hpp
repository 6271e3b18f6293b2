// A built-in model's parameters as its YAML map gives them: each read by
// name, with a default or required; a number, or for bounds a series' name.
// Unknown keys and values that are not what they should be throw ModelError
// naming the model and the key.
#pragma once

#include <watt/der/der_model.hpp>
#include <watt/yaml_keys.hpp>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace watt::der {

class Params {
public:
  Params(const YAML::Node& node, std::string model) : node_(node), model_(std::move(model)) {
    if (node_ && !node_.IsMap()) fail("", "its parameters must be a map");
  }

  double num(const std::string& key, double fallback, double low = -1e12, double high = 1e12) {
    known_.insert(key);
    if (!node_[key]) return fallback;
    return checked(key, low, high);
  }
  double required(const std::string& key, double low = -1e12, double high = 1e12) {
    known_.insert(key);
    if (!node_[key]) fail(key, "is required");
    return checked(key, low, high);
  }
  // A bound: a number, or the name of a forecast series.
  Limit limit(const std::string& key, std::optional<double> fallback) {
    known_.insert(key);
    const auto n = node_[key];
    if (!n) return fallback ? Limit::of(*fallback) : Limit{};
    double v = 0;
    if (YAML::convert<double>::decode(n, v)) {
      if (!std::isfinite(v)) fail(key, "is not a number");
      return Limit::of(v);
    }
    if (n.IsScalar()) return Limit::of_series(n.Scalar());
    fail(key, "must be a number or the name of a series");
  }
  std::string text(const std::string& key, const std::string& fallback) {
    known_.insert(key);
    const auto n = node_[key];
    if (!n) return fallback;
    if (!n.IsScalar()) fail(key, "must be text");
    return n.Scalar();
  }
  // A switch's run constraints and weights, from these parameters.
  void switch_rules(Switch& s) {
    known_.insert("window");
    if (const auto w = node_["window"]) {
      if (!w.IsSequence() || w.size() != 2) fail("window", "must be [first, last] (steps)");
      s.window = std::make_pair(w[0].as<int>(), w[1].as<int>());
    }
    if (node_["run_steps"]) s.run_steps = static_cast<int>(num("run_steps", 0, 0, 1e6));
    if (node_["max_run_steps"]) s.max_run_steps = static_cast<int>(num("max_run_steps", 1, 1, 1e6));
    s.min_up_steps = static_cast<int>(num("min_up_steps", 1, 1, 1e6));
    s.min_down_steps = static_cast<int>(num("min_down_steps", 1, 1, 1e6));
    s.switching_weight = num("switching_weight", 0, 0, 1e9);
    s.initially_on = num("initially_on", 0, 0, 1) > 0.5;
    s.initial_steps = static_cast<int>(num("initial_steps", 1000, 0, 1e9));
    s.steps_run = static_cast<int>(num("steps_run", 0, 0, 1e6));
    s.duty_cycle = node_["duty_cycle"] && duty_cycle();
  }
  // Whether a thermostatic load runs a duty cycle (the default) or the
  // paper's on/off steps.
  bool duty_cycle() {
    known_.insert("duty_cycle");
    const auto n = node_["duty_cycle"];
    if (!n) return true;
    bool v = true;
    if (!YAML::convert<bool>::decode(n, v)) fail("duty_cycle", "must be true or false");
    return v;
  }
  const YAML::Node& node() const { return node_; }
  void use(const std::string& key) { known_.insert(key); }
  // After every read: a key nobody read is a typo.
  void finish() const {
    if (!node_) return;
    if (auto err = watt::yaml::key_error(node_, known_); !err.empty())
      throw ModelError("model '" + model_ + "': " + err);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    throw ModelError("model '" + model_ + "'" + (key.empty() ? std::string() : ", '" + key + "'") + ": " + why);
  }

private:
  double checked(const std::string& key, double low, double high) {
    double v = 0;
    if (!YAML::convert<double>::decode(node_[key], v) || !std::isfinite(v)) fail(key, "is not a number");
    if (v < low || v > high) {
      std::ostringstream o;
      o << "must be from " << low << " to " << high;
      fail(key, o.str());
    }
    return v;
  }

  YAML::Node node_;
  std::string model_;
  std::set<std::string> known_ = {"name", "kind"};
};

}  // namespace watt::der
