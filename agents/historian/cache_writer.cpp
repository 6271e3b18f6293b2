#include "cache_writer.hpp"

#include <algorithm>
#include <filesystem>

namespace watt::historian {

std::int64_t free_bytes(const std::string& file) {
  std::error_code ec;
  const auto info = std::filesystem::space(std::filesystem::path(file).parent_path(), ec);
  return ec ? -1 : static_cast<std::int64_t>(info.available);
}

std::string free_space_note(const std::string& file) {
  const auto dir = std::filesystem::path(file).parent_path().string();
  const auto free = free_bytes(file);
  if (free < 0) return "the free space of " + dir + " is unknown";
  return std::to_string(free) + " bytes free on the file system of " + dir;
}

CacheWriter::CacheWriter(Cache& cache, WriterOptions options)
    : cache_(cache), options_(options), retry_ns_(options.retry_min_ns) {}

FlushOutcome CacheWriter::flush(std::int64_t now_ns) {
  FlushOutcome out;
  if (pending_.empty()) return out;
  if (!error_.empty() && now_ns < retry_at_ns_) {
    out.held = trim();
    return out;
  }
  try {
    out.appended = cache_.append(pending_);
  } catch (const std::exception& e) {
    failed(e, now_ns);
    out.failed = true;
    out.held = trim();
    return out;
  }
  pending_.clear();
  out.recovered = !error_.empty();
  error_.clear();
  retry_ns_ = options_.retry_min_ns;
  return out;
}

void CacheWriter::failed(const std::exception& e, std::int64_t now_ns) {
  retry_at_ns_ = now_ns + retry_ns_;
  error_ = std::string("cannot write the cache: ") + e.what() + " (" + free_space_note(cache_.options().file) + "; " +
           std::to_string(pending_.size()) + " records held in memory, next try in " +
           std::to_string(retry_ns_ / 1'000'000) + " ms)";
  retry_ns_ = std::min(retry_ns_ * 2, options_.retry_max_ns);
}

// Past the bound a whole batch goes at once, so a stream of arrivals into a
// full hold does not shift the vector once per record.
std::int64_t CacheWriter::trim() {
  if (pending_.size() <= options_.max_pending) return 0;
  const std::size_t keep = options_.max_pending - std::min(options_.batch_size, options_.max_pending / 2);
  const auto lost = static_cast<std::ptrdiff_t>(pending_.size() - keep);
  if (cache_.options().policy == FullPolicy::drop_oldest)
    pending_.erase(pending_.begin(), pending_.begin() + lost);
  else
    pending_.resize(keep);
  return lost;
}

}  // namespace watt::historian
