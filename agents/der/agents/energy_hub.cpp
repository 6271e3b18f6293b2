// energy-hub: seed 004's residential energy hub as an end-user's
// decision-making agent (docs/der.md, The energy-hub agent). Every step it
// plans its models over the horizon (watt::der::RecedingHorizon), applies
// the first step, sends each set-point to its device through the platform
// driver (`set_point` RPCs), and publishes the step on hub/<identity>/step.
// Its plant is its models, driven by its forecasts: the simulated hub of
// examples/energy-hub. With `baseline: true` it runs the thermostats alone.
#include <watt/der/hub_forecasts.hpp>
#include <watt/der/receding.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

namespace watt::der {
namespace {

// Where one switch or control of a model goes: a device's point.
struct Target {
  std::size_t model, index;
  bool is_switch;
  std::string device, point;
};

double number(const YAML::Node& c, const char* key, double fallback, double low, double high) {
  return watt::yaml::number<Error>(c[key], key, fallback, low, high);
}

nlohmann::json step_json(const AppliedStep& a) {
  nlohmann::json models = nlohmann::json::object();
  for (const auto& m : a.models)
    models[m.name] = {{"controls", m.controls}, {"switches", m.switches}, {"outputs", m.outputs},
                      {"start", m.start},       {"end", m.end},           {"planned_end", m.planned_end}};
  return {{"step", a.step},           {"safe", a.safe}, {"why", a.why},           {"import_kw", a.import_kw},
          {"export_kw", a.export_kw}, {"cost", a.cost}, {"solve_ms", a.solve_ms}, {"models", models}};
}

}  // namespace

class EnergyHub : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (hub_) throw Error("the hub's settings are fixed once it runs; restart it to change them");
    if (auto err = watt::yaml::key_error(c, {"models", "horizon", "peak_kw", "step_ms", "steps", "baseline", "driver",
                                             "devices", "energy_weight", "storage_weight", "switching_weight"});
        !err.empty())
      throw Error(err);
    if (!c["models"]) throw Error("'models': the hub's model file is required");
    try {
      set_ = load_models(c["models"].as<std::string>());
    } catch (const ModelError& e) {
      throw Error(e.what());
    }
    settings_.horizon = static_cast<int>(number(c, "horizon", 96, 1, 2000));
    if (c["peak_kw"]) settings_.peak_kw = Limit::of(number(c, "peak_kw", 0, 0, 1e9));
    settings_.weights = {number(c, "energy_weight", 1, 0, 1e9), number(c, "storage_weight", 1, 0, 1e9),
                         number(c, "switching_weight", 1, 0, 1e9)};
    step_ms_ = static_cast<long>(number(c, "step_ms", set_.step_h * 3600 * 1000, 1, 1e9));
    steps_ = static_cast<int>(number(c, "steps", 0, 0, 1e7));
    baseline_ = watt::yaml::flag<Error>(c["baseline"], "baseline", false);
    driver_ = c["driver"].as<std::string>("platform-driver");
    auto mapped = targets(c["devices"]);
    check_series();
    // Last: a refused configuration leaves the agent free to take the next.
    targets_ = std::move(mapped);
    hub_ = std::make_unique<RecedingHorizon>(set_, settings_);
  }

  void on_start() override {
    if (!hub_) throw Error("no configuration: the hub needs at least its 'models'");
    forecasts_ = hub_forecasts((steps_ > 0 ? steps_ : 48 * 2) + settings_.horizon + 1, HubDays{set_.step_h});
    every(std::chrono::milliseconds(step_ms_), [this] { step(); });
    export_method("record", [this](int from) {
      nlohmann::json out = nlohmann::json::array();
      for (std::size_t i = static_cast<std::size_t>(std::max(from, 0)); i < hub_->record().size(); ++i)
        out.push_back(step_json(hub_->record()[i]));
      return out.dump();
    });
    // Where each set-point goes, and the value sent last: the devices hold it.
    export_method("targets", [this] {
      std::vector<std::tuple<std::string, std::string, double>> out;  // device, point, value
      for (const auto& t : targets_) {
        double v = 0;
        if (!hub_->record().empty()) {
          const auto& m = hub_->record().back().models[t.model];
          v = t.is_switch ? m.switches[t.index] : m.controls[t.index];
        }
        out.emplace_back(t.device, t.point, v);
      }
      return out;
    });
    export_method("status", [this] {
      return std::make_tuple(hub_->step(), steps_ > 0 && hub_->step() >= steps_, hub_->total_cost(), failed_sets_);
    });
  }

private:
  // Every series the models read is one the hub's days make.
  void check_series() const {
    const auto days = hub_forecasts(1, HubDays{set_.step_h});
    const auto known = [&](const std::string& n) { return n.empty() || days.contains(n); };
    for (const auto& m : set_.models) {
      for (const auto& i : m.inputs)
        if (!known(i)) throw Error("model '" + m.name + "' reads series '" + i + "', which the hub's days do not make");
      for (const auto& st : m.states)
        if (!known(st.range.lower.series) || !known(st.range.upper.series))
          throw Error("model '" + m.name + "', state '" + st.name +
                      "': a bound names a series the hub's days do not make");
    }
  }

  std::vector<Target> targets(const YAML::Node& devices) const {
    std::vector<Target> out;
    for (const auto& d : devices) {
      // "fridge.on: {device: home/fridge, point: on}"
      const auto key = d.first.as<std::string>();
      const auto dot = key.find('.');
      if (dot == std::string::npos) throw Error("devices: '" + key + "' must be <model>.<switch or control>");
      const auto model = key.substr(0, dot), what = key.substr(dot + 1);
      std::size_t k = 0;
      while (k < set_.models.size() && set_.models[k].name != model) ++k;
      if (k == set_.models.size()) throw Error("devices: no model '" + model + "'");
      const auto& m = set_.models[k];
      Target t{k, 0, true, d.second["device"].as<std::string>(""), d.second["point"].as<std::string>(what)};
      if (t.device.empty()) throw Error("devices: '" + key + "' needs a device");
      try {
        t.index = m.switch_index(what);
      } catch (const ModelError&) {
        t.is_switch = false;
        try {
          t.index = m.control_index(what);
        } catch (const ModelError&) {
          throw Error("devices: model '" + model + "' has no switch or control '" + what + "'");
        }
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  void step() {
    if (steps_ > 0 && hub_->step() >= steps_) return;
    // Running for ever: the days go on.
    if (static_cast<std::size_t>(hub_->step() + settings_.horizon + 1) >= forecasts_["price"].size())
      forecasts_ = hub_forecasts(static_cast<int>(forecasts_["price"].size()) * 2, HubDays{set_.step_h});
    const auto& a = apply_step();
    if (a.safe && !baseline_) log().warn("step {}: no plan, the safe schedule runs: {}", a.step, a.why);
    for (const auto& t : targets_) {
      const auto& m = a.models[t.model];
      const double v = t.is_switch ? m.switches[t.index] : m.controls[t.index];
      call(driver_, "set_point", t.device, t.point, v).then([this, t](Result<Value> r) {
        if (r) return;
        ++failed_sets_;
        if (failed_sets_ == 1 || failed_sets_ % 100 == 0)
          log().warn("set_point {} {} failed ({} so far): {}", t.device, t.point, failed_sets_, r.error().what());
      });
    }
    publish("hub/" + identity() + "/step", step_json(a).dump());
    if (steps_ > 0 && hub_->step() >= steps_)
      log().info("{} steps done: cost {:.1f} cents", hub_->step(), hub_->total_cost());
  }

  // A plan that throws (a bound that contradicts itself over a series) is
  // no reason to stop the house: the safe schedule runs.
  const AppliedStep& apply_step() {
    if (baseline_) return hub_->advance_safe(forecasts_);
    try {
      return hub_->advance(forecasts_);
    } catch (const std::exception& e) {
      log().error("step {}: {}; the safe schedule runs", hub_->step(), e.what());
      return hub_->advance_safe(forecasts_);
    }
  }

  ModelSet set_;
  MpcSettings settings_;
  long step_ms_ = 1800000;
  int steps_ = 0;
  bool baseline_ = false;
  std::string driver_ = "platform-driver";
  std::vector<Target> targets_;
  std::unique_ptr<RecedingHorizon> hub_;
  Forecasts forecasts_;
  std::uint64_t failed_sets_ = 0;
};

}  // namespace watt::der

WATT_AGENT(watt::der::EnergyHub)
