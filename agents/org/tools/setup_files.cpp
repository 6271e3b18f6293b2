// The files that make an experiment's organizations and agents.
#include "experiment.hpp"

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace watt::org::tool {
namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const YAML::Emitter& y) {
  std::ofstream out(p, std::ios::trunc);
  out << y.c_str() << '\n';
  if (!out.flush()) throw Error("cannot write " + p.string());
}

std::vector<std::string> users_of(const TradingCase& c, std::size_t k) {
  std::vector<std::string> out;
  for (const auto& u : c.users)
    if (u.region == k) out.push_back(u.name);
  return out;
}

void write_orgs(const Experiment& e, const fs::path& file) {
  const auto& c = e.trading;
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "organizations" << YAML::Value << YAML::BeginSeq;
  y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << disco_org << YAML::Key << "kind"
    << YAML::Value << "disco" << YAML::Key << "ip" << YAML::Value << disco_org + "-ip" << YAML::Key << "dms"
    << YAML::Value << disco_org + "-dms" << YAML::Key << "members" << YAML::Value << YAML::Flow
    << std::vector<std::string>{runner_identity} << YAML::EndMap;
  for (std::size_t k = 0; k < c.regions.size(); ++k) {
    const auto& a = c.regions[k].name;
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a << YAML::Key << "kind" << YAML::Value
      << "aggregator" << YAML::Key << "parent" << YAML::Value << disco_org << YAML::Key << "ip" << YAML::Value
      << a + "-ip" << YAML::Key << "children" << YAML::Value << YAML::Flow << users_of(c, k) << YAML::EndMap;
  }
  // The historian keeps what each end-user's IP records; the runner stands
  // for the end-users' meters.
  for (const auto& u : c.users)
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << u.name << YAML::Key << "kind"
      << YAML::Value << "end-user" << YAML::Key << "ip" << YAML::Value << u.name + "-ip" << YAML::Key << "pe"
      << YAML::Value << u.name + "-pe" << YAML::Key << "dms" << YAML::Value << u.name + "-dms" << YAML::Key << "members"
      << YAML::Value << YAML::Flow << std::vector<std::string>{"historian", runner_identity} << YAML::EndMap;
  y << YAML::EndSeq << YAML::EndMap;
  write(file, y);
}

void agent(YAML::Emitter& y, const std::string& id, const fs::path& lib, const std::string& container,
           const std::map<std::string, YAML::Node>& config) {
  y << YAML::BeginMap << YAML::Key << "identity" << YAML::Value << id << YAML::Key << "library" << YAML::Value
    << lib.string();
  if (!container.empty()) y << YAML::Key << "container" << YAML::Value << container;
  y << YAML::Key << "config" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [k, v] : config) y << YAML::Key << k << YAML::Value << v;
  y << YAML::EndMap << YAML::EndMap;
}

YAML::Node node(const auto& v) { return YAML::Node(v); }

void write_agents(const Experiment& e, const fs::path& file, const fs::path& lib, std::size_t days) {
  const auto& c = e.trading;
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "agents" << YAML::Value << YAML::BeginSeq;
  agent(y, "historian", lib / "libhistorian.so", "", {{"patterns", node(std::vector<std::string>{"org/+/record/#"})}});
  const auto ip = lib / "libinformation-provider.so", pe = lib / "libprediction-engine.so",
             dms = lib / "libdecision-maker.so";
  std::vector<std::string> regions;
  for (const auto& r : c.regions) regions.push_back(r.name);
  agent(y, disco_org + "-ip", ip, "trading", {{"org", node(disco_org)}});
  agent(y, disco_org + "-dms", dms, "trading",
        {{"kind", node("disco")},
         {"org", node(disco_org)},
         {"regions", node(regions)},
         {"price_market", node(c.price_market)},
         {"lambda_d2l", node(c.lambda_d2l)},
         {"delta", node(c.delta)},
         {"tolerance", node(e.tolerance)},
         {"max_rounds", node(e.max_rounds)},
         {"case1_price", node(to_string(c.case1_price))}});
  for (std::size_t k = 0; k < c.regions.size(); ++k) {
    YAML::Node desk;
    desk["disco"] = disco_org;
    desk["users"] = users_of(c, k);
    desk["price_l2a"] = c.regions[k].price_l2a;
    agent(y, c.regions[k].name + "-ip", ip, "trading", {{"org", node(c.regions[k].name)}, {"aggregator", desk}});
  }
  for (const auto& u : c.users) {
    const std::string box = "region-" + c.regions[u.region].name;
    YAML::Node series;
    series["name"] = "load";
    series["method"] = "auto";
    series["horizon"] = c.hours();
    series["history_points"] = days * 24;
    agent(y, u.name + "-ip", ip, box, {{"org", node(u.name)}});
    agent(y, u.name + "-pe", pe, box,
          {{"org", node(u.name)}, {"series", node(std::vector<YAML::Node>{series})}, {"period_s", node(0)}});
    agent(y, u.name + "-dms", dms, box,
          {{"kind", node("end-user")},
           {"org", node(u.name)},
           {"aggregator", node(c.regions[u.region].name)},
           {"pe", node(u.name + "-pe")},
           {"gamma_p", node(c.gamma_p)},
           {"gamma_c", node(c.gamma_c)},
           {"d2l_cap", node(c.d2l_cap)}});
  }
  y << YAML::EndSeq << YAML::EndMap;
  write(file, y);
}

}  // namespace

Experiment load_experiment(const fs::path& choices, const fs::path& case_json, std::size_t users, std::size_t regions,
                           std::uint64_t seed) {
  const auto text = read(choices);
  Experiment e;
  try {
    const auto ch = read_choices(text, choices.string());
    e.trading = users > 0 ? generated_case(read(case_json), ch, users, regions, seed) : org33_case(read(case_json), ch);
  } catch (const std::invalid_argument& x) {
    throw Error(x.what());
  }
  const auto y = YAML::Load(text);
  e.tolerance = y["tolerance"].as<double>(1e-6);
  e.max_rounds = y["max_rounds"].as<std::uint64_t>(50);
  e.paper = users == 0;
  return e;
}

void write_setup(const Experiment& e, const fs::path& dir, const fs::path& lib_dir, std::size_t history_days) {
  fs::create_directories(dir);
  write_orgs(e, dir / "orgs.yml");
  write_agents(e, dir / "agents.yml", fs::absolute(lib_dir), history_days);
}

}  // namespace watt::org::tool
