// Historian: its configuration, read strictly.
#include "historian_config.hpp"

#include <watt/error.hpp>

#include <doctest/doctest.h>

using namespace watt::historian;

namespace {
HistorianConfig parse(const std::string& yaml) { return parse_historian_config(YAML::Load(yaml), "hist", "/home/w"); }
std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const watt::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("historian configuration: defaults, paths under the data directory, every key") {
  const auto d = parse_historian_config(YAML::Node(), "hist", "/home/w");
  CHECK(d.patterns == std::vector<std::string>{"devices/#", "record/#", "analysis/#", "ed/#"});
  CHECK(d.data_dir == "/home/w/data/hist");
  CHECK(d.sqlite.file == "/home/w/data/hist/history.sqlite");
  CHECK(d.cache.file == "/home/w/data/hist/cache.sqlite");
  CHECK(d.backend == BackendKind::sqlite);

  const auto c = parse(R"(
patterns: [heartbeat/#]
data_dir: /data
backend: {type: postgresql, connection: "host=x dbname=y", partition: 6h}
cache: {file: /fast/cache.db, max_records: 10, max_bytes: 4096, full_policy: drop_newest, synchronous: NORMAL}
batch_size: 7
flush_interval: 5ms
retry_interval: 1s
retry_interval_max: 2s
retention_days: 1.5
backlog_records: 3
max_value_bytes: 99
)");
  CHECK(c.patterns == std::vector<std::string>{"heartbeat/#"});
  CHECK(c.backend == BackendKind::postgresql);
  CHECK(c.postgres.connection == "host=x dbname=y");
  CHECK(c.postgres.partition_ns == 6 * 3'600'000'000'000);
  CHECK(c.cache.file == "/fast/cache.db");
  CHECK(c.cache.max_records == 10);
  CHECK(c.cache.max_bytes == 4096);
  CHECK(c.cache.policy == FullPolicy::drop_newest);
  CHECK(c.cache.synchronous == "NORMAL");
  CHECK(c.batch_size == 7);
  CHECK(c.flush_interval_ns == 5'000'000);
  CHECK(c.retry_min_ns == 1'000'000'000);
  CHECK(c.retry_max_ns == 2'000'000'000);
  CHECK(c.retention_ns == 129'600'000'000'000);
  CHECK(c.backlog_records == 3);
  CHECK(c.limits.max_value_bytes == 99);
}

TEST_CASE("historian configuration: mistakes are refused with the key named") {
  CHECK(error_of("colour: red").find("unknown key 'colour'") != std::string::npos);
  CHECK(error_of("backend: {type: mongo}").find("'backend.type' must be sqlite or postgresql") != std::string::npos);
  CHECK(error_of("backend: {type: postgresql}").find("'backend.connection' is required") != std::string::npos);
  CHECK(error_of("backend: {port: 1}").find("unknown key 'backend.port'") != std::string::npos);
  CHECK(error_of("cache: {max_records: 0}").find("'cache.max_records' must be above zero") != std::string::npos);
  CHECK(error_of("cache: {max_bytes: -1}").find("'cache.max_bytes' must be above zero") != std::string::npos);
  CHECK(error_of("cache: {full_policy: panic}").find("drop_oldest or drop_newest") != std::string::npos);
  CHECK(error_of("flush_interval: soon").find("'flush_interval'") != std::string::npos);
  CHECK(error_of("patterns: [devices/+x]").find("patterns[0]") != std::string::npos);
  CHECK(error_of("patterns: []").find("non-empty list") != std::string::npos);
  CHECK(error_of("retention_days: -1").find("'retention_days'") != std::string::npos);
  CHECK(error_of("batch_size: many").find("'batch_size' has the wrong type") != std::string::npos);
  for (const char* mode : {"\"0400\"", "\"abc\"", "\"01777\"", "\"64\""})
    CHECK_MESSAGE(
        error_of(std::string("backend: {file_mode: ") + mode + "}").find("'backend.file_mode' must be octal") !=
            std::string::npos,
        mode);
}

TEST_CASE("historian configuration: the SQLite file's mode, in octal text") {
  const auto c = watt::historian::parse_historian_config(YAML::Load("backend: {file_mode: \"0640\"}"), "h", "/home/w");
  REQUIRE(c.sqlite.file_mode.has_value());
  CHECK(*c.sqlite.file_mode == 0640);
}
