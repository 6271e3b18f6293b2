// Historian: keeps what flows on the bus. Every record it hears lands first
// in the local backup cache (acknowledged once that commit returns); the
// forwarder moves batches to the back end (SQLite or PostgreSQL). Queries go
// to the back end over RPC: query, topics, topics_metadata, status.
#include "cache.hpp"
#include "cache_writer.hpp"
#include "decode.hpp"
#include "forwarder.hpp"
#include "historian_config.hpp"
#include "open_backend.hpp"
#include "org_guard.hpp"
#include "query_args.hpp"

#include <watt/clock.hpp>
#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wh = watt::historian;

class Historian : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;
    auto fresh = wh::parse_historian_config(action == watt::ConfigAction::remove ? YAML::Node() : value, identity(),
                                            watt::watt_home());
    auto previous = std::move(config_);
    config_ = std::move(fresh);
    if (!started_) return;
    // A live change: the storage pipeline restarts with it, or with the old
    // configuration when the new one cannot be opened (and the change is
    // refused). The subscriptions stay: nothing arrives while this runs (one
    // thread), and the broker keeps routing, so no record falls in between.
    try {
      open();
    } catch (const std::exception& e) {
      config_ = std::move(*previous);
      open();
      throw watt::Error(std::string("cannot use the new configuration: ") + e.what());
    }
    follow_patterns();
  }

  void on_start() override {
    started_ = true;
    if (!config_) config_ = wh::parse_historian_config(YAML::Node(), identity(), watt::watt_home());
    open();
    follow_patterns();
    every(std::chrono::milliseconds(1000), [this] { report_health(); });
    // Organizations' records are answered to their members only.
    subscribe("platform/orgs/changed", [this](const watt::Envelope&) { orgs_.forget(); });
    export_raw("query", [this](const watt::Value& args) { return query(args); });
    export_raw("topics", [this](const watt::Value& args) { return topics(args, false); });
    export_raw("topics_metadata", [this](const watt::Value& args) { return topics(args, true); });
    export_raw("status", [this](const watt::Value&) { return watt::Value::from_json(status_json().dump()); });
  }

  void on_stop() override {
    close();
    for (const auto& [pattern, id] : subscriptions_) unsubscribe(id);
    subscriptions_.clear();
  }

private:
  void open() {
    close();
    std::filesystem::create_directories(config_->data_dir);
    cache_ = std::make_unique<wh::Cache>(config_->cache);
    const auto config = *config_;
    writer_ = std::make_unique<wh::CacheWriter>(*cache_, wh::WriterOptions{config.batch_size, config.batch_size * 10,
                                                                           config.retry_min_ns, config.retry_max_ns});
    forwarder_ = std::make_unique<wh::Forwarder>(
        *cache_, [config] { return wh::open_backend(config); },
        wh::ForwarderOptions{config.batch_size, config.retry_min_ns, config.retry_max_ns, config.retention_ns},
        [this](const std::string& message) { post([this, message] { log().warn("{}", message); }); });
    reader_.reset();
    flush_timer_ = every(std::chrono::nanoseconds(config_->flush_interval_ns), [this] { flush(); });
    std::string list;
    for (const auto& p : config_->patterns) list += (list.empty() ? "" : ", ") + p;
    log().info("storing {} into {} through the cache {} ({} records waiting)", list, describe_backend(),
               config_->cache.file, cache_->count());
  }

  // Subscribes to the configured patterns not subscribed yet, and drops
  // those no longer configured; the others are left alone.
  void follow_patterns() {
    const std::set<std::string> wanted(config_->patterns.begin(), config_->patterns.end());
    for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
      if (wanted.contains(it->first)) {
        ++it;
        continue;
      }
      unsubscribe(it->second);
      it = subscriptions_.erase(it);
    }
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;  // slow the publishers down rather than lose a record
    for (const auto& p : wanted)
      if (!subscriptions_.contains(p))
        subscriptions_.emplace(p, subscribe(
                                      p, [this](const watt::Envelope& e) { ingest(e); }, lossless));
  }

  // The storage pipeline: cache, forwarder, flush timer (not the subscriptions).
  void close() {
    if (flush_timer_ != 0) cancel(flush_timer_);
    flush_timer_ = 0;
    if (cache_) flush();
    forwarder_.reset();  // before the cache it reads
    writer_.reset();
    cache_.reset();
    reader_.reset();
  }

  std::string describe_backend() const {
    return config_->backend == wh::BackendKind::sqlite ? "sqlite:" + config_->sqlite.file : "postgresql";
  }

  void ingest(const watt::Envelope& e) {
    rejected_scratch_.clear();
    wh::decode(e, config_->limits, writer_->pending(), rejected_scratch_);
    for (const auto& r : rejected_scratch_) {
      ++rejected_;
      if (reject_log_.count(r.reason)) log().warn("not stored: {} from {}: {}", r.topic, e.sender, r.reason);
    }
    if (writer_->due()) flush();
  }

  // Commits what is pending to the cache: from here on it is acknowledged.
  void flush() {
    if (!writer_) return;
    const auto out = writer_->flush(watt::now_ns());
    acknowledged_ += out.appended.stored;
    dropped_ += out.appended.dropped + out.held;
    if (out.appended.dropped > 0 && drop_log_.count("cache full"))
      log().error("cache full ({} records, {} bytes): dropped {} records by policy {} ({} so far)",
                  cache_->options().max_records, cache_->options().max_bytes, out.appended.dropped,
                  config_->cache.policy == wh::FullPolicy::drop_oldest ? "drop_oldest" : "drop_newest", dropped_);
    if (out.held > 0 && drop_log_.count("hold full"))
      log().error("the cache cannot be written and {} records wait in memory: dropped {} ({} so far)",
                  writer_->pending().size(), out.held, dropped_);
    if (out.failed && drop_log_.count("cache write")) log().error("{}", writer_->error());
    if (out.recovered) log().info("the cache takes records again");
    if (out.appended.stored > 0) forwarder_->wake();
  }

  nlohmann::json status_json() const {
    const auto f = forwarder_ ? forwarder_->state() : wh::ForwarderState{};
    const std::int64_t count = cache_ ? cache_->count() : 0;
    const bool full = cache_ && cache_->full();
    const std::string cache_error = writer_ ? writer_->error() : std::string();
    nlohmann::json j;
    j["backlogged"] = !f.backend_ok || count > config_->backlog_records;
    j["cache_count"] = count;
    j["cache_max"] = config_->cache.max_records;
    j["cache_bytes"] = cache_ ? cache_->bytes() : 0;
    j["cache_max_bytes"] = config_->cache.max_bytes;
    j["cache_full"] = full;
    j["cache_ok"] = cache_error.empty();
    j["disk_free_bytes"] = wh::free_bytes(config_->cache.file);
    j["backend"] = describe_backend();
    j["backend_ok"] = f.backend_ok;
    j["acknowledged"] = acknowledged_;
    j["forwarded"] = f.forwarded;
    j["dropped"] = dropped_;
    j["rejected"] = rejected_;
    j["pruned"] = f.pruned;
    j["last_error"] = !cache_error.empty() ? cache_error : f.last_error;
    return j;
  }

  void report_health() {
    if (!cache_) return;
    const auto j = status_json();
    const bool bad = !j["backend_ok"].get<bool>() || j["cache_full"].get<bool>() || !j["cache_ok"].get<bool>();
    set_health(bad ? watt::Health::bad : watt::Health::good, j.dump());
    // Our own alert at 90% full, and once more when back under 80%.
    const double fill = cache_->fill();
    if (!cache_alarm_ && fill >= 0.9) {
      cache_alarm_ = true;
      publish_alert("cache 90% full", j);
    } else if (cache_alarm_ && fill < 0.8) {
      cache_alarm_ = false;
      publish_alert("cache below 80%", j);
    }
  }

  void publish_alert(const std::string& what, const nlohmann::json& status) {
    log().warn("{}: {} of {} records, {} of {} bytes", what, cache_->count(), cache_->options().max_records,
               cache_->bytes(), cache_->options().max_bytes);
    auto body = status;
    body["alert"] = what;
    watt::PublishOptions o;
    o.priority = 0;
    publish_value("alerts/" + identity() + "/cache", watt::Value::from_json(body.dump()), o);
  }

  wh::Backend& reader() {
    if (!reader_) reader_ = wh::open_backend(*config_);
    return *reader_;
  }

  watt::Value query(const watt::Value& args) {
    const auto q = wh::parse_query(args, watt::now_ns());
    if (auto why = org_refusal(q.topic); !why.empty()) throw watt::Error(why);
    try {
      const auto samples = reader().query(q);
      return wh::pack_query_result(q, samples, reader().metadata(q.topic));
    } catch (const wh::BackendError& e) {
      reader_.reset();  // reopened on the next query
      throw watt::Error(std::string("the back end cannot answer: ") + e.what());
    }
  }

  watt::Value topics(const watt::Value& args, bool with_metadata) {
    std::string pattern = "#";
    const auto handle = watt::detail::unpack_checked(args.bytes());
    const auto& a = handle.get();
    if (a.type != msgpack::type::ARRAY || a.via.array.size > 1)
      throw watt::Error("takes at most one argument: a pattern");
    if (a.via.array.size == 1) {
      if (a.via.array.ptr[0].type != msgpack::type::STR) throw watt::Error("the pattern must be a string");
      pattern.assign(a.via.array.ptr[0].via.str.ptr, a.via.array.ptr[0].via.str.size);
      if (auto err = watt::pattern_error(pattern); !err.empty()) throw watt::Error(err);
    }
    std::vector<wh::TopicInfo> all;
    try {
      all = reader().topics();
    } catch (const wh::BackendError& e) {
      reader_.reset();
      throw watt::Error(std::string("the back end cannot answer: ") + e.what());
    }
    nlohmann::json out = with_metadata ? nlohmann::json::object() : nlohmann::json::array();
    for (const auto& t : all) {
      if (!watt::topic_matches(pattern, t.name) || !org_refusal(t.name).empty()) continue;
      if (!with_metadata)
        out.push_back(t.name);
      else
        out[t.name] = t.metadata ? nlohmann::json::parse(*t.metadata) : nlohmann::json(nullptr);
    }
    return watt::Value::from_json(out.dump());
  }

  // Why the caller may not read an organization's topic, or empty; the
  // membership is asked of the control service when not known.
  std::string org_refusal(const std::string& topic) {
    if (!wh::OrgGuard::guarded(topic)) return {};
    if (!orgs_.known()) {
      auto r = call("platform", "org_list").get();
      if (!r) return "cannot check the organization's members: " + r.error().what();
      orgs_.set(nlohmann::json::parse(r.value().to_json()));
    }
    return orgs_.refusal(caller(), topic);
  }

  std::optional<wh::HistorianConfig> config_;  // set by on_config, or the defaults at start
  wh::OrgGuard orgs_;
  bool started_ = false;
  std::unique_ptr<wh::Cache> cache_;
  std::unique_ptr<wh::CacheWriter> writer_;  // the agent thread's side of the cache
  std::unique_ptr<wh::Forwarder> forwarder_;
  std::unique_ptr<wh::Backend> reader_;                        // for queries, on this thread
  std::map<std::string, watt::SubscriptionId> subscriptions_;  // by pattern
  watt::TimerId flush_timer_ = 0;
  std::vector<wh::Rejection> rejected_scratch_;
  std::int64_t acknowledged_ = 0;
  std::int64_t dropped_ = 0;
  std::int64_t rejected_ = 0;
  bool cache_alarm_ = false;
  watt::LogLimiter reject_log_;
  watt::LogLimiter drop_log_;
};

WATT_AGENT(Historian)
