// Configure-time probe (cmake/LocusAvx512.cmake): the best time, in nanoseconds, of a double GEMM
// of the CRT products' typical shape (136 x 300 by 300 x 153) with the instruction set this file
// is compiled for. Compiled twice, with and without AVX-512; the faster decides.
#include <chrono>
#include <cstdio>

#include <Eigen/Core>

int main() {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(136, 300);
  const Eigen::MatrixXd b = Eigen::MatrixXd::Random(300, 153);
  Eigen::MatrixXd c(136, 153);
  long long best = -1;
  for (int rep = 0; rep < 60; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    c.noalias() = a * b;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (best < 0 || ns < best) best = ns;
  }
  std::printf("%lld", best + (c(0, 0) > 1e300 ? 1 : 0));  // c is used: the GEMM is not dropped
  return 0;
}
