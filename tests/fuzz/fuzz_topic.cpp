// Topics and patterns: the input is "pattern NUL topic". Whatever the bytes,
// the checks answer; for a valid pattern and topic, the trie and the index
// match exactly when topic_matches says they do, and normalizing is stable.
#include "fuzz.hpp"

#include <watt/proto/topic.hpp>
#include <watt/proto/topic_index.hpp>
#include <watt/proto/topic_trie.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace proto = watt::proto;
  const auto input = watt::fuzz::text(data, size);
  const auto nul = input.find('\0');
  const auto pattern = input.substr(0, nul);
  const auto topic = nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1);

  const bool topic_ok = proto::topic_error(topic).empty();
  const bool pattern_ok = proto::pattern_error(pattern).empty();
  // Every valid topic is a valid pattern (one that matches itself).
  if (topic_ok) WATT_FUZZ_CHECK(proto::pattern_error(topic).empty());
  if (!topic_ok || !pattern_ok) return 0;

  const auto norm = proto::normalize_pattern(pattern);
  WATT_FUZZ_CHECK(proto::normalize_pattern(norm) == norm);
  WATT_FUZZ_CHECK(proto::topic_matches(pattern, topic) == proto::topic_matches(norm, topic));
  WATT_FUZZ_CHECK(proto::topic_matches(topic, topic));
  WATT_FUZZ_CHECK(proto::split_topic(topic).size() <= proto::max_topic_segments);

  const bool expected = proto::topic_matches(pattern, topic);
  proto::TopicTrie<int> trie;
  trie.insert(pattern, 1);
  int found = 0;
  trie.match(topic, [&](int, std::uint8_t) { ++found; });
  WATT_FUZZ_CHECK(found == (expected ? 1 : 0));

  proto::TopicIndex<int, bool> index;
  index.insert(pattern, 1, true);
  WATT_FUZZ_CHECK(index.match(topic).size() == (expected ? 1u : 0u));
  WATT_FUZZ_CHECK(index.erase(pattern, 1));
  WATT_FUZZ_CHECK(index.match(topic).empty());
  return 0;
}
