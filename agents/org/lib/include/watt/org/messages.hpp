// What the organizations' agents say to each other (docs/organizations.md,
// Messages), as msgpack maps. Topics, inside organization X:
//   org/X/measure/<series>        SeriesBlock   a member's measurements
//   org/X/record/<rest>           as received   the IP's copy for the historian
//   org/X/forecast/<series>       ForecastMsg   the prediction engine
//   org/X/out/<to>/<subject>      any           a member, for organization <to>
//   org/X/in/<from>/<subject>     any           the IP, from organization <from>
// and between organizations, written only by IPs: org/<to>/inbox/X/<subject>.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace watt::org {

// Values at start_s, start_s + step_s, …; a gap is NaN (nil on the wire).
struct SeriesBlock {
  std::int64_t start_s = 0;
  std::int64_t step_s = 3600;
  std::vector<double> values;
  MSGPACK_DEFINE_MAP(start_s, step_s, values)
};

struct ForecastMsg {
  std::string series, method;
  std::int64_t start_s = 0, step_s = 3600;
  std::vector<double> values;
  double mae = 0, mape = 0;  // NaN (nil) without a backtest
  std::uint64_t backtest_points = 0, history_points = 0;
  std::vector<std::string> notes;
  MSGPACK_DEFINE_MAP(series, method, start_s, step_s, values, mae, mape, backtest_points, history_points, notes)
};

// The DisCo to an aggregator: a round begins. P^D2L per end-user
// organization (none listed: zeros).
struct RoundMsg {
  std::uint64_t run = 0, round = 0;
  bool shiftable = false;
  double lambda_d2l = 0;
  std::map<std::string, std::vector<double>> d2l;
  MSGPACK_DEFINE_MAP(run, round, shiftable, lambda_d2l, d2l)
};

// An aggregator to one of its end-users: the round, its P^D2L and the
// aggregator's price lambda^L2A.
struct UserRoundMsg {
  std::uint64_t run = 0, round = 0;
  bool shiftable = false;
  double lambda_d2l = 0;
  std::vector<double> d2l, price_l2a;
  MSGPACK_DEFINE_MAP(run, round, shiftable, lambda_d2l, d2l, price_l2a)
};

// An end-user's answer: its P^L2A, the most it will take from the DisCo each
// hour, and its expected cost OF^e; or why it has none.
struct OfferMsg {
  std::uint64_t run = 0, round = 0;
  std::vector<double> l2a, d2l_limit;
  double cost = 0;
  std::string error;
  MSGPACK_DEFINE_MAP(run, round, l2a, d2l_limit, cost, error)
};

struct UserReport {
  std::string org;
  double cost = 0;
  std::vector<double> d2l_limit;
  MSGPACK_DEFINE_MAP(org, cost, d2l_limit)
};

// An aggregator to the DisCo, once all its end-users have answered: (6) and
// its prices for (7); or the first end-user's failure.
struct ReportMsg {
  std::uint64_t run = 0, round = 0;
  std::vector<double> a2d, price_l2a;
  std::vector<UserReport> users;
  std::string error;
  MSGPACK_DEFINE_MAP(run, round, a2d, price_l2a, users, error)
};

// The DisCo's account of a finished run, to its own members.
struct RunResultMsg {
  std::uint64_t run = 0;
  bool iterative = false, shiftable = false, converged = false;
  std::uint64_t rounds = 0;
  std::string stop;
  double change = 0, ec_e = 0, ec_a = 0, ec_d = 0;
  std::vector<std::string> regions;            // aggregator organizations, in the order below
  std::vector<std::vector<double>> a2d;        // P^A2D_kt (= sum of P^L2A: end-users <-> aggregator k)
  std::vector<std::vector<double>> price_a2d;  // lambda^A2D_kt
  std::vector<double> d2l_total, market;       // sum_j P^D2L_jt, P^M_t
  double round_ms = 0;                         // mean wall time of one round
  MSGPACK_DEFINE_MAP(run, iterative, shiftable, converged, rounds, stop, change, ec_e, ec_a, ec_d, regions, a2d,
                     price_a2d, d2l_total, market, round_ms)
};

}  // namespace watt::org
