// A trie over topic segments holding subscriptions: matching costs the depth of
// the topic (times the '+' branches), never the number of subscriptions.
#pragma once

#include <watt/proto/topic.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace watt::proto {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Handle identifies a subscriber (a peer pointer in the broker, a subscription
// id in the SDK); Tag is what the subscriber attached to the pattern.
template <class Handle, class Tag = std::uint8_t>
class TopicTrie {
public:
  // Pattern must be valid (see pattern_error). Returns false, and updates the
  // tag, when the handle already held this pattern.
  bool insert(std::string_view pattern, Handle handle, Tag tag = {}) {
    Node* node = &root_;
    for_each_segment(normalize_pattern(pattern), [&](std::string_view seg) {
      std::unique_ptr<Node>& next = seg == "+" ? node->plus : child_slot(*node, seg);
      if (!next) next = std::make_unique<Node>();
      node = next.get();
    });
    for (auto& entry : node->here) {
      if (entry.first == handle) {
        entry.second = tag;
        return false;
      }
    }
    node->here.emplace_back(handle, tag);
    ++size_;
    return true;
  }

  // Returns whether the handle held the pattern.
  bool erase(std::string_view pattern, Handle handle) {
    std::array<std::string_view, max_topic_segments> segs{};
    std::size_t n = 0;
    for_each_segment(normalize_pattern(pattern), [&](std::string_view seg) {
      if (n < segs.size()) segs[n++] = seg;
    });
    bool erased = false;
    erase_from(root_, segs.data(), n, handle, erased);
    if (erased) --size_;
    return erased;
  }

  // Calls fn(handle, tag) once for every stored pattern that matches the topic;
  // a handle with overlapping patterns is reported once per pattern.
  template <class Fn>
  void match(std::string_view topic, Fn&& fn) const {
    match_from(root_, topic, fn);
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

private:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus;
    std::vector<std::pair<Handle, Tag>> here;
    bool idle() const { return children.empty() && !plus && here.empty(); }
  };

  static std::unique_ptr<Node>& child_slot(Node& node, std::string_view seg) {
    auto it = node.children.find(seg);
    if (it == node.children.end()) it = node.children.emplace(std::string(seg), nullptr).first;
    return it->second;
  }

  // Segments are split off as the walk goes down: a topic is read once, and
  // no more of it than the trie has nodes for.
  template <class Fn>
  static void match_from(const Node& node, std::string_view topic, Fn& fn) {
    for (const auto& [handle, tag] : node.here) fn(handle, tag);
    if (topic.empty()) return;
    const auto slash = topic.find('/');
    const std::string_view seg = topic.substr(0, slash);
    const std::string_view rest = slash == std::string_view::npos ? std::string_view{} : topic.substr(slash + 1);
    // No hashing of the segment where there is nothing to find (a leaf).
    if (!node.children.empty()) {
      if (auto it = node.children.find(seg); it != node.children.end()) match_from(*it->second, rest, fn);
    }
    if (node.plus) match_from(*node.plus, rest, fn);
  }

  static void erase_from(Node& node, const std::string_view* segs, std::size_t n, Handle handle, bool& erased) {
    if (n == 0) {
      auto it = std::find_if(node.here.begin(), node.here.end(), [&](const auto& e) { return e.first == handle; });
      if (it != node.here.end()) {
        node.here.erase(it);
        erased = true;
      }
      return;
    }
    if (segs[0] == "+") {
      if (!node.plus) return;
      erase_from(*node.plus, segs + 1, n - 1, handle, erased);
      if (node.plus->idle()) node.plus.reset();
      return;
    }
    auto it = node.children.find(segs[0]);
    if (it == node.children.end()) return;
    erase_from(*it->second, segs + 1, n - 1, handle, erased);
    if (it->second->idle()) node.children.erase(it);
  }

  Node root_;
  std::size_t size_ = 0;
};

}  // namespace watt::proto
