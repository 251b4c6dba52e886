# locus_allocator: jemalloc for locus's own programs (the `locus` CLI and the benchmarks), when
# Debian's libjemalloc-dev is installed. A 256-bit ball keeps its limbs in a heap block of its own,
# so a ball Hessian allocates and frees about a million small blocks, on every thread, and frees
# many of them on a thread other than the one that allocated them. glibc's malloc spends about a
# fifth of a two-thread ball Hessian on that (arena locks, fast-bin consolidation); with jemalloc
# the P = 371 ball:256 Hessian took 25% less time (docs/building.md, "Allocator"). The library
# itself does not choose an allocator: a program linking locus::locus keeps its own, and so does
# the Python module (a module cannot replace the interpreter's malloc).
option(LOCUS_JEMALLOC "Link the locus CLI and the benchmarks against jemalloc when it is installed" ON)
add_library(locus_allocator INTERFACE)
if(LOCUS_JEMALLOC AND LOCUS_SANITIZERS)
  message(STATUS "locus: programs use the C library's malloc (the sanitizers bring their own)")
elseif(LOCUS_JEMALLOC)
  find_library(LOCUS_JEMALLOC_LIBRARY NAMES jemalloc)
  if(LOCUS_JEMALLOC_LIBRARY)
    target_link_libraries(locus_allocator INTERFACE ${LOCUS_JEMALLOC_LIBRARY})
    message(STATUS "locus: programs use jemalloc (${LOCUS_JEMALLOC_LIBRARY})")
  else()
    message(STATUS "locus: jemalloc not found (libjemalloc-dev): programs use the C library's malloc")
  endif()
endif()
