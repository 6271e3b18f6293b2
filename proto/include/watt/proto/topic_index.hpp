// The subscriptions of one party (the broker's peers, or one runtime's
// callbacks) with the one match cache: the subscribers of the last topic
// matched are kept until the topic or the subscriptions change, so a stream
// on one topic walks the trie once.
#pragma once

#include <watt/proto/topic_trie.hpp>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace watt::proto {

// A handle that may hold several patterns matching one topic (the broker's
// peer) carries a MatchMark, and is then reported once per topic, with the
// tags of its patterns merged by `|`. Other handles are reported once per
// pattern, as the trie holds them.
struct MatchMark {
  std::uint64_t epoch = 0;
  std::size_t index = 0;  // its place in the matches while they are made
};

template <class Handle>
concept Marked = requires(Handle h) {
  { h->match_mark } -> std::same_as<MatchMark&>;
};

template <class Handle, class Tag = std::uint8_t>
class TopicIndex {
public:
  using Match = std::pair<Handle, Tag>;

  // Pattern must be valid (see pattern_error). Returns false, and updates the
  // tag, when the handle already held this pattern.
  bool insert(std::string_view pattern, Handle handle, Tag tag = {}) {
    ++version_;
    return trie_.insert(pattern, handle, tag);
  }
  // Returns whether the handle held the pattern.
  bool erase(std::string_view pattern, Handle handle) {
    ++version_;
    return trie_.erase(pattern, handle);
  }

  // The subscribers of `topic`. The reference is valid until the next call
  // of match, insert or erase: a caller that may subscribe while it walks
  // the matches copies them first.
  const std::vector<Match>& match(std::string_view topic) {
    if (cached_version_ == version_ && cached_topic_ == topic) return matches_;
    matches_.clear();
    if constexpr (Marked<Handle>) {
      ++epoch_;
      trie_.match(topic, [this](Handle h, Tag tag) {
        MatchMark& mark = h->match_mark;
        if (mark.epoch != epoch_) {
          mark = {epoch_, matches_.size()};
          matches_.emplace_back(h, tag);
        } else {
          matches_[mark.index].second = matches_[mark.index].second | tag;
        }
      });
    } else {
      trie_.match(topic, [this](Handle h, Tag tag) { matches_.emplace_back(h, tag); });
    }
    cached_topic_.assign(topic);
    cached_version_ = version_;
    return matches_;
  }

  std::size_t size() const noexcept { return trie_.size(); }
  bool empty() const noexcept { return trie_.empty(); }

private:
  TopicTrie<Handle, Tag> trie_;
  std::uint64_t version_ = 0;  // bumped by every change
  std::uint64_t cached_version_ = ~std::uint64_t{0};
  std::uint64_t epoch_ = 0;  // one per matching, for the MatchMarks
  std::string cached_topic_;
  std::vector<Match> matches_;
};

}  // namespace watt::proto
