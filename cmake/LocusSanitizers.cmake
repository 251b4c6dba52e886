# LOCUS_SANITIZERS="address;undefined" instruments every target of this build (like Ceres WITH_SANITIZERS).
if(LOCUS_SANITIZERS)
  string(REPLACE ";" "," _locus_san "${LOCUS_SANITIZERS}")
  add_compile_options(-fsanitize=${_locus_san} -fno-omit-frame-pointer)
  if("undefined" IN_LIST LOCUS_SANITIZERS)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  add_link_options(-fsanitize=${_locus_san})
  # Executables without PIE: an unoptimised instrumented binary carries about 200 MB of
  # sanitizer data with 8 million relocations, which a PIE executable applies at every start
  # (2.3 s for `locus --version`, 0.9 s without PIE). The tests start thousands of processes.
  add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>)
  add_compile_definitions(_GLIBCXX_ASSERTIONS)
  message(STATUS "locus: sanitizers ${_locus_san}")
endif()
