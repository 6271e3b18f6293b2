// Marks a message buffer handed from one thread to another through ZeroMQ,
// for ThreadSanitizer. Over inproc:// libzmq passes the very buffer between
// threads (the control service and the broker in wattd) through lock-free
// pipes that, uninstrumented, ThreadSanitizer cannot see; without these marks
// every such message is reported as a race. Nothing in other builds.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define WATT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WATT_TSAN 1
#endif
#endif

#ifdef WATT_TSAN
extern "C" void __tsan_acquire(void* addr);  // NOLINT(bugprone-reserved-identifier): ThreadSanitizer's API
extern "C" void __tsan_release(void* addr);  // NOLINT(bugprone-reserved-identifier)
#endif

namespace watt::proto {

// Call after the last write to a buffer, before sending it.
inline void handing_over(const void* data) noexcept {
#ifdef WATT_TSAN
  __tsan_release(const_cast<void*>(data));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
#else
  (void)data;
#endif
}

// Call after receiving a buffer, before the first read of it.
inline void taking_over(const void* data) noexcept {
#ifdef WATT_TSAN
  __tsan_acquire(const_cast<void*>(data));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
#else
  (void)data;
#endif
}

}  // namespace watt::proto
