// watt-ed: the dispatch run's companion tool. `plan` splits a run file into
// one configuration per node agent (each holding only its own nodes' private
// parameters) plus the monitor's; `solve` prints the centralized dispatch;
// `table` prints a finished run's result beside the centralized solution and,
// if given, a reference table (examples/ed16/thesis_table1.yml).
#include <watt/ed/central.hpp>
#include <watt/ed/error.hpp>
#include <watt/ed/run_config.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

namespace {

namespace fs = std::filesystem;
using watt::ed::Role;

void write_yaml(const fs::path& path, const YAML::Node& node) {
  std::ofstream out(path, std::ios::trunc);
  out << node << '\n';
  if (!out.flush()) throw watt::ed::Error("cannot write " + path.string());
}

// Prints "identity<TAB>file" per agent to install, the monitor last.
void plan(const std::string& run_file, const std::string& out_dir, std::size_t per_agent, long pace_ms,
          const std::string& trace_csv, const std::string& result_json) {
  const auto config = watt::ed::load_run_file(run_file);
  fs::create_directories(out_dir);
  for (auto& [name, node] : watt::ed::split_run(config, per_agent)) {
    if (pace_ms > 0) node["pace_ms"] = pace_ms;
    const auto path = fs::absolute(fs::path(out_dir) / (name + ".yml"));
    write_yaml(path, node);
    const auto id = name.rfind("node-", 0) == 0 ? name.substr(5) : name;
    std::cout << config.run << '-' << id << '\t' << path.string() << '\n';
  }
  auto monitor = watt::ed::to_yaml(config);
  if (!trace_csv.empty()) monitor["trace_csv"] = fs::absolute(trace_csv).string();
  if (!result_json.empty()) monitor["result_json"] = fs::absolute(result_json).string();
  const auto path = fs::absolute(fs::path(out_dir) / "monitor.yml");
  write_yaml(path, monitor);
  std::cout << config.run << "-monitor\t" << path.string() << '\n';
}

void solve(const std::string& run_file) {
  const auto config = watt::ed::load_run_file(run_file);
  const auto d = watt::ed::solve_central(config.nodes);
  std::cout << fmt::format("{:<8} {:<10} {:>10}\n", "node", "role", "P (kW)");
  for (std::size_t i = 0; i < config.nodes.size(); ++i)
    std::cout << fmt::format("{:<8} {:<10} {:>10.1f}\n", config.nodes[i].id, watt::ed::role_name(config.nodes[i].role),
                             d.p[i]);
  std::cout << fmt::format("total generation {:.1f} kW, total load {:.1f} kW, lambda {:.4f} $/kWh\n", d.generation,
                           d.load, d.lambda);
}

std::string cell(const std::optional<double>& v, int precision) {
  return v ? fmt::format("{:.{}f}", *v, precision) : std::string("-");
}

// The result beside the centralized solution (and the reference, if any),
// shaped like the reference table of docs/ed.md.
int table(const std::string& result_file, const std::string& run_file, const std::string& reference_file) {
  std::ifstream in(result_file);
  if (!in) throw watt::ed::Error("cannot read " + result_file);
  const auto r = nlohmann::json::parse(in);
  const auto config = watt::ed::load_run_file(run_file);
  YAML::Node ref;
  if (!reference_file.empty()) ref = YAML::LoadFile(reference_file);
  auto ref_value = [&](const YAML::Node& n) -> std::optional<double> {
    if (!n) return std::nullopt;
    return n.as<double>();
  };
  const bool with_ref = !reference_file.empty();
  std::cout << fmt::format("run {}: {} after {} iterations in {:.1f} ms\n", r.value("run", ""), r.value("status", ""),
                           r.value("iterations", 0), r.value("wall_ms", 0.0));
  if (!r.value("error", "").empty()) std::cout << "error: " << r["error"].get<std::string>() << '\n';
  for (const auto& lost : r.value("lost", nlohmann::json::array()))
    std::cout << fmt::format("lost {} at iteration {} ({:.0f} ms), noticed by {}\n", lost.value("id", ""),
                             lost.value("iteration", 0), lost.value("at_ms", 0.0), lost.value("detected_by", ""));
  std::cout << '\n'
            << fmt::format("{:<18} {:>10} {:>14}{}\n", "node", "Watt (kW)", "central (kW)",
                           with_ref ? fmt::format(" {:>14}", "reference (kW)") : "");
  const auto& p = r.value("P", nlohmann::json::object());
  const auto& central = r["central"].value("P", nlohmann::json::object());
  auto get = [](const nlohmann::json& m, const std::string& id) -> std::optional<double> {
    return m.contains(id) ? std::optional<double>(m[id].get<double>()) : std::nullopt;
  };
  for (const auto& node : config.nodes) {
    const std::string label = node.id + (node.role == Role::generator ? " (DG)" : " (load)");
    std::cout << fmt::format("{:<18} {:>10} {:>14}{}\n", label, cell(get(p, node.id), 1),
                             cell(get(central, node.id), 1),
                             with_ref ? fmt::format(" {:>14}", cell(ref_value(ref["P_kW"][node.id]), 1)) : "");
  }
  double gen = 0, load = 0;
  const auto cd = r["central"];
  for (const auto& node : config.nodes)
    if (auto v = get(central, node.id)) (node.role == Role::generator ? gen : load) += *v;
  auto row = [&](const std::string& label, std::optional<double> watt, std::optional<double> c, const char* key,
                 int prec) {
    std::cout << fmt::format("{:<18} {:>10} {:>14}{}\n", label, cell(watt, prec), cell(c, prec),
                             with_ref ? fmt::format(" {:>14}", cell(ref_value(ref[key]), prec)) : "");
  };
  std::cout << '\n';
  row("total generation", r.value("total_generation", 0.0), gen, "total_generation", 1);
  row("total load", r.value("total_load", 0.0), load, "total_load", 1);
  row("lambda ($/kWh)", r.value("lambda", 0.0), cd.value("lambda", 0.0), "lambda", 3);
  row("iterations", static_cast<double>(r.value("iterations", 0)), std::nullopt, "iterations", 0);
  std::cout << fmt::format("\nlargest |P - P*| {:.4f} kW, largest |lambda - lambda*| {:.2e}\n",
                           cd.value("max_p_error_kw", 0.0), cd.value("lambda_error", 0.0));
  return r.value("status", "") == "converged" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-ed: plan, solve and report consensus economic-dispatch runs (docs/ed.md)"};
  app.require_subcommand(1);
  std::string run_file, out_dir, result_file, reference, trace_csv, result_json;
  std::size_t per_agent = 1;
  long pace_ms = 0;
  int rc = 0;

  auto* p =
      app.add_subcommand("plan", "write one config per node agent and the monitor's; print identity and file per line");
  p->add_option("run", run_file, "the run file (YAML)")->required()->check(CLI::ExistingFile);
  p->add_option("--out,-o", out_dir, "directory for the configs")->required();
  p->add_option("--per-agent", per_agent, "nodes hosted by each node agent")->check(CLI::PositiveNumber);
  p->add_option("--pace-ms", pace_ms, "least time between two iterations of a node")->check(CLI::NonNegativeNumber);
  p->add_option("--trace-csv", trace_csv, "the monitor writes the per-iteration trace here");
  p->add_option("--result-json", result_json, "the monitor writes the result here");
  p->callback([&] { plan(run_file, out_dir, per_agent, pace_ms, trace_csv, result_json); });

  auto* s = app.add_subcommand("solve", "print the centralized dispatch of a run file");
  s->add_option("run", run_file, "the run file (YAML)")->required()->check(CLI::ExistingFile);
  s->callback([&] { solve(run_file); });

  auto* t = app.add_subcommand("table", "print a result beside the centralized solution; exit 1 unless it converged");
  t->add_option("result", result_file, "the monitor's result JSON")->required()->check(CLI::ExistingFile);
  t->add_option("--run", run_file, "the run file the result came from")->required()->check(CLI::ExistingFile);
  t->add_option("--reference", reference, "YAML with P_kW per node, total_generation, total_load, lambda, iterations");
  t->callback([&] { rc = table(result_file, run_file, reference); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "watt-ed: " << e.what() << '\n';
    return 2;
  }
  return rc;
}
