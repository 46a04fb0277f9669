#pragma once
// FunctionRef<R(Args...)>: a callable passed down a call without owning it. Two words (the
// callable's address and a function that calls it), never allocates, cheap to copy. For
// callbacks on hot paths (a filter asked for each candidate a search meets) where std::function
// would allocate for a lambda holding a few references.
//
// It does not extend the callable's life: pass it as a parameter, do not store it beyond the
// call it was given to.

#include <memory>
#include <type_traits>
#include <utility>

namespace baiying {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): used like a function
      : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* callable, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(callable))(
              std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(callable_, std::forward<Args>(args)...); }

 private:
  void* callable_;
  R (*call_)(void*, Args...);
};

}  // namespace baiying
