// Large arrays of MPFR numbers constructed on every thread (locus/scalar/mpfr.hpp).
#include <cstddef>
#include <new>

#include "scalar/share_out.hpp"

#include "locus/scalar/all.hpp"

namespace locus::detail {

template <int Bits>
void construct_numbers(Mpfr<Bits>* p, std::size_t n) noexcept {
  for_each_entry(p, n, [](Mpfr<Bits>* x) { new (x) Mpfr<Bits>(); });
}

template void construct_numbers<128>(Mpfr<128>*, std::size_t) noexcept;
template void construct_numbers<256>(Mpfr<256>*, std::size_t) noexcept;
template void construct_numbers<512>(Mpfr<512>*, std::size_t) noexcept;
template void construct_numbers<1024>(Mpfr<1024>*, std::size_t) noexcept;

}  // namespace locus::detail
