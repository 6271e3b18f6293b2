// Topics, patterns and the subscription trie.
#include <watt/proto/topic_trie.hpp>
#include <watt/topic.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using watt::topic_matches;

TEST_CASE("a pattern matches whole segments, never a prefix of a segment") {
  CHECK(topic_matches("devices/campus", "devices/campus"));
  CHECK(topic_matches("devices/campus", "devices/campus/b1/x"));
  CHECK_FALSE(topic_matches("devices/campus", "devices/campus2"));
  CHECK_FALSE(topic_matches("devices/campus", "devices/campus2/b1"));
  CHECK_FALSE(topic_matches("devices/campus/b1", "devices/campus"));
  CHECK_FALSE(topic_matches("devices", "device"));
}

TEST_CASE("'+' matches exactly one segment and '#' the rest") {
  CHECK(topic_matches("devices/+/temp", "devices/b1/temp"));
  CHECK(topic_matches("devices/+/temp", "devices/b1/temp/raw"));
  CHECK_FALSE(topic_matches("devices/+/temp", "devices/b1/b2/temp"));
  CHECK_FALSE(topic_matches("devices/+/temp", "devices/temp"));
  CHECK(topic_matches("#", "anything/at/all"));
  CHECK(topic_matches("devices/#", "devices"));
  CHECK(topic_matches("devices/#", "devices/x/y"));
  CHECK_FALSE(topic_matches("devices/#", "devicesx"));
  CHECK(topic_matches("+", "a"));
  CHECK(topic_matches("+/+", "a/b/c"));
  CHECK_FALSE(topic_matches("+/+", "a"));
}

TEST_CASE("topics are refused when empty, malformed, over-long or wildcarded") {
  CHECK(watt::topic_error("devices/campus/b1").empty());
  CHECK_FALSE(watt::topic_error("").empty());
  CHECK_FALSE(watt::topic_error("/devices").empty());
  CHECK_FALSE(watt::topic_error("devices/").empty());
  CHECK_FALSE(watt::topic_error("a//b").empty());
  CHECK_FALSE(watt::topic_error("a/+/b").empty());
  CHECK_FALSE(watt::topic_error("a/#").empty());
  CHECK_FALSE(watt::topic_error(std::string("a\nb")).empty());
  CHECK_FALSE(watt::topic_error(std::string(watt::max_topic_bytes + 1, 'a')).empty());
  std::string deep = "a";
  for (std::size_t i = 0; i < watt::max_topic_segments; ++i) deep += "/a";
  CHECK(watt::topic_error(deep).find("segments") != std::string::npos);
}

TEST_CASE("patterns accept + and # only as whole segments, # only last") {
  CHECK(watt::pattern_error("#").empty());
  CHECK(watt::pattern_error("a/+/c/#").empty());
  CHECK_FALSE(watt::pattern_error("a/#/c").empty());
  CHECK_FALSE(watt::pattern_error("a/b+").empty());
  CHECK_FALSE(watt::pattern_error("a/#x").empty());
  CHECK_FALSE(watt::pattern_error("").empty());
}

namespace {
std::vector<int> matches(const watt::proto::TopicTrie<int>& trie, std::string_view topic) {
  std::vector<int> out;
  trie.match(topic, [&](int h, std::uint8_t) { out.push_back(h); });
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("the trie finds every matching pattern, overlapping ones included") {
  watt::proto::TopicTrie<int> trie;
  trie.insert("devices/campus", 1);
  trie.insert("devices/+/b1", 2);
  trie.insert("#", 3);
  trie.insert("devices/campus/#", 4);  // same as devices/campus
  trie.insert("devices/campus2", 5);
  trie.insert("ed/+/+", 6);
  CHECK(matches(trie, "devices/campus/b1/x") == std::vector<int>{1, 2, 3, 4});
  CHECK(matches(trie, "devices/campus2/b1") == std::vector<int>{2, 3, 5});
  CHECK(matches(trie, "ed/run1") == std::vector<int>{3});
  CHECK(matches(trie, "ed/run1/L1") == std::vector<int>{3, 6});
  CHECK(trie.size() == 6);
}

TEST_CASE("the trie reports a handle once per pattern, and erasing prunes") {
  watt::proto::TopicTrie<int> trie;
  CHECK(trie.insert("a/b", 7));
  CHECK_FALSE(trie.insert("a/b", 7, 1));  // same handle, same pattern: tag updated
  CHECK(trie.insert("a/#", 7));           // normalizes to "a": another pattern
  CHECK(matches(trie, "a/b/c") == std::vector<int>{7, 7});
  CHECK(trie.erase("a/b", 7));
  CHECK_FALSE(trie.erase("a/b", 7));
  CHECK(matches(trie, "a/b/c") == std::vector<int>{7});
  CHECK(trie.erase("a", 7));
  CHECK(trie.empty());
  CHECK(matches(trie, "a/b/c").empty());
}

TEST_CASE("the trie holds thousands of patterns and matches by walking, not scanning") {
  watt::proto::TopicTrie<int> trie;
  for (int i = 0; i < 5000; ++i) trie.insert("devices/b" + std::to_string(i) + "/temp", i);
  CHECK(matches(trie, "devices/b4242/temp") == std::vector<int>{4242});
  CHECK(matches(trie, "devices/b4242/humidity").empty());
  for (int i = 0; i < 5000; ++i) trie.erase("devices/b" + std::to_string(i) + "/temp", i);
  CHECK(trie.empty());
}

TEST_CASE("the fast topic check agrees with the full one on every kind of mistake") {
  for (const std::string t : {"a", "a/b", "devices/campus/b1/x", "x y/z", "é/ü"}) CHECK(watt::topic_error(t).empty());
  const std::vector<std::string> bad = {
      "/", "//", "a/", "/a", "a//b", "+", "#", "a/+", "a+b", "a#", "a\x7f", std::string("a\0b", 3), "a\tb"};
  for (const auto& t : bad) CHECK_FALSE(watt::topic_error(t).empty());
  std::string deepest = "a";
  for (std::size_t i = 1; i < watt::max_topic_segments; ++i) deepest += "/a";
  CHECK(watt::topic_error(deepest).empty());
  CHECK_FALSE(watt::topic_error(deepest + "/a").empty());
  CHECK(watt::topic_error(std::string(watt::max_topic_bytes, 'a')).empty());
}

TEST_CASE("the trie matches topics with empty or trailing segments as the split would") {
  watt::proto::TopicTrie<int> trie;
  trie.insert("a/+", 1);
  trie.insert("+", 2);
  trie.insert("a", 3);
  CHECK(matches(trie, "a") == std::vector<int>{2, 3});
  CHECK(matches(trie, "a/b") == std::vector<int>{1, 2, 3});
  CHECK(matches(trie, "b/c/d") == std::vector<int>{2});
  CHECK(matches(trie, "").empty());
}
