// watt-energy-hub: seed 004's hub from one command (examples/energy-hub).
// Waits until the MPC hub and the thermostat-only baseline (two energy-hub
// agents on a running platform) have run their steps, reads their records,
// checks every state's band (from the model file) and the peak limit at
// every step, prints both costs side by side, and writes result.json (the
// per-step series, their bounds, both costs) and series.csv for the plots.
//   watt-energy-hub report --models hub.yml --peak 4 --out DIR [--mpc ID] [--baseline ID] [--connect ADDRESS]
#include <watt/client.hpp>
#include <watt/der/model_file.hpp>
#include <watt/error.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using nlohmann::json;
using watt::der::ModelSet;

struct Run {
  json steps;
  double cost = 0;
  int violations = 0, safe_steps = 0;
  std::vector<std::string> first_violations;
};

template <class T>
T call_as(watt::Client& c, const std::string& peer, const std::string& method) {
  auto r = c.call(peer, method).template get_as<T>();
  if (!r) throw watt::Error(peer + "/" + method + ": " + r.error().what());
  return r.value();
}

// Waits until the agent has run all its steps, then reads its record.
json record_of(watt::Client& c, const std::string& id) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (;;) {
    auto s = c.call(id, "status").get_as<std::tuple<int, bool, double, std::uint64_t>>();
    if (s && std::get<1>(s.value())) break;
    if (std::chrono::steady_clock::now() > until) throw watt::Error(id + " did not finish its steps in 10 minutes");
    c.spin_for(std::chrono::milliseconds(200));
  }
  auto r = c.call(id, "record", 0).get_as<std::string>();
  if (!r) throw watt::Error(id + "/record: " + r.error().what());
  return json::parse(r.value());
}

// Every state's band that is a number, and the peak limit, at every step.
Run check(const json& steps, const ModelSet& set, double peak) {
  Run run;
  run.steps = steps;
  for (const auto& s : steps) {
    run.cost += s["cost"].get<double>();
    if (s["safe"].get<bool>()) ++run.safe_steps;
    const auto fail = [&](const std::string& what) {
      ++run.violations;
      if (run.first_violations.size() < 5) run.first_violations.push_back("step " + s["step"].dump() + ": " + what);
    };
    if (s["import_kw"].get<double>() > peak + 1e-6)
      fail(fmt::format("imports {:.2f} kW", s["import_kw"].get<double>()));
    for (const auto& m : set.models)
      for (std::size_t i = 0; i < m.states.size(); ++i) {
        const double x = s["models"][m.name]["end"][i].get<double>();
        const auto& r = m.states[i].range;
        if ((!r.lower.none && r.lower.series.empty() && x < r.lower.value - 1e-6) ||
            (!r.upper.none && r.upper.series.empty() && x > r.upper.value + 1e-6))
          fail(fmt::format("{}.{} at {:.2f}", m.name, m.states[i].name, x));
      }
  }
  return run;
}

void write_series(const std::filesystem::path& file, const Run& mpc, const Run& base, const ModelSet& set) {
  std::ofstream out(file);
  out << "# step hour import_kw";
  for (const auto& m : set.models) {
    for (const auto& st : m.states) out << " " << m.name << "." << st.name;
    out << " " << m.name << ".power_kw";
  }
  out << " baseline.import_kw\n";
  for (std::size_t i = 0; i < mpc.steps.size(); ++i) {
    const auto& s = mpc.steps[i];
    out << s["step"] << " " << s["step"].get<int>() * set.step_h << " " << s["import_kw"];
    for (const auto& m : set.models) {
      for (const auto& v : s["models"][m.name]["end"]) out << " " << v;
      out << " " << s["models"][m.name]["outputs"][static_cast<std::size_t>(&m.power() - m.outputs.data())];
    }
    out << " " << (i < base.steps.size() ? base.steps[i]["import_kw"] : json(0)) << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-energy-hub: seed 004's energy hub, checked and compared with thermostats alone"};
  app.require_subcommand(1);
  std::string models, out, address, mpc_id = "hub-mpc", base_id = "hub-baseline";
  double peak = 4;
  auto* report = app.add_subcommand("report", "wait for both hubs, check every step, compare their costs");
  report->add_option("--models", models, "the hubs' model file")->required();
  report->add_option("--peak", peak, "the peak limit, kW");
  report->add_option("--out", out, "where result.json and series.csv go")->required();
  report->add_option("--mpc", mpc_id, "the MPC hub's identity");
  report->add_option("--baseline", base_id, "the baseline hub's identity");
  report->add_option("--connect", address, "the platform's address (default: $WATT_HOME's)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto set = watt::der::load_models(models);
    watt::ClientOptions o;
    o.identity = "watt-energy-hub";
    o.address = address;
    watt::Client c(o);
    const auto mpc = check(record_of(c, mpc_id), set, peak);
    // The set-points travelled: each device holds the last one sent to it.
    int held = 0, differ = 0;
    c.spin_for(std::chrono::milliseconds(300));  // the last step's set_point calls, answered
    for (const auto& [device, point, value] :
         call_as<std::vector<std::tuple<std::string, std::string, double>>>(c, mpc_id, "targets")) {
      const auto v = c.call("platform-driver", "get_point", device, point).get_as<double>();
      (v && std::abs(v.value() - value) < 1e-9 ? held : differ) += 1;
    }
    const auto base = check(record_of(c, base_id), set, peak);
    std::cout << fmt::format("\n{:<28}{:>14}{:>14}\n", "", "MPC", "thermostats");
    std::cout << fmt::format("{:<28}{:>14}{:>14}\n", "steps", mpc.steps.size(), base.steps.size());
    std::cout << fmt::format("{:<28}{:>14.1f}{:>14.1f}\n", "energy cost (cents)", mpc.cost, base.cost);
    std::cout << fmt::format("{:<28}{:>14}{:>14}\n", "band or peak violations", mpc.violations, base.violations);
    std::cout << fmt::format("{:<28}{:>14}{:>14}\n", "steps on the safe schedule", mpc.safe_steps, "all");
    std::cout << fmt::format("{:<28}{:>14}\n", "devices holding the last",
                             fmt::format("{} of {}", held, held + differ));
    for (const auto& v : mpc.first_violations) std::cout << "  MPC " << v << "\n";
    const bool ok = mpc.violations == 0 && mpc.cost < base.cost && !mpc.steps.empty() && differ == 0 && held > 0;
    std::cout << (ok ? "every band and the peak limit held at every step, and the plan cost less\n"
                     : "FAILED: a band or the peak limit broke, or the plan did not cost less\n");
    json result{{"steps", mpc.steps},
                {"baseline_steps", base.steps},
                {"peak_kw", peak},
                {"cost_cents", {{"mpc", mpc.cost}, {"baseline", base.cost}}},
                {"violations", {{"mpc", mpc.violations}, {"baseline", base.violations}}},
                {"bounds", json::object()}};
    for (const auto& m : set.models)
      for (const auto& st : m.states)
        result["bounds"][m.name + "." + st.name] = {st.range.lower.none ? json(nullptr) : json(st.range.lower.value),
                                                    st.range.upper.none ? json(nullptr) : json(st.range.upper.value)};
    std::filesystem::create_directories(out);
    std::ofstream(std::filesystem::path(out) / "result.json") << result.dump(1) << "\n";
    write_series(std::filesystem::path(out) / "series.csv", mpc, base, set);
    std::cout << "wrote " << (std::filesystem::path(out) / "result.json").string() << " and series.csv\n";
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "watt-energy-hub: " << e.what() << "\n";
    return 1;
  }
}
