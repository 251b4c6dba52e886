# An unexported INTERFACE target carrying the project's warning flags; link it PRIVATE through
# $<BUILD_INTERFACE:...> so consumers of the installed package never inherit them.
add_library(locus_warnings INTERFACE)
target_compile_options(locus_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wundef -Wmissing-declarations)
if(LOCUS_PEDANTIC)
  target_compile_options(locus_warnings INTERFACE -Wconversion -Wsign-conversion)
endif()
if(LOCUS_WARNINGS_AS_ERRORS)
  target_compile_options(locus_warnings INTERFACE -Werror)
endif()
