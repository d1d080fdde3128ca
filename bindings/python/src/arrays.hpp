#pragma once
// Array conventions of leadscore._core: numeric inputs view numpy memory (no
// copies); results are numpy arrays that own the vectors they were computed
// into.

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <optional>
#include <span>
#include <vector>

namespace leadscore::python {

namespace nb = nanobind;

// 1-D, C-contiguous, on the CPU, of exactly the dtype asked for, so nanobind
// never converts (copies).
template <class T>
using InArray = nb::ndarray<const T, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
template <class T>
using OutArray = nb::ndarray<nb::numpy, T, nb::ndim<1>>;

template <class T>
std::span<const T> view(const InArray<T>& a) {
  return {a.data(), a.shape(0)};
}
template <class T>
std::span<const T> view(const std::optional<InArray<T>>& a) {
  return a ? view(*a) : std::span<const T>{};
}

template <class T>
OutArray<T> to_numpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return OutArray<T>(owned->data(), {owned->size()}, owner);
}

void bind_models(nb::module_& m);
void register_predictive(nb::module_& m);
void register_segment(nb::module_& m);

}  // namespace leadscore::python
