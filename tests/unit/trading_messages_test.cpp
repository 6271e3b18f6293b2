// Seed 000's Tables I-III as Watt carries them: every type's priority,
// deadline, size and rate equal to the reference file's, in priority order.
#include <watt/trading/bess_messages.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace watt::trading;

TEST_CASE("BESS message types carry Tables I-III exactly") {
  std::ifstream in(std::string(WATT_TEST_SOURCE_DIR) + "/examples/bess-auction/trading_messages.json");
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  REQUIRE(ref["messages"].size() == msg_types);
  for (std::size_t i = 0; i < msg_types; ++i) {
    const auto& m = ref["messages"][i];
    const auto& s = msg_specs()[i];
    CAPTURE(s.name);
    CHECK(m["message"].get<std::string>() == s.name);
    CHECK(m["priority"].get<int>() == s.priority);
    CHECK(m["max_delay_ms"].get<int>() == s.max_delay.count());
    CHECK(m["size_bytes"].get<int>() == s.size_bytes);
    CHECK((m["period_s"].is_null() ? 0.0 : m["period_s"].get<double>()) == s.period_s);
    if (!m["prototype_type_code"].is_null()) CHECK(m["prototype_type_code"].get<std::size_t>() == i);
    CHECK(spec(s.type).name == s.name);
    CHECK(msg_type_named(s.topic) == s.type);
  }
  // Table II's order, most urgent first, is the order of the priorities.
  int last = -1;
  for (const auto& name : ref["priority_order_high_to_low"]) {
    for (const auto& s : msg_specs())
      if (s.name == name.get<std::string>()) {
        CHECK(s.priority >= last);
        last = s.priority;
      }
  }
  CHECK(unicast_topic("lab", "bess-1", MsgType::accept_bid) == "trading/lab/to/bess-1/accept_bid");
  CHECK(group_topic("lab", MsgType::query) == "trading/lab/group/query");
  CHECK(type_of_topic("lab", "trading/lab/to/bess-1/accept_bid") == MsgType::accept_bid);
  CHECK(type_of_topic("lab", "trading/lab/group/register") == MsgType::register_participant);
  CHECK_FALSE(type_of_topic("lab", "trading/other/group/register"));
  CHECK_FALSE(type_of_topic("lab", "trading/lab/to/bess-1/nonsense"));
  CHECK_FALSE(msg_type_named("gossip"));
}
