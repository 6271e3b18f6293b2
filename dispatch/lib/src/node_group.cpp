// The hosted dispatch nodes: see node_group.hpp.
#include <watt/ed/node_group.hpp>

#include <watt/ed/error.hpp>
#include <watt/ed/run_graph.hpp>

#include <algorithm>

namespace watt::ed {

NodeGroup::NodeGroup(RunConfig config, Output out, std::chrono::milliseconds pace)
    : config_(std::move(config)), out_(std::move(out)), pace_(pace), members_(config_.graph_of_members()) {
  if (config_.nodes.empty()) throw Error("run " + config_.run + ": this agent hosts no nodes");
  if (pace_.count() < 0) throw Error("pace_ms must not be negative");
  if (pace_ * 2 >= config_.neighbour_timeout)
    throw Error("neighbour_timeout_ms must be more than twice pace_ms, or every paced node looks lost");
  if (const auto why = why_unusable(members_); !why.empty()) throw Error("run " + config_.run + ": " + why);
  const double eps = config_.epsilon_for(members_);
  for (const auto& p : config_.nodes) {
    validate(p);
    if (hosted_index_.count(p.id) != 0) throw Error("node " + p.id + ": hosted twice");
    hosted_index_[p.id] = hosted_.size();
    hosted_.push_back(Hosted{p.id, Node(p, 1.0, eps), true, {}, {}, {}, {}, {}});
  }
  reform(Clock::now());
}

std::vector<std::string> NodeGroup::hosted() const {
  std::vector<std::string> ids;
  for (const auto& h : hosted_) ids.push_back(h.id);
  return ids;
}

std::vector<std::string> NodeGroup::remote_neighbours() const {
  std::set<std::string> remote;
  for (const auto& h : hosted_) {
    const auto i = *members_.index_of(h.id);
    for (const auto j : members_.neighbours(i))
      if (hosted_index_.count(members_.id(j)) == 0) remote.insert(members_.id(j));
  }
  return {remote.begin(), remote.end()};
}

const State& NodeGroup::state_of(const std::string& id) const {
  const auto it = hosted_index_.find(id);
  if (it == hosted_index_.end()) throw Error("node " + id + " is not hosted here");
  return hosted_[it->second].node.state();
}

// Weights and step size for the nodes still in the run; every surviving
// hosted node restarts at k = 0 from its own current set-point, which puts
// the balance back on exactly the surviving nodes.
void NodeGroup::reform(Clock::time_point now) {
  const Graph alive = members_.without(dead_);
  if (auto why = why_unusable(alive); !why.empty()) {
    error_ = std::move(why);
    running_ = false;
    return;
  }
  const auto weights = metropolis(alive);
  const double eps = config_.epsilon_for(alive);
  listeners_.clear();
  ready_.clear();
  paced_.clear();
  for (std::size_t h = 0; h < hosted_.size(); ++h) {
    auto& node = hosted_[h];
    node.inbox.clear();
    node.neighbours.clear();
    node.weights.clear();
    if (dead_.count(node.id) != 0) {
      node.alive = false;
      continue;
    }
    const auto i = *alive.index_of(node.id);
    const auto& hood = weights[i];
    for (const auto& [j, w] : hood.neighbours) {
      listeners_[alive.id(j)].emplace_back(h, node.neighbours.size());
      node.neighbours.push_back(alive.id(j));
      node.weights.push_back(w);
    }
    node.node.reform(hood.self_weight, eps);
    node.waiting_since = now;
    node.next_step = Clock::time_point::min();  // the pace counts from a node's last step
  }
}

void NodeGroup::start(Clock::time_point now) {
  if (started_) return;
  started_ = running_ = error_.empty();
  for (const auto& id : remote_neighbours()) heard_[id] = now;
  for (auto& h : hosted_) {
    h.waiting_since = now;
    if (h.alive && running_) emit(h, now);
  }
  run_ready(now);
}

// Publishes a hosted node's current state and hands it to the hosted nodes
// that listen to it, which never wait for the bus.
void NodeGroup::emit(Hosted& h, Clock::time_point now) {
  const auto& s = h.node.state();
  const StateMsg msg{h.id, epoch_, s.k, s.lambda, s.y, s.p};
  out_.state(msg);
  h.last_sent = now;
  accept(msg);
}

void NodeGroup::accept(const StateMsg& msg) {
  const auto it = listeners_.find(msg.id);
  if (it == listeners_.end()) return;  // not a neighbour of anything here
  for (const auto& [h, slot] : it->second) {
    auto& node = hosted_[h];
    if (msg.k < node.node.state().k) continue;  // a repeat of an iteration already used
    auto& s = node.inbox[msg.k];
    if (s.have.empty()) {
      s.lambda.assign(node.neighbours.size(), 0.0);
      s.y.assign(node.neighbours.size(), 0.0);
      s.have.assign(node.neighbours.size(), false);
    }
    if (s.have[slot]) continue;
    s.have[slot] = true;
    s.lambda[slot] = msg.lambda;
    s.y[slot] = msg.y;
    if (++s.count == node.neighbours.size() && msg.k == node.node.state().k) ready_.push_back(h);
  }
}

void NodeGroup::on_state(const StateMsg& msg, Clock::time_point now) {
  if (hosted_index_.count(msg.id) != 0 || dead_.count(msg.id) != 0) return;
  heard_[msg.id] = now;
  if (msg.epoch > epoch_) {
    early_.push_back(msg);  // its sender heard of a loss before we did
    return;
  }
  if (msg.epoch < epoch_) return;  // from before the run re-formed
  accept(msg);
  if (running_) run_ready(now);
}

bool NodeGroup::complete(const Hosted& h) const {
  const auto it = h.inbox.find(h.node.state().k);
  return h.alive && it != h.inbox.end() && it->second.count == h.neighbours.size();
}

void NodeGroup::try_step(std::size_t index, Clock::time_point now) {
  auto& h = hosted_[index];
  if (!complete(h)) return;
  if (now < h.next_step) {
    paced_.push_back(index);
    return;
  }
  const auto it = h.inbox.find(h.node.state().k);
  std::vector<Incoming> in;
  in.reserve(h.neighbours.size());
  for (std::size_t n = 0; n < h.neighbours.size(); ++n)
    in.push_back({h.weights[n], it->second.lambda[n], it->second.y[n]});
  h.inbox.erase(it);
  h.node.step(in);
  h.waiting_since = now;
  h.next_step = now + pace_;
  emit(h, now);
  // Its neighbours may all be a step ahead already.
  if (complete(h)) ready_.push_back(index);
}

// Steps the nodes whose inbox is complete; a step of one hosted node can
// complete the inbox of another, which joins the queue. Only nodes that just
// became ready are looked at, so an incoming state costs its listeners, not
// the whole group.
void NodeGroup::run_ready(Clock::time_point now) {
  while (running_ && !ready_.empty()) {
    const auto index = ready_.back();
    ready_.pop_back();
    try_step(index, now);
  }
}

std::optional<NodeGroup::Clock::time_point> NodeGroup::poll(Clock::time_point now) {
  if (!running_) return std::nullopt;
  std::vector<std::size_t> paced;
  paced.swap(paced_);
  for (const auto index : paced) ready_.push_back(index);
  run_ready(now);
  // Keep-alives and timeouts look at every node: a few times per timeout is
  // enough, however often poll is called.
  if (now - last_scan_ >= config_.neighbour_timeout / 8) {
    last_scan_ = now;
    for (auto& h : hosted_) {
      if (!running_ || !h.alive) continue;
      const auto quarter = config_.neighbour_timeout / 4;
      if (now - h.last_sent >= quarter && now - h.waiting_since >= quarter) {
        const auto& st = h.node.state();
        out_.state(StateMsg{h.id, epoch_, st.k, st.lambda, st.y, st.p});
        h.last_sent = now;
      }
    }
    check_timeouts(now);
  }
  std::optional<Clock::time_point> next;
  for (const auto index : paced_)
    if (!next || hosted_[index].next_step < *next) next = hosted_[index].next_step;
  return next;
}

void NodeGroup::check_timeouts(Clock::time_point now) {
  if (!running_) return;
  for (auto& h : hosted_) {
    if (!h.alive || now - h.waiting_since < config_.neighbour_timeout) continue;
    const auto it = h.inbox.find(h.node.state().k);
    std::vector<std::string> missing;
    for (std::size_t n = 0; n < h.neighbours.size(); ++n) {
      if (it != h.inbox.end() && it->second.have[n]) continue;
      if (hosted_index_.count(h.neighbours[n]) != 0) continue;  // in this process, so alive
      const auto heard = heard_.find(h.neighbours[n]);
      const auto since = heard == heard_.end() ? h.waiting_since : heard->second;
      if (now - since >= config_.neighbour_timeout) missing.push_back(h.neighbours[n]);
    }
    if (missing.empty()) continue;  // its pace, or a neighbour that is itself waiting
    out_.control(ControlMsg{"lost", missing, h.id, epoch_ + 1, h.node.state().k,
                            "no iteration " + std::to_string(h.node.state().k) + " within the neighbour timeout"});
    on_lost(missing, now);
    return;  // the run re-formed; every wait starts again
  }
}

void NodeGroup::on_lost(const std::vector<std::string>& nodes, Clock::time_point now) {
  bool changed = false;
  for (const auto& id : nodes)
    if (has_node(members_, id)) changed = dead_.insert(id).second || changed;
  if (!changed) return;
  epoch_ = dead_.size();
  reform(now);
  if (!running_) return;
  for (auto& h : hosted_)
    if (h.alive) emit(h, now);
  std::vector<StateMsg> early;
  early.swap(early_);
  for (const auto& msg : early) on_state(msg, now);
  run_ready(now);
}

}  // namespace watt::ed
