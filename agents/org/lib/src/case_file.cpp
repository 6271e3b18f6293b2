#include <watt/org/case_file.hpp>

#include <watt/yaml_keys.hpp>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <map>
#include <random>
#include <stdexcept>

namespace watt::org {
namespace {

using nlohmann::json;

struct Reference {
  std::vector<std::pair<int, double>> loads;  // bus, peak kW
  std::vector<Series> price_l2a;              // per Table 1 region
  Series price_market;
  double lambda_d2l = 0, delta = 0, gamma_p = 0, gamma_c = 0;
};

Reference read_reference(const std::string& text) {
  Reference r;
  try {
    const auto j = json::parse(text);
    for (const auto& b : j.at("buses")) r.loads.emplace_back(b.at("bus").get<int>(), b.at("p").get<double>());
    const auto& s = j.at("seed_003");
    r.lambda_d2l = s.at("lambda_D2L_eur_per_kwh").get<double>();
    r.delta = s.at("delta").get<double>();
    r.gamma_p = s.at("gamma_P").get<double>();
    r.gamma_c = s.at("gamma_C").get<double>();
    const auto& rows = s.at("table1").at("rows");
    r.price_l2a.assign(3, {});
    for (const auto& row : rows) {
      for (std::size_t k = 0; k < 3; ++k) r.price_l2a[k].push_back(row.at(k + 1).get<double>());
      r.price_market.push_back(row.at(4).get<double>());
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("the case file: ") + e.what());
  }
  return r;
}

TradingCase base_case(const Reference& ref, const CaseChoices& ch) {
  if (ch.profile.size() != ref.price_market.size())
    throw std::invalid_argument("profile: " + std::to_string(ch.profile.size()) + " hours, but Table 1 has " +
                                std::to_string(ref.price_market.size()));
  TradingCase c;
  c.price_market = ref.price_market;
  c.lambda_d2l = ref.lambda_d2l;
  c.delta = ref.delta;
  c.gamma_p = ref.gamma_p;
  c.gamma_c = ref.gamma_c;
  c.d2l_cap = ch.d2l_cap;
  c.case1_price = ch.case1_price;
  return c;
}

Series scaled(const Series& profile, double peak) {
  Series s;
  for (double f : profile) s.push_back(f * peak);
  return s;
}

}  // namespace

CaseChoices read_choices(const std::string& yaml, const std::string& source) {
  CaseChoices ch;
  try {
    const auto root = YAML::Load(yaml);
    if (auto err =
            watt::yaml::key_error(root, {"regions", "profile", "d2l_cap", "case1_price", "tolerance", "max_rounds"});
        !err.empty())
      throw std::invalid_argument(err);
    if (!root["regions"] || !root["regions"].IsMap()) throw std::invalid_argument("regions: a map of name to buses");
    for (const auto& kv : root["regions"])
      ch.regions.emplace_back(kv.first.as<std::string>(), kv.second.as<std::vector<int>>());
    if (!root["profile"]) throw std::invalid_argument("profile: missing (24 shares of the peak load)");
    ch.profile = root["profile"].as<Series>();
    ch.d2l_cap = root["d2l_cap"].as<double>(1.0);
    if (!(ch.d2l_cap >= 0)) throw std::invalid_argument("d2l_cap: must be >= 0");
    const auto rule = root["case1_price"].as<std::string>("disco");
    if (auto p = case1_price_named(rule))
      ch.case1_price = *p;
    else
      throw std::invalid_argument("case1_price: '" + rule + "' is none of disco, floor, market");
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(source + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
  return ch;
}

TradingCase org33_case(const std::string& case_json, const CaseChoices& ch) {
  const auto ref = read_reference(case_json);
  if (ch.regions.size() != ref.price_l2a.size())
    throw std::invalid_argument("regions: " + std::to_string(ch.regions.size()) + ", but Table 1 prices " +
                                std::to_string(ref.price_l2a.size()));
  TradingCase c = base_case(ref, ch);
  std::map<int, std::size_t> region_of;
  for (std::size_t k = 0; k < ch.regions.size(); ++k) {
    c.regions.push_back({ch.regions[k].first, ref.price_l2a[k]});
    for (int bus : ch.regions[k].second)
      if (auto [it, fresh] = region_of.emplace(bus, k); !fresh)
        throw std::invalid_argument("regions: bus " + std::to_string(bus) + " is in both " +
                                    ch.regions[it->second].first + " and " + ch.regions[k].first);
  }
  for (const auto& [bus, peak] : ref.loads) {
    const auto it = region_of.find(bus);
    if (it == region_of.end()) throw std::invalid_argument("regions: bus " + std::to_string(bus) + " is in none");
    c.users.push_back({"eu" + std::to_string(bus), it->second, scaled(ch.profile, peak)});
  }
  return c;
}

TradingCase generated_case(const std::string& case_json, const CaseChoices& ch, std::size_t users, std::size_t regions,
                           std::uint64_t seed) {
  const auto ref = read_reference(case_json);
  if (users == 0 || regions == 0) throw std::invalid_argument("a generated case needs end-users and regions");
  TradingCase c = base_case(ref, ch);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  for (std::size_t k = 0; k < regions; ++k) {
    const double f = factor(rng);
    Series p;
    for (std::size_t t = 0; t < c.hours(); ++t)
      p.push_back(std::min(f * ref.price_l2a[k % ref.price_l2a.size()][t], c.price_market[t] / c.delta));
    c.regions.push_back({"agg" + std::to_string(k + 1), std::move(p)});
  }
  std::uniform_int_distribution<std::size_t> pick(0, ref.loads.size() - 1);
  for (std::size_t j = 0; j < users; ++j)
    c.users.push_back(
        {"eu" + std::to_string(j + 1), j % regions, scaled(ch.profile, ref.loads[pick(rng)].second * factor(rng))});
  return c;
}

}  // namespace watt::org
