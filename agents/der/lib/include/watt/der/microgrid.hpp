// A microgrid operator's decisions (seed 001; docs/der.md, The microgrid
// operator), free of the bus: the microgrid-operator agent and the tests
// drive it.
//
// - Day ahead: it plans its DER models over the day against the tariff (a
//   price-taker's schedule); what it would draw in each interval, less its
//   bilateral contracts, is offered at any price better than the grid's:
//   bought up to retail less the grid-usage price, sold from feed-in plus
//   it (docs/der.md says why not a many-step curve).
// - Before each interval's real-time market: it re-plans the rest of the day
//   from where its plant stands, with the interval's hour-ahead forecast,
//   against the tariff (what is off its contract trades in real time at the
//   grid's prices or better), and offers the difference between that plan
//   and its contract.
// - In each of the interval's epochs: it plans what is left of the interval
//   and the next one at epoch steps, minimizing the imbalance's cost (each
//   kWh off the contract costs what the settlement will charge, and
//   tracking_cost more), with what it stores valued by the interval's
//   re-plan (terminal targets); applies the first epoch to its plant with
//   what really happens, and reports what it drew.
// - Beside it, the same plant run without the market (a shadow): each
//   interval planned against the tariff and applied over its epochs, for the
//   cost of the microgrid on its own.
//
// Its plant is its models, driven by the day's actual series; energies are
// kWh, prices cents per kWh.
#pragma once

#include <watt/der/clearing.hpp>
#include <watt/der/microgrid_day.hpp>
#include <watt/der/model_file.hpp>
#include <watt/der/receding.hpp>

#include <memory>

namespace watt::der {

struct MarketTerms {
  std::vector<double> retail, feed_in;  // per interval
  double grid_usage = 0, penalty = 0.5;
};

struct MicrogridSettings {
  double tracking_cost = 1;  // per kWh off the contract in the epochs' plans, above the imbalance's price
  opt::SolveOptions solve{std::chrono::milliseconds(10000), 1e-4};
};

// An interval as it went, with and without the market.
struct IntervalRecord {
  int interval = 0;
  double contract_kwh = 0, drawn_kwh = 0;
  double alone_kwh = 0, alone_cost = 0;  // the shadow: drawn, and paid at the tariff
  double fuel_cost = 0, alone_fuel_cost = 0;
  int safe_epochs = 0;  // epochs with no plan (the safe schedule ran)
};

class Microgrid {
public:
  // `models_file` at half-hour (the day's interval) and epoch steps.
  Microgrid(const std::string& models_file, DaySeries day, int epochs, MicrogridSettings s = {});

  int intervals() const noexcept { return day_.intervals; }
  double interval_h() const noexcept { return halves_.step_h; }
  void set_terms(MarketTerms terms);

  // Day ahead; `bilateral_kwh` per interval: bought (positive) or sold
  // under bilateral contracts. Prices are rounded to 1/100 cent, energy
  // to Wh. Throws ModelError when no level can be planned.
  std::vector<Offers> day_ahead_offers(const std::string& who, const std::vector<double>& bilateral_kwh);

  // The day-ahead contract per interval (kWh bought, net) and the price
  // its imbalance is first expected at.
  void set_contracts(std::vector<double> kwh, std::vector<double> price);
  // What the re-plan draws in `interval`; its difference from the contract
  // is what the real-time market is offered.
  double real_time_position(int interval);
  void add_real_time(int interval, double kwh);
  // Runs one epoch; returns the kWh drawn in it.
  double run_epoch(int interval, int epoch);
  // The shadow's interval; call once per interval, in order.
  void run_alone(int interval);

  const std::vector<IntervalRecord>& record() const noexcept { return record_; }
  const RecedingHorizon& plant() const noexcept { return *plant_; }
  const RecedingHorizon& alone() const noexcept { return *alone_; }

private:
  Forecasts interval_series(int interval) const;
  Plan tariff_plan(const RecedingHorizon& from, int interval) const;
  std::vector<StateTarget> storage_targets(int interval, int intervals_ahead);
  Forecasts epoch_series(int interval) const;
  ModelSet synced(const RecedingHorizon& from) const;

  ModelSet halves_;  // the models at interval steps, states as the day starts
  DaySeries day_;
  int epochs_;
  MicrogridSettings settings_;
  MarketTerms terms_;
  std::unique_ptr<RecedingHorizon> plant_, alone_;
  std::vector<double> contract_, price_;
  Plan reference_;  // the interval's re-plan against the tariff
  int reference_at_ = -1;
  std::vector<IntervalRecord> record_;
};

}  // namespace watt::der
