// Seed 001's microgrid operator without the bus: contracts in the MPC, the
// day's series, the day-ahead curve from the plans at each price level,
// the epochs tracking the contract, and the shadow without the market.
#include <watt/der/microgrid.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

using namespace watt::der;

namespace {

// A site drawing its load, and a battery: all the flexibility there is.
constexpr const char* models = R"(step_minutes: 30
models:
  - name: site
    kind: state_space
    inputs: [load_kw, pv_kw]
    outputs:
      power: {inputs: {load_kw: 1, pv_kw: -1}}
  - {name: battery, kind: battery, capacity_kwh: 100, initial_kwh: 50, min_kwh: 10, max_kwh: 100,
     max_charge_kw: 60, max_discharge_kw: 60, efficiency: 1}
)";

struct Fixture {
  watt::test::TempDir dir{"watt-mg"};
  std::string file = dir.file("mg.yml");
  Fixture() { std::ofstream(file) << models; }
};

MicrogridDay six_intervals(double error) {
  MicrogridDay d;
  d.intervals = 6;
  d.pv_peak_kw = 0;
  d.load_kw = 40;
  d.load_swing = 0;
  d.pv_error = d.load_error = d.epoch_error = error;
  d.outdoor_error_c = 0;
  return d;
}

// Cheap, then dear: a battery fills early and sells late.
MarketTerms terms() { return {{10, 10, 10, 40, 40, 40}, {2, 2, 2, 30, 30, 30}, 1, 0.5}; }

}  // namespace

TEST_CASE("microgrid: a contract in the plan is met, and what is off it costs its price") {
  Fixture f;
  const auto set = load_models(f.file);
  Forecasts series{{"load_kw", std::vector<double>(4, 40)},
                   {"pv_kw", std::vector<double>(4, 0)},
                   {"retail", std::vector<double>(4, 10)},
                   {"feed_in", std::vector<double>(4, 10)}};
  MpcSettings s;
  s.horizon = 4;
  s.price = "retail";
  s.feed_in = "feed_in";
  s.weights.energy = 0;
  // Steps 0-1: 60 kWh (the load's 40, 20 into the battery); steps 2-3: 20 kWh (20 from it).
  s.contracts = {{0, 2, 60, 0, 100, 100}, {2, 2, 20, 0, 100, 100}};
  auto p = plan(set.models, series, 0, set.step_h, s);
  REQUIRE(p.ok());
  CHECK((p.import_kw[0] - p.export_kw[0] + p.import_kw[1] - p.export_kw[1]) * 0.5 == doctest::Approx(60));
  CHECK((p.import_kw[2] - p.export_kw[2] + p.import_kw[3] - p.export_kw[3]) * 0.5 == doctest::Approx(20));
  CHECK(p.objective == doctest::Approx(0).epsilon(1e-6));
  // 200 kWh in two steps is beyond the battery: 60 + 40 at most (the load
  // and the battery's 60 kW), the rest short at 100 a kWh.
  s.contracts = {{0, 2, 200, 0, 100, 100}};
  p = plan(set.models, series, 0, set.step_h, s);
  REQUIRE(p.ok());
  CHECK(p.objective == doctest::Approx(100 * (200 - 40 - 50)));  // the battery holds 50 more at most
  s.contracts = {{0, 2, 10, 0, -5, 1}};
  CHECK_THROWS_AS(plan(set.models, series, 0, set.step_h, s), ModelError);
  // A terminal target: the battery ends at 80 kWh, each kWh short costing
  // 100, when filling it costs 10 a kWh.
  s.contracts.clear();
  s.weights.energy = 1;
  s.targets = {{"battery", "energy", 80, 100, 0}};
  p = plan(set.models, series, 0, set.step_h, s);
  REQUIRE(p.ok());
  CHECK(p.models[1].states.back()[0] == doctest::Approx(80));
  CHECK(p.objective == doctest::Approx(10 * (80 + 30)));  // the load's 80 kWh and 30 into the battery
  s.targets = {{"roof", "energy", 80, 100, 0}};
  CHECK_THROWS_WITH_AS(plan(set.models, series, 0, set.step_h, s), doctest::Contains("no model 'roof'"), ModelError);
}

TEST_CASE("microgrid: the day's series: forecasts, hour-ahead means and epochs agree") {
  auto d = six_intervals(0.2);
  d.pv_peak_kw = 50;
  d.intervals = 48;
  const auto s = microgrid_day(d);
  REQUIRE(s.day_ahead.at("pv_kw").size() == 49);  // and the next midnight
  REQUIRE(s.actual.at("pv_kw").size() == 49 * 4);
  CHECK(s.day_ahead.at("pv_kw")[0] == 0);   // midnight
  CHECK(s.day_ahead.at("pv_kw")[25] > 45);  // 12:30
  for (std::size_t t = 0; t < 48; ++t) {
    double sum = 0;
    for (std::size_t e = 0; e < 4; ++e) sum += s.actual.at("load_kw")[t * 4 + e];
    CHECK(s.hour_ahead.at("load_kw")[t] == doctest::Approx(sum / 4));
  }
  CHECK(s.actual.at("load_kw") != per_epoch(s.day_ahead.at("load_kw"), 4));
  CHECK(microgrid_day(d).actual == s.actual);  // seeded: the same day twice
  d.load_swing = 2;
  CHECK_THROWS_WITH_AS(microgrid_day(d), doctest::Contains("load_swing"), ModelError);
}

TEST_CASE("microgrid: the day-ahead offers are its schedule at the tariff, at prices better than the grid's") {
  Fixture f;
  Microgrid mg(f.file, microgrid_day(six_intervals(0)), 4);
  mg.set_terms(terms());
  const auto offers = mg.day_ahead_offers("A", std::vector<double>(6, 0));
  REQUIRE(offers.size() == 6);
  // The battery fills at 10 c (50 kWh) and empties at 30 c (90 kWh); the
  // load draws 20 kWh an interval.
  Wh early = 0, late = 0;
  for (std::size_t t = 0; t < 6; ++t) {
    for (const auto& b : offers[t].bids) {
      CHECK((b.who == "A" && b.price == 900));  // retail less grid usage
      (t < 3 ? early : late) += b.energy;
    }
    for (const auto& a : offers[t].asks) {
      CHECK((a.who == "A" && a.price == 3100));  // feed-in plus grid usage
      (t < 3 ? early : late) -= a.energy;
    }
  }
  CHECK(early == 60000 + 50000);
  CHECK(late == 60000 - 90000);
  // A bilateral purchase is taken off what the market is asked for.
  const auto less = mg.day_ahead_offers("A", {5, 0, 0, 0, 0, 0});
  Wh bid = 0, before = 0;
  for (const auto& b : less.at(0).bids) bid += b.energy;
  for (const auto& b : offers[0].bids) before += b.energy;
  CHECK(bid == before - 5000);
  CHECK_THROWS_AS(mg.day_ahead_offers("A", {1}), ModelError);
}

TEST_CASE("microgrid: with perfect forecasts the epochs meet the contract, and the shadow pays the tariff") {
  Fixture f;
  Microgrid mg(f.file, microgrid_day(six_intervals(0)), 4);
  // Prices with no ties: the battery fills at 10 c, then 11 c, and empties
  // at 30, 31 and 32 c, at most 30 kWh an interval.
  mg.set_terms({{10, 11, 12, 40, 41, 42}, {2, 2, 2, 30, 31, 32}, 1, 0.5});
  // Contracts: that schedule, the load drawing 20 kWh an interval.
  mg.set_contracts({50, 40, 20, -10, -10, -10}, {10, 11, 12, 40, 41, 42});
  for (int t = 0; t < 6; ++t) {
    CHECK(mg.real_time_position(t) ==
          doctest::Approx(mg.record()[static_cast<std::size_t>(t)].contract_kwh).epsilon(1e-6));
    for (int e = 0; e < 4; ++e) mg.run_epoch(t, e);
    mg.run_alone(t);
  }
  for (const auto& r : mg.record()) {
    CHECK(r.drawn_kwh == doctest::Approx(r.contract_kwh).epsilon(1e-6));
    CHECK(r.safe_epochs == 0);
  }
  // Alone, the battery buys at 10 c and sells at 30 c: it fills early (50
  // kWh) and empties late (90 kWh).
  double early = 0, late = 0;
  for (const auto& r : mg.record()) (r.interval < 3 ? early : late) += r.alone_kwh;
  CHECK(early == doctest::Approx(60 + 50).epsilon(1e-6));
  CHECK(late == doctest::Approx(60 - 90).epsilon(1e-6));
  CHECK_THROWS_AS(mg.run_epoch(0, 0), ModelError);  // not the plant's next
}

TEST_CASE("microgrid: with forecast errors the epochs keep each interval near its contract") {
  Fixture f;
  Microgrid mg(f.file, microgrid_day(six_intervals(0.15)), 4);
  // One price all day: what the battery stores is worth what it costs, so
  // the epochs make up every surprise with it.
  mg.set_terms({std::vector<double>(6, 10), std::vector<double>(6, 2), 1, 0.5});
  mg.set_contracts(std::vector<double>(6, 20), std::vector<double>(6, 10));
  for (int t = 0; t < 6; ++t) {
    // The real-time market takes the whole deviation, as the grid does.
    mg.add_real_time(t, mg.real_time_position(t) - mg.record()[static_cast<std::size_t>(t)].contract_kwh);
    for (int e = 0; e < 4; ++e) mg.run_epoch(t, e);
    mg.run_alone(t);
  }
  // Every surprise but the last epoch's is made up: at most the load's
  // error in one epoch (40 kW x 30 % x 7.5 min); and the tracked plant
  // spends no more energy than the same plant on its own.
  double drawn = 0, alone = 0;
  for (const auto& r : mg.record()) {
    CHECK(std::abs(r.drawn_kwh - r.contract_kwh) <= 40 * 0.3 * 0.125 + 1e-6);
    drawn += r.drawn_kwh;
    alone += r.alone_kwh;
  }
  CHECK(drawn <= alone + 1);
}

TEST_CASE("microgrid: a model reading a series the day does not make is refused by name") {
  watt::test::TempDir dir{"watt-mg"};
  std::ofstream(dir.file("bad.yml")) << "models:\n  - {name: roof, kind: pv, forecast: sun_kw}\n";
  CHECK_THROWS_WITH_AS(Microgrid(dir.file("bad.yml"), microgrid_day(six_intervals(0)), 4),
                       doctest::Contains("model 'roof' reads series 'sun_kw'"), ModelError);
}

TEST_CASE("microgrid: cars that must be charged by the day's end are, with no epoch on the safe schedule") {
  watt::test::TempDir dir{"watt-mg"};
  std::ofstream(dir.file("ev.yml")) << "models:\n"
                                       "  - {name: ev, kind: ev_charger, capacity_kwh: 60, initial_kwh: 10, "
                                       "max_charge_kw: 20, efficiency: 1, plugged: ev_plugged, min_kwh: ev_min_kwh}\n";
  auto d = six_intervals(0);
  d.ev_arrive = 2;
  d.ev_leave = 6;  // plugged for the last four intervals; 40 kWh to take, at most 10 an interval
  d.ev_need_kwh = 50;
  Microgrid mg(dir.file("ev.yml"), microgrid_day(d), 4);
  mg.set_terms(terms());
  const auto offers = mg.day_ahead_offers("A", std::vector<double>(6, 0));
  Wh bought = 0;
  for (const auto& o : offers)
    for (const auto& b : o.bids) bought += b.energy;
  CHECK(bought == 40000);
  mg.set_contracts({0, 0, 10, 10, 10, 10}, {10, 10, 10, 40, 40, 40});
  for (int t = 0; t < 6; ++t)
    for (int e = 0; e < 4; ++e) mg.run_epoch(t, e);
  CHECK(mg.plant().models()[0].states[0].initial == doctest::Approx(50));
  for (const auto& r : mg.record()) CHECK(r.safe_epochs == 0);
}
