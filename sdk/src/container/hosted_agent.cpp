#include "hosted_agent.hpp"

#include "hosted_port.hpp"

namespace watt::detail {

HostedAgent::HostedAgent(ContainerParts parts, HostedAgentOptions options, std::shared_ptr<const AgentLibrary> library)
    : parts_(parts),
      options_(std::move(options)),
      library_(std::move(library)),
      backoff_(parts.options.backoff_initial) {
  const auto& o = parts_.options;
  life_.connect_timeout = o.connect_timeout;
  life_.configs = options_.configs;
  life_.configs_from_platform = o.configs_from_platform;
  life_.heartbeat_period = o.heartbeat_period;
}

HostedAgent::~HostedAgent() {
  agent_.reset();  // before the runtime it points into
  rt_.reset();
}

const char* HostedAgent::name(State s) noexcept {
  switch (s) {
    case State::stopped: return "stopped";
    case State::starting: return "starting";
    case State::running: return "running";
    case State::restarting: return "restarting";
    case State::failed: return "failed";
  }
  return "?";
}

void HostedAgent::set(State s) {
  std::lock_guard lock(mutex_);
  state_ = s;
}

void HostedAgent::start() {
  {
    std::lock_guard lock(mutex_);
    start_wanted_ = true;
    stop_wanted_ = false;
  }
  parts_.scheduler.wake(*this);
}

void HostedAgent::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_wanted_ = true;
    start_wanted_ = false;
  }
  parts_.scheduler.wake(*this);
}

HostedAgentStatus HostedAgent::status() const {
  std::lock_guard lock(mutex_);
  return {options_.identity, name(state_), restart_count_, last_failure_};
}

bool HostedAgent::settled() const {
  std::lock_guard lock(mutex_);
  return (state_ == State::stopped || state_ == State::failed) && !start_wanted_;
}

Clock::time_point HostedAgent::run() {
  const auto mark = [this] {
    std::lock_guard lock(mutex_);
    return std::pair{state_, restart_count_};
  };
  const auto before = mark();
  const auto next = step();
  if (parts_.on_state && mark() != before) parts_.on_state(status());  // a turn of callbacks copies nothing
  return next;
}

Clock::time_point HostedAgent::step() {
  State state;
  bool start_wanted = false, stop_wanted = false;
  Clock::time_point restart_at;
  {
    std::lock_guard lock(mutex_);
    state = state_;
    start_wanted = std::exchange(start_wanted_, false);
    stop_wanted = std::exchange(stop_wanted_, false);
    restart_at = restart_at_;
    if (start_wanted && (state == State::failed || state == State::stopped)) {
      // Asked for again: a fresh start, with no history of failures.
      state_ = state = State::restarting;
      restart_at = restart_at_ = Clock::now();
      restarts_.clear();
      backoff_ = parts_.options.backoff_initial;
    }
  }
  if (rt_) rt_->adopt_thread();
  switch (state) {
    case State::running:
      if (stop_wanted || rt_->stop_requested()) return end(nullptr, stop_wanted);
      try {
        return rt_->turn();
      } catch (const std::exception& e) {
        return end(e.what(), false);
      }
    case State::restarting:
      if (stop_wanted) {
        set(State::stopped);
        return Clock::time_point::max();
      }
      if (Clock::now() < restart_at) return restart_at;
      return begin();
    default: return Clock::time_point::max();
  }
}

Clock::time_point HostedAgent::begin() {
  set(State::starting);
  try {
    SharedConnection* connection = parts_.own.connection();
    if (connection == nullptr) throw Error("the container is not connected to the platform");
    auto port = std::make_unique<HostedPort>(
        parts_.mux, *connection, [this] { parts_.scheduler.wake(*this); },
        [this](const std::function<bool()>& done, Clock::time_point deadline) {
          parts_.scheduler.help(*this, done, deadline);
        });
    port->set_intake_limit(parts_.options.agent_queue);
    rt_ = std::make_unique<Runtime>(options_.identity, parts_.options.address, parts_.log_sink, std::move(port));
    agent_ = library_->create(rt_.get());
    start_agent(*rt_, *agent_, life_);
  } catch (const std::exception& e) {
    if (rt_) rt_->log().error(std::string("cannot start: ") + e.what());
    agent_.reset();
    rt_.reset();
    return after_exit(true, e.what());
  }
  started_ = Clock::now();
  set(State::running);
  return Clock::now();  // its first round at once
}

Clock::time_point HostedAgent::end(const char* failure, bool asked) {
  stop_agent(*rt_, *agent_, failure);
  agent_.reset();
  rt_.reset();
  if (asked) {
    set(State::stopped);
    return Clock::time_point::max();
  }
  return after_exit(failure != nullptr, failure != nullptr ? failure : "");
}

// The platform's rules for a process, applied to one agent.
Clock::time_point HostedAgent::after_exit(bool failure, const std::string& why) {
  const auto& o = parts_.options;
  const bool again = options_.restart == "always" || (options_.restart == "on-failure" && failure);
  std::lock_guard lock(mutex_);
  if (failure) last_failure_ = why;
  if (!again) {
    state_ = failure ? State::failed : State::stopped;
    return Clock::time_point::max();
  }
  const auto now = Clock::now();
  if (now - started_ > o.restart_window) {  // a long healthy run earns a fresh start
    backoff_ = o.backoff_initial;
    restarts_.clear();
  }
  while (!restarts_.empty() && now - restarts_.front() > o.restart_window) restarts_.pop_front();
  if (static_cast<int>(restarts_.size()) >= o.restart_limit) {
    state_ = State::failed;
    last_failure_ = "crash loop: " + std::to_string(restarts_.size()) + " restarts within " +
                    std::to_string(o.restart_window.count() / 1000) + " s; last " + last_failure_;
    return Clock::time_point::max();
  }
  restarts_.push_back(now);
  ++restart_count_;
  state_ = State::restarting;
  restart_at_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, o.backoff_max);
  return restart_at_;
}

}  // namespace watt::detail
