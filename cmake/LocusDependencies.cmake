# Every dependency is a Debian package; scripts/install-deps.sh installs them. See docs/building.md.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)            # Eigen3::Eigen
find_package(Boost 1.74 REQUIRED)                      # Boost::headers (multiprecision)
find_package(fmt 9 REQUIRED)                           # fmt::fmt
find_package(PkgConfig REQUIRED)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)  # PkgConfig::MPFR
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)    # PkgConfig::GMP
pkg_check_modules(LAPACKE REQUIRED IMPORTED_TARGET lapacke)  # PkgConfig::LAPACKE (double spectra, OpenBLAS)
pkg_check_modules(BLAS REQUIRED IMPORTED_TARGET blas)  # PkgConfig::BLAS (cblas_dgemm of the certificate)
find_package(OpenMP REQUIRED)                          # OpenMP::OpenMP_CXX (Hessian assembly)
include(LocusFindArb)                                  # locus_dep::arb
find_package(CLI11 2 REQUIRED)                         # CLI11::CLI11 (the locus executable only)
find_package(nlohmann_json 3 REQUIRED)                 # nlohmann_json::nlohmann_json (JSON output)
if(LOCUS_WITH_CERES)
  find_package(Ceres 2.1 REQUIRED)                     # Ceres::ceres (private to locus_solve, later)
endif()
find_package(SUNDIALS 6 REQUIRED)                      # SUNDIALS::cvode_shared (the gradient flow)
find_package(NLopt 2.7 REQUIRED)                       # NLopt::nlopt (the counterexample search)
find_package(Spectra 1.0 REQUIRED)                     # Spectra::Spectra (restarted Lanczos, header-only)
set(LOCUS_MPI OFF)                                     # MPI::MPI_CXX (data parallelism, optional)
if(NOT LOCUS_WITH_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS CXX QUIET)
  if(MPI_CXX_FOUND)
    set(LOCUS_MPI ON)
  elseif(LOCUS_WITH_MPI STREQUAL "ON")
    message(FATAL_ERROR "LOCUS_WITH_MPI=ON but no MPI found (apt-get install libopenmpi-dev)")
  endif()
endif()
message(STATUS "locus: MPI data parallelism ${LOCUS_MPI}")
if(LOCUS_BUILD_TESTS)
  find_package(doctest 2.4 REQUIRED)                   # doctest::doctest + doctest_discover_tests
  include(doctest)
endif()
if(LOCUS_WITH_FLOAT128)
  find_library(LOCUS_QUADMATH_LIBRARY NAMES quadmath libquadmath.so.0
    HINTS /usr/lib/gcc/x86_64-linux-gnu/12 /usr/lib/x86_64-linux-gnu)
  if(NOT LOCUS_QUADMATH_LIBRARY)
    message(STATUS "locus: libquadmath not found, float128 disabled")
    set(LOCUS_WITH_FLOAT128 OFF CACHE BOOL "" FORCE)
  endif()
endif()
