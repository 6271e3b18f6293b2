// An experiment on a running platform, as the client watt-org-runner: the
// meters' history in, the forecasts awaited, the four runs made.
#include "experiment.hpp"

#include <watt/client.hpp>
#include <watt/error.hpp>
#include <watt/org/trading_run.hpp>

#include <algorithm>
#include <iostream>
#include <optional>

namespace watt::org::tool {
namespace {

constexpr std::int64_t day_s = 24 * 3600;

// Each end-user's meter reports its load of the last `days` days, one block a
// day, ending at today's midnight (UTC): the history its prediction engine
// forecasts tomorrow from. Reported again it changes nothing (the newest
// block on an hour stands, and says the same).
void publish_history(Client& c, const Experiment& e, const std::vector<std::string>& users, std::size_t days) {
  const std::int64_t midnight =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      day_s * day_s;
  PublishOptions o;
  o.priority = 60;
  for (const auto& u : e.trading.users)
    for (std::size_t d = days; d > 0 && std::find(users.begin(), users.end(), u.name) != users.end(); --d)
      c.publish("org/" + u.name + "/measure/load",
                SeriesBlock{midnight - static_cast<std::int64_t>(d) * day_s, 3600, u.load}, o);
  if (!c.sync(std::chrono::seconds(30))) throw Error("the broker did not take the load history");
}

// Reports the history and asks every prediction engine to forecast, until
// each has the whole history (the historian stores it a batch interval after
// it arrives). An end-user whose agents were not listening yet (just
// started) is sent its history again every few seconds.
void feed_forecasts(Client& c, const Experiment& e, std::size_t days, std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> waiting;
  for (const auto& u : e.trading.users) waiting.push_back(u.name);
  auto resend_at = std::chrono::steady_clock::now();
  while (!waiting.empty()) {
    if (std::chrono::steady_clock::now() >= resend_at) {
      publish_history(c, e, waiting, days);
      resend_at = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
    if (std::chrono::steady_clock::now() > give_up)
      throw Error(std::to_string(waiting.size()) + " end-users have no forecast of their whole history yet, '" +
                  waiting.front() + "' among them");
    std::vector<Call> calls;
    for (const auto& u : waiting) calls.push_back(c.call(u + "-pe", "forecast_now"));
    std::vector<std::string> still;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      auto r = calls[i].get_as<std::vector<ForecastMsg>>();
      if (!r || r.value().empty() || r.value().front().history_points < days * 24) still.push_back(waiting[i]);
    }
    waiting = std::move(still);
    if (!waiting.empty()) c.spin_for(std::chrono::milliseconds(200));
  }
}

RunResultMsg one_run(Client& c, bool iterative, bool shiftable, std::optional<RunResultMsg>& last,
                     std::chrono::seconds timeout) {
  const auto id = c.call(disco_org + "-dms", "run", iterative, shiftable).get_as<std::uint64_t>();
  if (!id) throw Error("the DisCo's DMS did not start a run: " + id.error().what());
  if (!c.spin_until([&] { return last && last->run == id.value(); }, timeout))
    throw Error("run " + std::to_string(id.value()) + " did not finish within " + std::to_string(timeout.count()) +
                " s");
  return *last;
}

}  // namespace

std::vector<RunRecord> run_experiment(const Experiment& e, const RunSettings& s) {
  ClientOptions o;
  o.identity = runner_identity;
  o.address = s.address;
  Client c(o);
  std::optional<RunResultMsg> last;
  SubscribeOptions lossless;
  lossless.delivery = Delivery::lossless;
  c.subscribe(
      "org/" + disco_org + "/trade/result", [&](const Envelope& env) { last = env.body.as<RunResultMsg>(); }, lossless);
  if (!c.sync()) throw Error("no answer from the broker");
  std::cout << "publishing " << s.history_days << " days of load for " << e.trading.users.size() << " end-users\n";
  feed_forecasts(c, e, s.history_days, s.timeout);
  std::cout << "every prediction engine has forecast tomorrow's load\n";
  std::vector<RunRecord> runs;
  for (bool shiftable : {false, true})
    for (bool iterative : {false, true}) {
      RunRecord r{iterative, shiftable, one_run(c, iterative, shiftable, last, s.timeout), 0, 0, 0};
      // The same case carried by direct calls: what the bus must agree with.
      const auto ref = run_trading(e.trading, {iterative, shiftable, e.tolerance, static_cast<int>(e.max_rounds)});
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
