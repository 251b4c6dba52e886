// Configure-time check (cmake/LocusAvx512.cmake): compiles only where -march=native has AVX-512.
#ifndef __AVX512F__
#error "no AVX-512"
#endif
int main() {
  return 0;
}
