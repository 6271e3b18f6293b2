// An experiment on a running platform, as the client watt-org-runner: the
// meters' history in, the forecasts awaited, the runs made.
#include "experiment.hpp"

#include <watt/error.hpp>
#include <watt/org/trading_run.hpp>

#include <iostream>
#include <set>

namespace watt::org::tool {
namespace {

constexpr std::int64_t day_s = 24 * 3600;

}  // namespace

Runner::Runner(const Experiment& e, const RunSettings& s) : e_(e), s_(s) {
  ClientOptions o;
  o.identity = runner_identity;
  o.address = s.address;
  client_ = std::make_unique<Client>(o);
  SubscribeOptions lossless;
  lossless.delivery = Delivery::lossless;
  client_->subscribe(
      "org/" + disco_org + "/trade/result", [this](const Envelope& env) { last_ = env.body.as<RunResultMsg>(); },
      lossless);
  if (!client_->sync()) throw Error("no answer from the broker");
}

// Each end-user's meter reports its load of the last `days` days, one block a
// day, ending at today's midnight (UTC): the history its prediction engine
// forecasts tomorrow from. Reported again it changes nothing (the newest
// block on an hour stands, and says the same).
void Runner::publish_history(const std::vector<std::string>& users) {
  const std::int64_t midnight =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      day_s * day_s;
  PublishOptions o;
  o.priority = 60;
  const std::set<std::string> wanted(users.begin(), users.end());
  for (const auto& u : e_.trading.users)
    for (std::size_t d = s_.history_days; d > 0 && wanted.contains(u.name); --d)
      client_->publish("org/" + u.name + "/measure/load",
                       SeriesBlock{midnight - static_cast<std::int64_t>(d) * day_s, 3600, u.load}, o);
  if (!client_->sync(std::chrono::seconds(30))) throw Error("the broker did not take the load history");
}

// The historian stores the history a batch interval after it arrives; an
// end-user whose agents were not listening yet (just started) is sent its
// history again every two seconds.
void Runner::feed_forecasts() {
  const auto give_up = std::chrono::steady_clock::now() + s_.timeout;
  std::vector<std::string> waiting;
  for (const auto& u : e_.trading.users) waiting.push_back(u.name);
  auto resend_at = std::chrono::steady_clock::now();
  while (!waiting.empty()) {
    if (std::chrono::steady_clock::now() >= resend_at) {
      publish_history(waiting);
      resend_at = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    }
    if (std::chrono::steady_clock::now() > give_up)
      throw Error(std::to_string(waiting.size()) + " end-users have no forecast of their whole history yet, '" +
                  waiting.front() + "' among them");
    std::vector<Call> calls;
    for (const auto& u : waiting) calls.push_back(client_->call(u + "-pe", "forecast_now"));
    std::vector<std::string> still;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      auto r = calls[i].get_as<std::vector<ForecastMsg>>();
      if (!r || r.value().empty() || r.value().front().history_points < s_.history_days * 24)
        still.push_back(waiting[i]);
    }
    waiting = std::move(still);
    if (!waiting.empty()) client_->spin_for(std::chrono::milliseconds(200));
  }
}

std::uint64_t Runner::start(bool iterative, bool shiftable) {
  const auto id = client_->call(disco_org + "-dms", "run", iterative, shiftable).get_as<std::uint64_t>();
  if (!id) throw Error("the DisCo's DMS did not start a run: " + id.error().what());
  return id.value();
}

RunResultMsg Runner::await(std::uint64_t run) {
  if (!client_->spin_until([&] { return last_ && last_->run == run; }, s_.timeout))
    throw Error("run " + std::to_string(run) + " did not finish within " + std::to_string(s_.timeout.count()) + " s");
  return *last_;
}

std::vector<RunRecord> run_experiment(const Experiment& e, const RunSettings& s) {
  Runner runner(e, s);
  std::cout << "publishing " << s.history_days << " days of load for " << e.trading.users.size() << " end-users\n";
  runner.feed_forecasts();
  std::cout << "every prediction engine has forecast tomorrow's load\n";
  std::vector<RunRecord> runs;
  for (bool shiftable : {false, true})
    for (bool iterative : {false, true}) {
      RunRecord r{iterative, shiftable, runner.await(runner.start(iterative, shiftable)), 0, 0, 0, {}};
      // The same case carried by direct calls: what the bus must agree with.
      const RunOptions o{iterative, shiftable, e.tolerance, static_cast<int>(e.max_rounds)};
      const auto ref = run_trading(e.trading, o);
      r.balance = balance_error(e.trading, o, ref);
      r.reference_ec_e = ref.ec_e;
      r.reference_ec_a = ref.ec_a;
      r.reference_ec_d = ref.ec_d;
      std::cout << "S" << (shiftable ? 2 : 1) << " case " << (iterative ? 2 : 1) << ": " << r.result.stop << " after "
                << r.result.rounds << " round" << (r.result.rounds == 1 ? "" : "s") << "\n";
      runs.push_back(std::move(r));
    }
  return runs;
}

}  // namespace watt::org::tool
