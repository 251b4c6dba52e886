# Arb (FLINT 2.x era, Debian's libflint-arb-dev) ships neither a CMake nor a pkg-config file.
# Defines the imported target locus_dep::arb (arb + flint). Used in-tree and by locusConfig.cmake.
if(NOT TARGET locus_dep::arb)
  find_path(LOCUS_ARB_INCLUDE_DIR arb.h PATH_SUFFIXES arb)
  find_library(LOCUS_ARB_LIBRARY NAMES flint-arb arb)
  find_library(LOCUS_FLINT_LIBRARY NAMES flint)
  if(NOT LOCUS_ARB_INCLUDE_DIR OR NOT LOCUS_ARB_LIBRARY OR NOT LOCUS_FLINT_LIBRARY)
    message(FATAL_ERROR "locus: Arb ball arithmetic not found (arb.h, libflint-arb, libflint). "
                        "On Debian: apt-get install libflint-arb-dev")
  endif()
  add_library(locus_dep::arb INTERFACE IMPORTED)
  set_target_properties(locus_dep::arb PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LOCUS_ARB_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${LOCUS_ARB_LIBRARY};${LOCUS_FLINT_LIBRARY}")
endif()
