#include "sparkplug_side.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>

namespace watt::mqtt {
namespace {

using namespace std::chrono_literals;

constexpr const char* rebirth = "Node Control/Rebirth";

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

SpMetric text_metric(std::string name, std::string value) {
  SpMetric m;
  m.name = std::move(name);
  m.type = SpType::string;
  m.value = std::move(value);
  return m;
}

std::string agent_metric(const std::string& identity) { return "Agents/" + identity + "/Health"; }

}  // namespace

SparkplugSide::SparkplugSide(Sparkplug settings, const BrokerSettings& broker, Backoff reconnect,
                             std::string bd_seq_file, Endpoint& bus)
    : sp_(std::move(settings)),
      broker_(broker),
      bus_(bus),
      connection_(bus, reconnect, "sparkplug: "),
      driver_(sp_.driver, sp_.devices, "sparkplug", bus,
              {[this](const std::string& device) { device_birth(device); },
               [this](const std::string& device, const nlohmann::json& values) { scraped(device, values); }}),
      bd_seq_file_(std::move(bd_seq_file)) {
  // The last run's bdSeq, so that the first connection takes the next one;
  // with none kept, 255, whose next is 0.
  if (std::ifstream in(bd_seq_file_); !(in >> bd_seq_)) bd_seq_ = 255;
  bd_seq_ %= 256;
  // Sparkplug's own rules for an edge node's connection.
  broker_.client_id = sp_.client_id;
  broker_.session_expiry = 0s;
  broker_.will_topic = sparkplug_topic(sp_, SpMessage::ndeath);
  broker_.will_retain = false;
  alerts_ = bus_.subscribe("alerts/#", [this](const Envelope& e) { on_alert(e); });
  if (sp_.device_check.count() > 0) check_timer_ = bus_.every(sp_.device_check, [this] { check_devices(); });
  connect();
}

SparkplugSide::~SparkplugSide() {
  bus_.unsubscribe(alerts_);
  if (check_timer_) bus_.cancel(*check_timer_);
  if (connection_.has_link() && connected_) goodbye();
}

// A clean goodbye sends no will: NDEATH is said first, as the specification wants.
void SparkplugSide::goodbye() {
  connection_.link().publish(broker_.will_topic, death(), 1, false, -1);
  connection_.link().disconnect(1000ms);
}

// Whether `device` is the Sparkplug device its id names (two driver devices
// may share an id; the first keeps it).
bool SparkplugSide::shown(const std::string& device) const {
  const auto id = device_of_id_.find(sparkplug_device_id(device));
  return id != device_of_id_.end() && id->second == device;
}

// Int64, as Eclipse Tahu's edge nodes send it and hosts read it.
SpMetric SparkplugSide::bd_seq_metric() const {
  SpMetric bd;
  bd.name = "bdSeq";
  bd.type = SpType::int64;
  bd.value = static_cast<std::int64_t>(bd_seq_);
  return bd;
}

std::string SparkplugSide::death() const {
  return encode_sparkplug(SpPayload{now_ms(), std::nullopt, {bd_seq_metric()}}, false);
}

void SparkplugSide::connect() {
  // Each connection's will names its own bdSeq, one more than the last.
  bd_seq_ = (bd_seq_ + 1) % 256;
  // Written aside and renamed over: a crash mid-write never leaves it empty.
  const auto aside = bd_seq_file_ + ".new";
  bool kept = static_cast<bool>(std::ofstream(aside, std::ios::trunc) << bd_seq_ << "\n");
  kept = kept && std::rename(aside.c_str(), bd_seq_file_.c_str()) == 0;
  if (!kept && limiter_.count("bdseq")) bus_.log().warn("sparkplug: cannot keep bdSeq in {}", bd_seq_file_);
  broker_.will_payload = death();
  LinkEvents ev;
  ev.connected = [this](bool, int) { on_up(); };
  ev.down = [this](const std::string& why) { on_down(why); };
  ev.message = [this](const std::string& topic, std::string payload, int, bool retained, const MessageProps&) {
    // A retained command would be carried out again at every connection;
    // the host's STATE is retained on purpose.
    if (!sp_.primary_host.empty() && topic == sparkplug_state_topic(sp_))
      host_state(payload);
    else if (retained)
      refuse("retained", topic + ": a retained command, not carried out (commands are never retained)");
    else
      on_message(topic, payload);
  };
  ev.acknowledged = [](std::int64_t) {};
  ev.failed = [this](std::int64_t, const std::string& why, bool) {
    if (limiter_.count("send")) bus_.log().warn("sparkplug: a message was not sent: {}", why);
  };
  ev.refused = [this](const std::string& filter, const std::string& why) {
    bus_.log().error("sparkplug: the broker refused the subscription to '{}': {}", filter, why);
  };
  connection_.open(broker_, std::move(ev));
}

void SparkplugSide::on_up() {
  connected_ = true;
  connection_.up();
  last_error_.clear();
  std::vector<Subscription> subs = {Subscription{sparkplug_topic(sp_, SpMessage::ncmd), 1, false},
                                    Subscription{sparkplug_topic(sp_, SpMessage::dcmd) + "/+", 1, false}};
  // The host's STATE is retained: it comes at once if the host ever spoke.
  host_online_ = false;
  if (!sp_.primary_host.empty()) subs.push_back(Subscription{sparkplug_state_topic(sp_), 1, false});
  connection_.link().subscribe(subs);
  bus_.log().info("sparkplug: edge node {}/{} connected to {} (bdSeq {}){}", sp_.group_id, sp_.edge_node_id,
                  broker_.url, bd_seq_,
                  sp_.primary_host.empty() ? "" : "; the births wait for primary host " + sp_.primary_host);
  birth();
}

// The primary host's word: online lets the births go; offline, once born,
// means leave this broker (the specification's rule, so that a node is never
// stranded where its host cannot hear it) and come back to wait.
void SparkplugSide::host_state(const std::string& payload) {
  const auto state = parse_host_state(payload);
  if (!state) {
    refuse("state",
           sparkplug_state_topic(sp_) + ": not a STATE of Sparkplug 3.0 ({\"online\": bool, \"timestamp\": ms})");
    return;
  }
  if (host_timestamp_ && state->timestamp < *host_timestamp_) return;  // older than what the host last said
  host_timestamp_ = state->timestamp;
  host_online_ = state->online;
  if (host_online_) {
    birth();
    return;
  }
  if (!born_ && !birthing_) return;
  bus_.log().warn("sparkplug: primary host {} is offline: leaving {} until it is back", sp_.primary_host, broker_.url);
  goodbye();
  connected_ = false;
  born_ = false;
  last_error_ = "primary host " + sp_.primary_host + " is offline";
  connection_.down(true, broker_.url, last_error_, [this] { connect(); });
}

void SparkplugSide::on_down(const std::string& why) {
  const bool was_up = connected_;
  connected_ = false;
  born_ = false;
  last_error_ = why;
  connection_.down(was_up, broker_.url, why, [this] { connect(); });
}

void SparkplugSide::birth() {
  // No data until the births are out: they come after NBIRTH, never between
  // a rebirth's request and its NBIRTH. One birth at a time.
  born_ = false;
  if (birthing_ || !connected_ || !host_lets_birth()) return;
  birthing_ = true;
  // The agents' health first: it is the node's metrics, which NBIRTH names.
  bus_.call("platform", "health").then([this, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
    if (alive.expired()) return;
    birthing_ = false;
    if (!connected_ || !host_lets_birth()) return;  // it went offline meanwhile
    nlohmann::json rows = nlohmann::json::array();
    if (r.ok())
      rows = nlohmann::json::parse(r.value().to_json(), nullptr, false);
    else
      bus_.log().warn("sparkplug: the agents' health is unknown: {}", r.error().message);
    node_birth(rows);
  });
}

void SparkplugSide::node_birth(const nlohmann::json& rows) {
  if (rows.is_array())
    for (const auto& row : rows)
      if (row.is_object() && row.value("identity", nlohmann::json()).is_string() &&
          row.value("status", nlohmann::json()).is_string())
        health_[row["identity"].get<std::string>()] = row["status"].get<std::string>();
  SpMetric reb;
  reb.name = rebirth;
  reb.type = SpType::boolean;
  reb.value = false;
  reb.writable = true;
  std::vector<SpMetric> metrics = {bd_seq_metric(), reb};
  for (const auto& [identity, status] : health_) metrics.push_back(text_metric(agent_metric(identity), status));
  seq_ = 0;
  connection_.link().publish(sparkplug_topic(sp_, SpMessage::nbirth),
                             encode_sparkplug(SpPayload{now_ms(), 0, metrics}, true), 0, false, -1);
  ++counts_.births;
  born_ = true;
  for (const auto& [device, points] : driver_.devices()) device_birth(device);
  check_devices();  // one that died since the last word of the driver
}

void SparkplugSide::device_birth(const std::string& device) {
  const auto id = sparkplug_device_id(device);
  if (const auto other = device_of_id_.find(id); other != device_of_id_.end() && other->second != device) {
    if (limiter_.count("id:" + id))
      bus_.log().error("sparkplug: devices {} and {} are both device {}: {} is left out", other->second, device, id,
                       device);
    return;
  }
  device_of_id_[id] = device;
  if (!born_ || dead_.contains(device)) return;  // the node's birth brings the devices'; a dead one waits
  std::vector<SpMetric> metrics;
  const auto& last = last_[device];
  for (const auto& [point, p] : driver_.devices().at(device)) {
    SpMetric m;
    if (const auto it = last.find(point); it != last.end())
      m = it->second;
    else
      m = sparkplug_metric(point, p.type, "null").value();
    m.units = p.units;
    m.writable = p.writable;
    metrics.push_back(std::move(m));
  }
  publish(SpMessage::dbirth, id, metrics);
  ++counts_.births;
}

void SparkplugSide::scraped(const std::string& device, const nlohmann::json& values) {
  const bool revived = dead_.erase(device) > 0;    // it answers: a birth with its values, not data
  if (checking_) heard_meanwhile_.insert(device);  // newer news than the driver's answer on its way
  auto& last = last_[device];
  std::vector<SpMetric> changed;  // report by exception: what changed since the last
  for (const auto& [point, value] : values.items()) {
    const auto* p = driver_.find(device, point);
    if (p == nullptr) continue;
    auto m = sparkplug_metric(point, p->type, value.dump());
    if (!m) continue;
    const auto it = last.find(point);
    if (it != last.end() && it->second.value == m->value) continue;
    last[point] = *m;
    changed.push_back(std::move(*m));
  }
  if (!born_ || !shown(device)) return;
  if (revived) {
    device_birth(device);
  } else if (!changed.empty()) {
    publish(SpMessage::ddata, sparkplug_device_id(device), changed);
    ++counts_.data;
  }
}

// Which devices the driver says do not answer. Its `all` messages stop when
// a device does, but silence alone cannot tell a dead device from a slow
// interval. Asked whether the node is born or not, so that a birth never
// names a device that died meanwhile; only a scrape brings one back (with
// the values the DBIRTH then carries).
void SparkplugSide::check_devices() {
  if (checking_) {
    recheck_ = true;  // news came while the question was out: ask again after
    return;
  }
  checking_ = true;
  bus_.call(sp_.driver, "status").then([this, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
    if (alive.expired()) return;
    checking_ = false;
    std::set<std::string> heard;
    heard.swap(heard_meanwhile_);
    // The driver itself away: its health says so, in NDATA.
    const auto rows = r.ok() ? nlohmann::json::parse(r.value().to_json(), nullptr, false) : nlohmann::json();
    if (rows.is_object())
      for (const auto& [device, points] : driver_.devices()) {
        if (heard.contains(device)) continue;
        const auto row = rows.find(device);
        // Gone from the driver, or failing: dead.
        if (row == rows.end() || !row->is_object() || row->value("state", "") == "not answering" ||
            row->value("state", "") == "not configured")
          device_dead(device);
      }
    if (recheck_) {
      recheck_ = false;
      check_devices();
    }
  });
}

void SparkplugSide::device_dead(const std::string& device) {
  if (!dead_.insert(device).second || !born_ || !shown(device)) return;
  const auto id = sparkplug_device_id(device);
  publish(SpMessage::ddeath, id, {});
  ++counts_.deaths;
  bus_.log().info("sparkplug: device {} does not answer the driver: DDEATH", id);
}

void SparkplugSide::on_alert(const Envelope& e) {
  if (e.sender != "platform") return;  // only the platform's word on health
  const auto body = nlohmann::json::parse(e.body.to_json(), nullptr, false);
  if (!body.is_object() || !body.value("identity", nlohmann::json()).is_string() ||
      !body.value("status", nlohmann::json()).is_string())
    return;
  const auto identity = body["identity"].get<std::string>();
  const auto status = body["status"].get<std::string>();
  if (identity == sp_.driver) check_devices();  // a device may have stopped answering
  const bool known = health_.contains(identity);
  health_[identity] = status;
  if (!born_) return;
  if (!known) {
    birth();  // a new metric: Sparkplug wants it in a birth
    return;
  }
  publish(SpMessage::ndata, {}, {text_metric(agent_metric(identity), status)});
  ++counts_.data;
}

void SparkplugSide::on_message(const std::string& topic, const std::string& payload) {
  SpPayload p;
  try {
    p = decode_sparkplug(payload);
  } catch (const SparkplugError& e) {
    refuse("payload", topic + ": " + e.what());
    return;
  }
  const auto dcmd = sparkplug_topic(sp_, SpMessage::dcmd) + "/";
  if (topic == sparkplug_topic(sp_, SpMessage::ncmd))
    node_command(p);
  else if (topic.starts_with(dcmd))
    device_command(topic.substr(dcmd.size()), p);
}

void SparkplugSide::node_command(const SpPayload& p) {
  for (const auto& m : p.metrics) {
    if (m.name == rebirth && std::holds_alternative<bool>(m.value)) {
      ++counts_.commands;
      if (std::get<bool>(m.value) && connected_) birth();
      continue;
    }
    refuse("node", "NCMD: metric '" + m.name + "' is not one the node takes (Node Control/Rebirth, a boolean)");
  }
}

void SparkplugSide::device_command(const std::string& id, const SpPayload& p) {
  const auto d = device_of_id_.find(id);
  if (d == device_of_id_.end()) {
    refuse("device", "DCMD for device '" + id + "', which this node does not have");
    return;
  }
  const auto device = d->second;
  for (const auto& m : p.metrics) {
    const auto* point = driver_.find(device, m.name);
    if (point == nullptr || !point->writable) {
      refuse("point", "DCMD " + id + ": no writable point '" + m.name + "'");
      continue;
    }
    const auto value = sparkplug_command_value(m, point->type);
    if (!value) {
      refuse("value", "DCMD " + id + ": metric '" + m.name + "' is not a " + point->type + " value");
      continue;
    }
    ++counts_.commands;
    driver_.set_point(device, m.name, *value, [this, device, name = m.name](Result<Value> r) {
      if (!r.ok()) {
        bus_.log().warn("sparkplug: set_point {} {}: {}", device, name, r.error().message);
        return;
      }
      // The value the point has now, as data: a host sees its write land.
      scraped(device, nlohmann::json{{name, nlohmann::json::parse(r.value().to_json(), nullptr, false)}});
    });
  }
}

void SparkplugSide::refuse(const char* kind, const std::string& what) {
  ++counts_.refused;
  if (limiter_.count(kind)) bus_.log().warn("sparkplug: {} ({} refused so far)", what, counts_.refused);
}

void SparkplugSide::publish(SpMessage m, const std::string& device, const std::vector<SpMetric>& metrics) {
  if (!connected_) return;
  seq_ = (seq_ + 1) % 256;
  const bool is_birth = m == SpMessage::nbirth || m == SpMessage::dbirth;
  // QoS 0, not retained, as the specification says of births and data.
  connection_.link().publish(sparkplug_topic(sp_, m, device),
                             encode_sparkplug(SpPayload{now_ms(), seq_, metrics}, is_birth), 0, false, -1);
}

nlohmann::json SparkplugSide::status() const {
  return {
      {"edge_node", sp_.group_id + "/" + sp_.edge_node_id},
      {"connected", connected_},
      {"bd_seq", bd_seq_},
      {"devices", device_of_id_.size()},
      {"births", counts_.births},
      {"deaths", counts_.deaths},
      {"dead_devices", dead_},
      {"data", counts_.data},
      {"commands", counts_.commands},
      {"refused", counts_.refused},
      {"primary_host", sp_.primary_host.empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json{{"id", sp_.primary_host}, {"online", host_online_}}},
      {"last_error", last_error_}};
}

}  // namespace watt::mqtt
