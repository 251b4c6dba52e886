# Whether the CRT products' double GEMMs (lib/src/scalar/crt_kernels.cpp) are compiled for AVX-512:
# only when this machine has AVX-512 and Eigen's AVX-512 GEMM is faster here than its AVX2 one.
# (On an AVX-512 machine of docs/benchmarks.md it took half the time; on an earlier machine
# AVX-512 code ran at a sixth of AVX2's speed.) The two kernels give the same exact products, and
# the choice is made once per build directory (cached as LOCUS_CRT_AVX512), so runs of one build
# are reproducible.
function(locus_probe_avx512_gemm)
  if(DEFINED CACHE{LOCUS_CRT_AVX512})
    return()
  endif()
  set(result OFF)
  set(why "no AVX-512 on this machine")
  set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/avx512_probe)
  # -march=native has AVX-512 only where the machine has it; only then are the two kernels timed
  try_compile(has_512 ${dir}/check
              SOURCES ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/avx512_check.cpp
              COMPILE_DEFINITIONS -march=native)
  if(has_512)
    set(probe ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/avx512_gemm_probe.cpp)
    try_run(run_512 compiled_512 ${dir}/with ${probe}
            COMPILE_DEFINITIONS -O2 -DNDEBUG -march=native -DEIGEN_DONT_PARALLELIZE
            LINK_LIBRARIES Eigen3::Eigen
            CXX_STANDARD 20
            RUN_OUTPUT_VARIABLE ns_512)
    try_run(run_256 compiled_256 ${dir}/without ${probe}
            COMPILE_DEFINITIONS -O2 -DNDEBUG -march=native -mno-avx512f -DEIGEN_DONT_PARALLELIZE
            LINK_LIBRARIES Eigen3::Eigen
            CXX_STANDARD 20
            RUN_OUTPUT_VARIABLE ns_256)
    set(why "the probe did not run")
    if(compiled_512 AND compiled_256 AND run_512 EQUAL 0 AND run_256 EQUAL 0
       AND ns_512 MATCHES "^[0-9]+$" AND ns_256 MATCHES "^[0-9]+$")
      set(why "AVX-512 GEMM ${ns_512} ns, AVX2 ${ns_256} ns")
      # 10% faster at least, so that noise alone does not decide
      math(EXPR limit "${ns_256} * 9 / 10")
      if(ns_512 LESS limit)
        set(result ON)
      endif()
    endif()
  endif()
  message(STATUS "CRT double GEMMs with AVX-512: ${result} (${why})")
  set(LOCUS_CRT_AVX512 ${result} CACHE BOOL
      "Compile the CRT products' double GEMMs for AVX-512 (set by a probe of this machine)")
endfunction()
