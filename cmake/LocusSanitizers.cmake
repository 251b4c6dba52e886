# LOCUS_SANITIZERS="address;undefined" instruments every target of this build (like Ceres WITH_SANITIZERS).
if(LOCUS_SANITIZERS)
  string(REPLACE ";" "," _locus_san "${LOCUS_SANITIZERS}")
  add_compile_options(-fsanitize=${_locus_san} -fno-omit-frame-pointer)
  if("undefined" IN_LIST LOCUS_SANITIZERS)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  add_link_options(-fsanitize=${_locus_san})
  # LOCUS_NO_SANITIZE="null;alignment" leaves those checks out (after -fsanitize, so that it wins).
  if(LOCUS_NO_SANITIZE)
    string(REPLACE ";" "," _locus_nosan "${LOCUS_NO_SANITIZE}")
    add_compile_options(-fno-sanitize=${_locus_nosan})
    add_link_options(-fno-sanitize=${_locus_nosan})
    set(_locus_san "${_locus_san} without ${_locus_nosan}")
  endif()
  # Executables without PIE: an unoptimised instrumented binary carries about 200 MB of
  # sanitizer data with 8 million relocations, which a PIE executable applies at every start
  # (2.3 s for `locus --version`, 0.9 s without PIE). The tests start thousands of processes.
  add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>)
  # Links: gold takes half the time of ld.bfd on these binaries (`locus`: 18 s against 36 s), and
  # one section per function lets --gc-sections drop the code nothing calls (88 MB of text down
  # to 81 MB). The sanitizer data itself belongs to code that stays, and stays.
  add_compile_options(-ffunction-sections -fdata-sections)
  add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-Wl,--gc-sections>)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=gold LOCUS_HAVE_GOLD)
  if(LOCUS_HAVE_GOLD)
    add_link_options(-fuse-ld=gold)
  endif()
  add_compile_definitions(_GLIBCXX_ASSERTIONS)
  message(STATUS "locus: sanitizers ${_locus_san}")
endif()
