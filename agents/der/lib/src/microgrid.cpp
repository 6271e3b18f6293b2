#include <watt/der/microgrid.hpp>

#include <algorithm>
#include <cmath>

namespace watt::der {
namespace {

double kwh_drawn(const AppliedStep& a, double step_h) { return (a.import_kw - a.export_kw) * step_h; }

// What a step's controls cost besides energy (a generator's fuel).
double fuel(const RecedingHorizon& plant, const AppliedStep& a) {
  double sum = 0;
  const auto& models = plant.models();
  for (std::size_t k = 0; k < models.size(); ++k)
    for (std::size_t j = 0; j < models[k].controls.size(); ++j)
      sum += models[k].controls[j].cost * a.models[k].controls[j] * plant.step_h();
  return sum;
}

// The energy it takes to move a state one unit toward what it stores, kWh,
// signed: positive where storing raises the state (a battery's energy, a
// heater's temperature), negative where it lowers it (a cooler's); 0 where
// nothing that draws power moves it, or things move it both ways (an AC
// and a heater).
double storage_kwh_per_unit(const DerModel& m, std::size_t i, double step_h) {
  const auto& next = m.states[i].next;
  const auto& power = m.power().terms;
  double best = 0;
  const auto consider = [&](const std::map<std::string, double>& moves, const std::map<std::string, double>& draws) {
    for (const auto& [name, b] : moves) {
      const auto d = draws.find(name);
      if (b == 0 || d == draws.end() || d->second <= 0) continue;
      const double kwh = d->second * step_h / b;
      if (best != 0 && (kwh > 0) != (best > 0)) return false;
      if (best == 0 || std::abs(kwh) < std::abs(best)) best = kwh;
    }
    return true;
  };
  if (!consider(next.controls, power.controls) || !consider(next.switches, power.switches)) return 0;
  return best;
}

// What a plan draws from the grid in its first step, kWh.
double first_step_kwh(const Plan& p, double step_h) { return (p.import_kw.at(0) - p.export_kw.at(0)) * step_h; }

}  // namespace

Microgrid::Microgrid(const std::string& models_file, DaySeries day, int epochs, MicrogridSettings s)
    : halves_(load_models(models_file)), day_(std::move(day)), epochs_(epochs), settings_(s) {
  if (day_.day_ahead.empty() || day_.intervals < 1) throw ModelError("a microgrid needs its day's series");
  if (epochs_ < 1) throw ModelError("a microgrid needs at least one epoch per interval");
  const auto epoch_set = load_models(models_file, halves_.step_h / epochs_);
  for (const auto& m : halves_.models)
    for (const auto& in : m.inputs)
      if (!day_.day_ahead.contains(in))
        throw ModelError(models_file + ": model '" + m.name + "' reads series '" + in +
                         "', which the microgrid's day does not make");
  MpcSettings plant;
  plant.price = "retail";
  plant.feed_in = "feed_in";
  plant.solve = s.solve;
  plant_ = std::make_unique<RecedingHorizon>(epoch_set, plant);
  alone_ = std::make_unique<RecedingHorizon>(epoch_set, plant);
  record_.resize(static_cast<std::size_t>(intervals()));
  for (int t = 0; t < intervals(); ++t) record_[static_cast<std::size_t>(t)].interval = t;
}

void Microgrid::set_terms(MarketTerms terms) {
  const auto n = static_cast<std::size_t>(intervals());
  if (terms.retail.size() != n || terms.feed_in.size() != n)
    throw ModelError("the market's prices cover " + std::to_string(terms.retail.size()) + " intervals; the day has " +
                     std::to_string(n));
  terms_ = std::move(terms);
}

// The day-ahead series from `interval` on, with the interval's hour-ahead
// forecast in place of the day-ahead one, and the given prices.
Forecasts Microgrid::interval_series(int interval) const {
  auto f = day_.day_ahead;
  const auto i = static_cast<std::size_t>(interval);
  for (auto& [name, values] : f) values[i] = day_.hour_ahead.at(name)[i];
  f["retail"] = terms_.retail;
  f["feed_in"] = terms_.feed_in;
  return f;
}

// The epochs' series: the interval's hour-ahead forecast for its epochs,
// the day-ahead one after; the tariff.
Forecasts Microgrid::epoch_series(int interval) const {
  Forecasts f;
  for (const auto& [name, values] : day_.day_ahead) {
    auto& v = f[name] = per_epoch(values, epochs_);
    std::fill_n(v.begin() + interval * epochs_, epochs_, day_.hour_ahead.at(name)[static_cast<std::size_t>(interval)]);
  }
  f["retail"] = per_epoch(terms_.retail, epochs_);
  f["feed_in"] = per_epoch(terms_.feed_in, epochs_);
  return f;
}

// The half-hour models where a plant stands now.
ModelSet Microgrid::synced(const RecedingHorizon& from) const {
  auto set = halves_;
  for (std::size_t k = 0; k < set.models.size(); ++k) {
    const auto& now = from.models()[k];
    auto& m = set.models[k];
    for (std::size_t i = 0; i < m.states.size(); ++i) m.states[i].initial = now.states[i].initial;
    for (std::size_t j = 0; j < m.switches.size(); ++j) {
      m.switches[j].initially_on = now.switches[j].initially_on;
      m.switches[j].initial_level = now.switches[j].initial_level;
      m.switches[j].initial_steps = std::max(1, now.switches[j].initial_steps / epochs_);
      m.switches[j].steps_run = now.switches[j].steps_run / epochs_;
    }
  }
  return set;
}

std::vector<Offers> Microgrid::day_ahead_offers(const std::string& who, const std::vector<double>& bilateral_kwh) {
  const auto n = static_cast<std::size_t>(intervals());
  if (terms_.retail.size() != n) throw ModelError("no market terms yet");
  if (bilateral_kwh.size() != n) throw ModelError("bilateral contracts must cover every interval");
  MpcSettings s;
  s.horizon = intervals();
  s.price = "retail";
  s.feed_in = "feed_in";
  s.solve = settings_.solve;
  auto f = day_.day_ahead;
  f["retail"] = terms_.retail;
  f["feed_in"] = terms_.feed_in;
  const auto p = plan(halves_.models, f, 0, halves_.step_h, s);
  if (!p.ok()) throw ModelError("no day-ahead plan: " + p.detail);
  std::vector<Offers> out;
  for (std::size_t t = 0; t < n; ++t) {
    // What it would draw on its own, less its bilateral contracts, at any
    // price better than the grid's: bought up to retail less grid usage,
    // sold from feed-in plus it.
    const auto wh =
        static_cast<Wh>(std::llround(((p.import_kw[t] - p.export_kw[t]) * halves_.step_h - bilateral_kwh[t]) * 1000));
    const auto low = static_cast<PriceCc>(std::llround((terms_.feed_in[t] + terms_.grid_usage) * 100));
    const auto high = static_cast<PriceCc>(std::llround((terms_.retail[t] - terms_.grid_usage) * 100));
    // No room between the grid's offers (feed-in plus twice the grid usage
    // is retail): one point.
    std::vector<CurvePoint> curve{{low, wh}};
    if (high > low) curve.push_back({high, wh});
    out.push_back(offers_from_curve(who, curve));
  }
  return out;
}

void Microgrid::set_contracts(std::vector<double> kwh, std::vector<double> price) {
  if (kwh.size() != static_cast<std::size_t>(intervals()) || price.size() != kwh.size())
    throw ModelError("contracts and prices must cover every interval");
  contract_ = std::move(kwh);
  price_ = std::move(price);
  for (std::size_t t = 0; t < contract_.size(); ++t) record_[t].contract_kwh = contract_[t];
}

// The rest of the day from where a plant stands, against the tariff, with
// the interval's hour-ahead forecast.
Plan Microgrid::tariff_plan(const RecedingHorizon& from, int interval) const {
  const auto set = synced(from);
  MpcSettings s;
  s.horizon = intervals() - interval;
  s.price = "retail";
  s.feed_in = "feed_in";
  s.solve = settings_.solve;
  return plan(set.models, interval_series(interval), interval, set.step_h, s);
}

double Microgrid::real_time_position(int interval) {
  if (contract_.empty()) throw ModelError("no contracts yet");
  // What is off the contract trades in real time against the grid's
  // standing offers, at the tariff or better: the best plan for the rest of
  // the day is the one against the tariff, as on its own.
  reference_ = tariff_plan(*plant_, interval);
  reference_at_ = interval;
  // No plan: keep to the contract, and let the epochs do what they can.
  return reference_.ok() ? first_step_kwh(reference_, halves_.step_h) : contract_[static_cast<std::size_t>(interval)];
}

// Where the epochs' plan should leave what the microgrid stores: where the
// interval's re-plan has it at the end of the epochs' horizon, each unit
// short costing the energy to make it up at the imbalance's price over,
// each unit more worth that energy at its price under.
std::vector<StateTarget> Microgrid::storage_targets(int interval, int intervals_ahead) {
  if (reference_at_ != interval) {  // it missed the gate: plans now
    reference_ = tariff_plan(*plant_, interval);
    reference_at_ = interval;
  }
  std::vector<StateTarget> out;
  if (!reference_.ok()) return out;
  const auto row = static_cast<std::size_t>(
      std::min<int>(intervals_ahead, static_cast<int>(reference_.models[0].states.size()) - 1));
  const auto at = static_cast<std::size_t>(std::min(interval + intervals_ahead, intervals() - 1));
  const double over = price_.at(at) * (1 + terms_.penalty), under = price_[at] * (1 - terms_.penalty);
  for (std::size_t k = 0; k < halves_.models.size(); ++k) {
    const auto& m = halves_.models[k];
    for (std::size_t i = 0; i < m.states.size(); ++i) {
      const double kwh = storage_kwh_per_unit(m, i, halves_.step_h);
      if (kwh == 0) continue;
      const double short_cost = std::abs(kwh) * over, more_value = -std::abs(kwh) * under;
      out.push_back({m.name, m.states[i].name, reference_.models[k].states[row][i], kwh > 0 ? short_cost : more_value,
                     kwh > 0 ? more_value : short_cost});
    }
  }
  return out;
}

void Microgrid::add_real_time(int interval, double kwh) {
  contract_.at(static_cast<std::size_t>(interval)) += kwh;
  record_.at(static_cast<std::size_t>(interval)).contract_kwh = contract_[static_cast<std::size_t>(interval)];
}

double Microgrid::run_epoch(int interval, int epoch) {
  auto& r = record_.at(static_cast<std::size_t>(interval));
  if (plant_->step() != interval * epochs_ + epoch)
    throw ModelError("epoch " + std::to_string(epoch) + " of interval " + std::to_string(interval) +
                     " is not the plant's next (step " + std::to_string(plant_->step()) + ")");
  auto& s = plant_->settings();
  const bool next = interval + 1 < intervals();
  s.horizon = epochs_ - epoch + (next ? epochs_ : 0);
  // The energy is bought; what is off the contract costs what the
  // imbalance will (seed 001: minimize the imbalance cost), and
  // tracking_cost more each way; what it stores for later is worth what
  // the re-plan says it is. A tracker that minimized the kWh off the
  // contract instead would soak up every surplus by overcooling and
  // charging cars past their need; one without the targets would leave
  // the cars uncharged, seeing no value past its two intervals.
  s.weights.energy = 0;
  s.contracts.clear();
  for (int t = interval; t <= interval + (next ? 1 : 0); ++t) {
    const auto i = static_cast<std::size_t>(t);
    s.contracts.push_back({t * epochs_, epochs_, contract_.at(i), t == interval ? r.drawn_kwh : 0,
                           price_.at(i) * (1 + terms_.penalty) + settings_.tracking_cost,
                           -price_[i] * (1 - terms_.penalty) + settings_.tracking_cost});
  }
  s.targets = storage_targets(interval, next ? 2 : 1);
  const auto& a = plant_->advance(epoch_series(interval), &day_.actual);
  const double kwh = kwh_drawn(a, plant_->step_h());
  r.drawn_kwh += kwh;
  r.fuel_cost += fuel(*plant_, a);
  if (a.safe) ++r.safe_epochs;
  return kwh;
}

void Microgrid::run_alone(int interval) {
  auto& r = record_.at(static_cast<std::size_t>(interval));
  if (alone_->step() != interval * epochs_) throw ModelError("the shadow runs its intervals in order");
  const auto p = tariff_plan(*alone_, interval);
  const auto f = epoch_series(interval);
  for (int e = 0; e < epochs_; ++e) {
    const auto& a = p.ok() ? alone_->advance_by(p, f, &day_.actual) : alone_->advance_safe(f, &day_.actual);
    r.alone_kwh += kwh_drawn(a, alone_->step_h());
    r.alone_fuel_cost += fuel(*alone_, a);
  }
  const auto t = static_cast<std::size_t>(interval);
  r.alone_cost = r.alone_kwh * (r.alone_kwh > 0 ? terms_.retail[t] : terms_.feed_in[t]);
}

}  // namespace watt::der
