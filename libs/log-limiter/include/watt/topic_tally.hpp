// Counts of something per topic (messages that missed their deadline, for
// one), bounded: a stream of ever-new topics cannot grow it past `max_topics`;
// beyond that, new topics are counted together under `other`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace watt {

class TopicTally {
public:
  static constexpr std::string_view other = "(other topics)";
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;

  explicit TopicTally(std::size_t max_topics = 1000) : max_topics_(max_topics) {}

  void add(std::string_view topic, std::uint64_t n = 1) { add_to(counts_, topic, max_topics_, n); }
  // The same on counts held elsewhere (a stats message's map).
  static void add_to(Counts& counts, std::string_view topic, std::size_t max_topics, std::uint64_t n = 1) {
    if (auto it = counts.find(topic); it != counts.end()) {
      it->second += n;
      return;
    }
    counts[std::string(counts.size() < max_topics ? topic : other)] += n;
  }
  const Counts& counts() const noexcept { return counts_; }

private:
  std::size_t max_topics_;
  Counts counts_;
};

}  // namespace watt
