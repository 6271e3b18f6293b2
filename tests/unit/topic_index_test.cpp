// proto::TopicIndex: the trie with its one match cache, as the broker and the
// SDK runtime use it.
#include <watt/proto/topic_index.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using watt::proto::TopicIndex;

namespace {

struct Subscriber {
  std::string name;
  watt::proto::MatchMark match_mark;
};

std::vector<int> ids(const std::vector<std::pair<int, bool>>& matches) {
  std::vector<int> out;
  for (const auto& [id, tag] : matches) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("the index answers a repeated topic from its cache, and a change refreshes it") {
  TopicIndex<int, bool> index;
  index.insert("devices/campus", 1, false);
  index.insert("devices/+/b1", 2, true);
  const auto* first = &index.match("devices/campus/b1");
  CHECK(ids(*first) == std::vector<int>{1, 2});
  // The same topic again: the very same vector, not a new walk.
  CHECK(&index.match("devices/campus/b1") == first);
  CHECK(ids(index.match("devices/campus/b1")) == std::vector<int>{1, 2});

  index.insert("#", 3, false);
  CHECK(ids(index.match("devices/campus/b1")) == std::vector<int>{1, 2, 3});
  CHECK(index.erase("devices/campus", 1));
  CHECK(ids(index.match("devices/campus/b1")) == std::vector<int>{2, 3});
  CHECK_FALSE(index.erase("devices/campus", 1));
  CHECK(ids(index.match("devices/other/b2")) == std::vector<int>{3});
  CHECK(index.size() == 2);
}

TEST_CASE("the index reports an unmarked handle once per pattern it holds") {
  TopicIndex<int, bool> index;
  index.insert("a", 7, false);
  index.insert("a/+", 7, true);
  const auto& m = index.match("a/b");
  REQUIRE(m.size() == 2);
  CHECK(m[0].first == 7);
  CHECK(m[1].first == 7);
}

TEST_CASE("the index reports a marked handle once per topic, its patterns' tags merged") {
  Subscriber a{"a", {}}, b{"b", {}};
  TopicIndex<Subscriber*, bool> index;
  index.insert("devices", &a, false);
  index.insert("devices/+/temp", &a, true);  // overlaps: a is lossless on what both match
  index.insert("devices/#", &b, false);
  index.insert("devices/b1", &b, false);

  const auto& m = index.match("devices/b1/temp");
  REQUIRE(m.size() == 2);
  const auto& ma = m[0].first == &a ? m[0] : m[1];
  const auto& mb = m[0].first == &b ? m[0] : m[1];
  CHECK(ma.first == &a);
  CHECK(ma.second);
  CHECK(mb.first == &b);
  CHECK_FALSE(mb.second);

  // Another topic: a's lossless pattern does not match, so a is best-effort.
  const auto& other = index.match("devices/b1/humidity");
  REQUIRE(other.size() == 2);
  for (const auto& [s, lossless] : other) CHECK_FALSE(lossless);
  CHECK(index.size() == 4);
}
