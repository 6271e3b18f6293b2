// The run monitor: see run_monitor.hpp.
#include <watt/ed/run_monitor.hpp>

#include <watt/ed/central.hpp>
#include <watt/ed/error.hpp>
#include <watt/ed/run_graph.hpp>
#include <watt/ed/validate_run.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace watt::ed {

namespace {
double ms_since(RunMonitor::Clock::time_point t0, RunMonitor::Clock::time_point now) {
  return std::chrono::duration<double, std::milli>(now - t0).count();
}
}  // namespace

RunMonitor::RunMonitor(RunConfig config, Output out, std::chrono::milliseconds stall_timeout)
    : config_(std::move(config)),
      out_(std::move(out)),
      stall_timeout_(stall_timeout),
      members_(config_.graph_of_members()),
      ids_(config_.members) {
  for (const auto& id : ids_) {
    const auto it = std::find_if(config_.nodes.begin(), config_.nodes.end(), [&](const auto& p) { return p.id == id; });
    if (it == config_.nodes.end())
      throw Error("node " + id + ": the monitor needs every node's parameters to validate the run");
    params_.push_back(*it);
  }
  validate_run(params_, members_);
}

void RunMonitor::open() { out_.control(ControlMsg{"roll", {}, {}, 0, 0, {}}); }

std::vector<std::string> RunMonitor::not_ready() const {
  std::vector<std::string> missing;
  for (const auto& id : ids_)
    if (ready_.count(id) == 0) missing.push_back(id);
  return missing;
}

void RunMonitor::on_ready(const std::vector<std::string>& nodes, Clock::time_point now) {
  for (const auto& id : nodes)
    if (has_node(members_, id)) ready_.insert(id);
  if (started_ || ready_.size() < ids_.size()) return;
  started_ = true;
  t0_ = last_progress_ = now;
  out_.control(ControlMsg{"start", ids_, {}, 0, 0, {}});
}

void RunMonitor::on_state(const StateMsg& msg, Clock::time_point now) {
  if (!started_ || finished_ || !has_node(members_, msg.id) || dead_.count(msg.id) != 0) return;
  heard_[msg.id] = now;
  if (msg.epoch > epoch_) {
    early_.push_back(msg);
    return;
  }
  if (msg.epoch < epoch_ || (any_row_ && msg.k <= last_k_)) return;  // late, or from before a re-form
  auto& row = rows_[msg.k];
  if (row.have.empty()) {
    row.lambda.assign(ids_.size(), std::numeric_limits<double>::quiet_NaN());
    row.p.assign(ids_.size(), 0.0);
    row.have.assign(ids_.size(), false);
  }
  const auto i = *members_.index_of(msg.id);
  if (row.have[i]) return;
  row.have[i] = true;
  row.lambda[i] = msg.lambda;
  row.p[i] = msg.p;
  ++row.count;
  // Every node publishes its iterations in order, so rows complete in order.
  while (!finished_ && !rows_.empty() && rows_.begin()->second.count == alive_count()) {
    const auto node = rows_.extract(rows_.begin());
    complete(node.key(), node.mapped(), now);
  }
}

void RunMonitor::complete(std::uint64_t k, const Row& row, Clock::time_point now) {
  double generation = 0, load = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (!row.have[i]) continue;
    (params_[i].role == Role::generator ? generation : load) += row.p[i];
    load += params_[i].demand;
    lo = std::min(lo, row.lambda[i]);
    hi = std::max(hi, row.lambda[i]);
  }
  last_k_ = k;
  any_row_ = true;
  last_progress_ = now;
  const double mismatch = generation - load;
  out_.status(StatusMsg{epoch_, k, base_ + k, alive_count(), mismatch, lo, hi});
  out_.trace(TraceRow{epoch_, k, base_ + k, mismatch, row.lambda});
  if (k >= 1 && std::abs(mismatch) < config_.mismatch_tol && hi - lo < config_.lambda_tol)
    finish("converged", {}, &row, now);
  else if (base_ + k >= config_.k_max)
    finish("k_max", "no convergence within k_max = " + std::to_string(config_.k_max) + " iterations", &row, now);
}

void RunMonitor::finish(const std::string& status, const std::string& error, const Row* row, Clock::time_point now) {
  finished_ = true;
  ResultMsg r;
  r.run = config_.run;
  r.status = status;
  r.error = error;
  r.iterations = base_ + last_k_;
  r.epoch = epoch_;
  r.wall_ms = ms_since(t0_, now);
  r.lost = lost_;
  std::vector<NodeParams> alive;
  std::vector<std::size_t> alive_index;
  for (std::size_t i = 0; i < ids_.size(); ++i)
    if (dead_.count(ids_[i]) == 0) {
      alive.push_back(params_[i]);
      alive_index.push_back(i);
    }
  if (row != nullptr) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
    for (const auto i : alive_index) {
      const double p = row->p[i];
      r.p[ids_[i]] = p;
      (params_[i].role == Role::generator ? r.total_generation : r.total_load) += p;
      r.total_load += params_[i].demand;
      lo = std::min(lo, row->lambda[i]);
      hi = std::max(hi, row->lambda[i]);
      sum += row->lambda[i];
    }
    r.lambda = sum / static_cast<double>(alive_index.size());
    r.lambda_spread = hi - lo;
    r.mismatch_kw = r.total_generation - r.total_load;
  }
  if (alive.size() >= 2) {
    try {
      const Dispatch central = solve_central(alive);
      r.central.lambda = central.lambda;
      for (std::size_t a = 0; a < alive.size(); ++a) {
        const auto i = alive_index[a];
        r.central.p[ids_[i]] = central.p[a];
        if (row != nullptr) {
          r.central.max_p_error_kw = std::max(r.central.max_p_error_kw, std::abs(row->p[i] - central.p[a]));
          r.central.lambda_error = std::max(r.central.lambda_error, std::abs(row->lambda[i] - central.lambda));
        }
      }
    } catch (const Error& e) {
      r.error += (r.error.empty() ? "" : "; ") + std::string("centralized solution: ") + e.what();
    }
  }
  out_.control(ControlMsg{"stop", {}, {}, epoch_, last_k_, status});
  out_.result(r);
}

void RunMonitor::on_lost(const std::vector<std::string>& nodes, const std::string& detected_by, Clock::time_point now) {
  if (finished_) return;
  std::vector<std::string> fresh;
  for (const auto& id : nodes)
    if (has_node(members_, id) && dead_.insert(id).second) fresh.push_back(id);
  if (fresh.empty()) return;
  epoch_ = dead_.size();
  base_ += last_k_;
  last_k_ = 0;
  any_row_ = false;
  rows_.clear();
  last_progress_ = now;
  std::string names;
  for (const auto& id : fresh) {
    lost_.push_back(LostNode{id, detected_by, epoch_, base_, started_ ? ms_since(t0_, now) : 0.0});
    names += (names.empty() ? "" : ", ") + id;
  }
  const Graph alive = members_.without(dead_);
  if (const auto why = why_unusable(alive); !why.empty())
    return finish("error", "lost " + names + ": " + why, nullptr, now);
  std::vector<StateMsg> early;
  early.swap(early_);
  for (const auto& msg : early) on_state(msg, now);
}

void RunMonitor::poll(Clock::time_point now) {
  if (!started_ || finished_ || now - last_progress_ < stall_timeout_) return;
  // The oldest unfinished iteration names the suspects; a suspect that still
  // repeats its state is waiting like the rest, not gone. If every node is
  // silent there is nobody left to re-form.
  std::vector<std::string> silent;
  const Row* row = rows_.empty() ? nullptr : &rows_.begin()->second;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (dead_.count(ids_[i]) != 0 || (row != nullptr && row->have[i])) continue;
    const auto heard = heard_.find(ids_[i]);
    if (now - (heard == heard_.end() ? t0_ : heard->second) >= stall_timeout_) silent.push_back(ids_[i]);
  }
  if (silent.empty()) return;
  if (silent.size() == alive_count())
    return finish("error", "no node has published for " + std::to_string(stall_timeout_.count()) + " ms", nullptr, now);
  out_.control(ControlMsg{"lost", silent, "monitor", dead_.size() + silent.size(), base_ + last_k_,
                          "silent for " + std::to_string(stall_timeout_.count()) + " ms"});
  on_lost(silent, "monitor", now);
}

}  // namespace watt::ed
