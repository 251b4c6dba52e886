#include "locus/version.hpp"

#include <Eigen/Core>

#include <boost/version.hpp>

#include <fmt/format.h>

#include <arb.h>
#include <gmp.h>
#include <mpfr.h>

namespace locus {

std::string build_info() {
  return fmt::format(
      "locus {}\n"
      "  compiler   g++ {}.{}.{}\n"
      "  Eigen      {}.{}.{}\n"
      "  Boost      {}.{}.{}\n"
      "  fmt        {}\n"
      "  GMP        {}\n"
      "  MPFR       {}\n"
      "  Arb        {}\n"
      "  float128   {}\n"
      "  Ceres      {}\n",
      kVersion,
      __GNUC__,
      __GNUC_MINOR__,
      __GNUC_PATCHLEVEL__,
      EIGEN_WORLD_VERSION,
      EIGEN_MAJOR_VERSION,
      EIGEN_MINOR_VERSION,
      BOOST_VERSION / 100000,
      BOOST_VERSION / 100 % 1000,
      BOOST_VERSION % 100,
      FMT_VERSION,
      gmp_version,
      mpfr_get_version(),
      arb_version,
      LOCUS_HAS_FLOAT128 ? "yes (libquadmath)" : "no",
      LOCUS_HAS_CERES ? "yes" : "no");
}

}  // namespace locus
