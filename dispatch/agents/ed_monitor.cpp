// ed-monitor: runs and watches one dispatch run (see RunMonitor): publishes
// ed/<run>/status per iteration and ed/<run>/result at the end, writes the
// trace as CSV and the result as JSON when asked, and answers the RPCs
// `result` and `progress`.
#include <watt/ed/error.hpp>
#include <watt/ed/messages.hpp>
#include <watt/ed/run_config.hpp>
#include <watt/ed/run_monitor.hpp>
#include "agent_support.hpp"

#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

namespace {

using watt::ed::ControlMsg;
using watt::ed::ResultMsg;
using watt::ed::RunMonitor;
using watt::ed::StateMsg;
using watt::ed::StatusMsg;

// Written to a temporary file and renamed, so a reader never sees half of it.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << '\n';
    if (!out.flush()) throw watt::Error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

class EdMonitor : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    watt::ed::take_run_config(name, action, value, monitor_ != nullptr, config_, "monitor settings",
                              [this](YAML::Node& run) {
                                auto trace_csv = watt::ed::take_string(run, "trace_csv").value_or("");
                                auto result_json = watt::ed::take_string(run, "result_json").value_or("");
                                const auto stall_timeout = watt::ed::take_ms(run, "stall_timeout_ms");
                                config_ = watt::ed::parse_run_config(run);
                                trace_csv_ = std::move(trace_csv);
                                result_json_ = std::move(result_json);
                                stall_timeout_ = stall_timeout;
                              });
  }

  void on_start() override {
    if (!config_) throw watt::Error("no run configuration: install the agent with --config (see docs/ed.md)");
    const auto stall = stall_timeout_.value_or(config_->neighbour_timeout * 2);
    try {
      monitor_ = std::make_unique<RunMonitor>(*config_, output(), stall);
    } catch (const watt::ed::Error& e) {
      throw watt::Error(e.what());
    }
    if (!trace_csv_.empty()) open_trace();
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;  // every iteration of every node counts
    subscribe(
        watt::ed::run_prefix(config_->run) + "+", [this](const watt::Envelope& e) { on_message(e); }, lossless);
    export_method("result",
                  [this]() { return result_ ? watt::Value::of(*result_) : watt::Value::of(msgpack::type::nil_t{}); });
    export_method("progress", [this]() { return progress_; });
    every(std::chrono::seconds(1), [this] { tick(); });
    log().info("run {}: {} nodes; waiting for all of them to be ready", config_->run, monitor_->members().size());
    monitor_->open();
  }

private:
  RunMonitor::Output output() {
    RunMonitor::Output out;
    const auto& run = config_->run;
    out.control = [this, run](const ControlMsg& m) {
      if (m.type == "start") log().info("run {}: all {} nodes ready; started", run, m.nodes.size());
      if (m.type == "lost")
        log().warn("run {}: no iteration from {} ({}); declaring them lost", run, watt::ed::join_ids(m.nodes),
                   m.reason);
      publish(watt::ed::control_topic(run), m, watt::ed::dispatch_options());
    };
    out.status = [this, run](const StatusMsg& s) {
      progress_ = s;
      publish(watt::ed::status_topic(run), s, watt::ed::dispatch_options());
    };
    out.trace = [this](const watt::ed::TraceRow& row) {
      if (!trace_) return;
      *trace_ << row.epoch << ',' << row.k << ',' << row.iteration << ',' << row.mismatch_kw;
      for (const double l : row.lambda) {
        *trace_ << ',';
        if (!std::isnan(l)) *trace_ << l;
      }
      *trace_ << '\n';
    };
    out.result = [this, run](const ResultMsg& r) { on_result(r); };
    return out;
  }

  void open_trace() {
    trace_ = std::make_unique<std::ofstream>(trace_csv_, std::ios::trunc);
    if (!*trace_) throw watt::Error("trace_csv: cannot write " + trace_csv_);
    trace_->precision(10);
    *trace_ << "epoch,k,iteration,mismatch_kw";
    for (const auto& id : monitor_->members()) *trace_ << ",lambda_" << id;
    *trace_ << '\n';
  }

  void on_message(const watt::Envelope& e) {
    if (e.sender == identity()) return;
    const auto last = watt::ed::last_segment(e.topic);
    const auto now = RunMonitor::Clock::now();
    if (last == "status" || last == "result") return;  // another monitor's; ours are not echoed
    if (last == "control") {
      ControlMsg msg;
      if (!watt::ed::decode_body(e, msg, bad_, log())) return;
      if (msg.type == "ready") monitor_->on_ready(msg.nodes, now);
      if (msg.type == "lost") monitor_->on_lost(msg.nodes, msg.detected_by, now);
      return;
    }
    StateMsg msg;
    if (!watt::ed::decode_body(e, msg, bad_, log())) return;
    monitor_->on_state(msg, now);
  }

  void tick() {
    const auto now = RunMonitor::Clock::now();
    monitor_->poll(now);
    if (!monitor_->started() && ++waiting_ticks_ % 5 == 0)
      log().info("run {}: still waiting for {}", config_->run, watt::ed::join_ids(monitor_->not_ready()));
  }

  void on_result(const ResultMsg& r) {
    result_ = r;
    publish(watt::ed::result_topic(config_->run), r, watt::ed::dispatch_options());
    if (trace_) trace_->flush();
    if (r.status == "converged")
      log().info(
          "run {}: converged in {} iterations, {:.1f} ms: lambda {:.4f} (central {:.4f}), generation {:.1f} kW, load "
          "{:.1f} kW",
          r.run, r.iterations, r.wall_ms, r.lambda, r.central.lambda, r.total_generation, r.total_load);
    else
      log().error("run {}: {} after {} iterations: {}", r.run, r.status, r.iterations, r.error);
    if (!result_json_.empty()) {
      try {
        write_atomically(result_json_, watt::Value::of(r).to_json());
      } catch (const std::exception& e) {
        log().error("result_json: {}", e.what());
      }
    }
    set_health(r.status == "converged" ? watt::Health::good : watt::Health::bad,
               r.status == "converged" ? std::string{} : r.error);
  }

  std::optional<watt::ed::RunConfig> config_;
  std::string trace_csv_, result_json_;
  std::optional<std::chrono::milliseconds> stall_timeout_;
  std::unique_ptr<RunMonitor> monitor_;
  std::unique_ptr<std::ofstream> trace_;
  std::optional<ResultMsg> result_;
  StatusMsg progress_;
  watt::LogLimiter bad_;
  unsigned waiting_ticks_ = 0;
};

}  // namespace

WATT_AGENT(EdMonitor)
