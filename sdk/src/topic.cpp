// Topic and pattern rules (see watt/topic.hpp): the wire's own, from watt-proto.
#include <watt/proto/topic.hpp>
#include <watt/topic.hpp>

namespace watt {

static_assert(max_topic_bytes == proto::max_topic_bytes && max_topic_segments == proto::max_topic_segments,
              "the SDK states the wire's topic limits");

std::string topic_error(std::string_view topic) { return proto::topic_error(topic); }
std::string pattern_error(std::string_view pattern) { return proto::pattern_error(pattern); }
std::string_view normalize_pattern(std::string_view pattern) { return proto::normalize_pattern(pattern); }
std::vector<std::string_view> split_topic(std::string_view topic) { return proto::split_topic(topic); }
bool topic_matches(std::string_view pattern, std::string_view topic) { return proto::topic_matches(pattern, topic); }
bool pattern_covers(std::string_view allow, std::string_view pattern) { return proto::pattern_covers(allow, pattern); }

}  // namespace watt
