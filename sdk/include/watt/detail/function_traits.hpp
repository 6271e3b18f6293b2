// Argument and return types of a callable, so export_method can unpack RPC
// arguments straight into the handler's parameters.
#pragma once

#include <tuple>
#include <type_traits>

namespace watt::detail {

template <class F>
struct function_traits : function_traits<decltype(&std::remove_cvref_t<F>::operator())> {};

template <class R, class... A>
struct function_traits<R (*)(A...)> {
  using result = R;
  using args = std::tuple<std::remove_cvref_t<A>...>;
};
template <class C, class R, class... A>
struct function_traits<R (C::*)(A...)> : function_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct function_traits<R (C::*)(A...) const> : function_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct function_traits<R (C::*)(A...) noexcept> : function_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct function_traits<R (C::*)(A...) const noexcept> : function_traits<R (*)(A...)> {};

// The tuple without its first element.
template <class Tuple>
struct tuple_tail;
template <class Head, class... Tail>
struct tuple_tail<std::tuple<Head, Tail...>> {
  using type = std::tuple<Tail...>;
};

}  // namespace watt::detail
