// Data sets: sklearn's make_blobs reproduced draw for draw, XOR, teacher networks, CSV import.
#include "locus/io/dataset.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "support/scalar_lists.hpp"

#include "locus/core/derivatives.hpp"

using locus::Mat;
using locus::Rational;

namespace {
Rational exact(double x) {
  return locus::ScalarTraits<double>::to_rational(x);
}
}  // namespace

TEST_SUITE("io.dataset") {
  TEST_CASE(
      "blobs: equal to sklearn 1.2.1 make_blobs(8, 2, centers=3, random_state=5) to the bit") {
    // generated once with Debian's python3-sklearn 1.2.1 (printed with 17 significant digits)
    const double raw[8][2] = {{-6.469368983061452, 6.823009465617239},
                              {-6.224445840212715, 8.975689761367928},
                              {-7.058381505633278, 8.167341648170845},
                              {-1.7429557817917825, 2.8797247689456933},
                              {-5.372533352368174, 7.084776165768168},
                              {-7.530405422683167, 7.672039121068481},
                              {0.9196147853837535, 4.092208265284227},
                              {-5.450526736627027, 8.99712724060909}};
    const int label[8] = {0, 1, 1, 2, 0, 1, 2, 0};
    const double scaled[8][2] = {{-0.5847071831482241, -0.0064481485217069},
                                 {-0.49538306646204766, 1.0232781596968397},
                                 {-0.7995216048638493, 0.636607960689146},
                                 {1.139028187004337, -1.8927031586008003},
                                 {-0.18468833347132685, 0.11876694184403165},
                                 {-0.9716699733472226, 0.3996819091564561},
                                 {2.110074700867054, -1.3127163593881452},
                                 {-0.21313272657871937, 1.0335326951241806}};
    locus::BlobsOptions o;
    o.num_samples = 4;
    o.input_dim = 2;
    o.num_classes = 3;
    o.cluster_std = 1.0;
    o.seed = 5;
    o.standardize = false;
    const auto split = locus::make_blobs(o);
    o.standardize = true;
    const auto std_split = locus::make_blobs(o);
    for (int i = 0; i < 8; ++i) {
      const auto& part = i < 4 ? split.train : split.test;
      const auto& std_part = i < 4 ? std_split.train : std_split.test;
      CAPTURE(i);
      for (int j = 0; j < 2; ++j) {
        CHECK(part.inputs(i % 4, j) == exact(raw[i][j]));
        CHECK(abs(std_part.inputs(i % 4, j) - exact(scaled[i][j])) <=
              Rational(1, 1000000000000000LL));
      }
      for (int c = 0; c < 3; ++c) CHECK(part.targets(i % 4, c) == (c == label[i] ? 1 : 0));
    }
  }

  TEST_CASE("blobs: seeds are reproducible and distinct; bad sizes are rejected") {
    locus::BlobsOptions o;
    o.seed = 11;
    const auto a = locus::make_blobs(o);
    const auto b = locus::make_blobs(o);
    o.seed = 12;
    const auto c = locus::make_blobs(o);
    CHECK(a.train.inputs == b.train.inputs);
    CHECK_FALSE(a.train.inputs == c.train.inputs);
    CHECK(a.train.size() == 100);
    CHECK(a.test.size() == 100);
    o.num_classes = 0;
    CHECK_THROWS_AS(locus::make_blobs(o), locus::InvalidArgument);
  }

  TEST_CASE("numpy RandomState: the first draws of seed 0 equal numpy's") {
    // numpy.random.RandomState(0).random_sample() == 0.5488135039273248; .randn() after it
    locus::NumpyRandomState r(0);
    CHECK(r.random_sample() == 0.5488135039273248);
    CHECK(r.random_sample() == 0.7151893663724195);
    locus::NumpyRandomState g(0);
    CHECK(g.gauss() == 1.764052345967664);
  }

  TEST_CASE("xor and teacher data") {
    const auto x = locus::make_xor();
    CHECK(x.inputs.rows() == 4);
    CHECK(x.targets(1, 0) == 1);
    CHECK(x.targets(3, 0) == 0);
    CHECK(locus::make_xor(true).targets.cols() == 2);
    locus::TeacherOptions t;
    t.teacher.widths = {3, 4, 2};
    t.teacher.activation = locus::Activation::tanh();
    t.num_samples = 20;
    t.seed = 3;
    locus::Vec<Rational> theta;
    const auto d = locus::make_teacher(t, &theta);
    CHECK(d.inputs.rows() == 20);
    CHECK(d.targets.cols() == 2);
    // the teacher interpolates its own data: zero loss in double, exactly zero residual there
    const locus::LossFunction<double> fn(t.teacher, d);
    CHECK(fn.loss(locus::convert_matrix<double>(Mat<Rational>(theta))) == 0.0);
  }

  TEST_CASE("csv: exact numbers, a header, ragged rows and bad cells are reported") {
    const std::string path = "locus_dataset_test.csv";
    {
      std::ofstream f(path);
      f << "x1,x2,y\n0.1,-1/3,2\n\n1e-3, 4 ,5\n";
    }
    const auto d = locus::read_csv(path, 2);
    CHECK(d.inputs.rows() == 2);
    CHECK(d.inputs(0, 0) == Rational(1, 10));
    CHECK(d.inputs(0, 1) == Rational(-1, 3));
    CHECK(d.targets(1, 0) == 5);
    {
      std::ofstream f(path);
      f << "1,2,3\n4,5\n";
    }
    CHECK_THROWS_WITH_AS(locus::read_csv(path, 2),
                         doctest::Contains(":2: 2 columns; expected 3"),
                         locus::ParseError);
    {
      std::ofstream f(path);
      f << "1,2,3\n4,nan,6\n";
    }
    CHECK_THROWS_WITH_AS(
        locus::read_csv(path, 2), doctest::Contains(":2: column 2"), locus::ParseError);
    CHECK_THROWS_AS(locus::read_csv(path, 3), locus::ParseError);
    std::remove(path.c_str());
  }
}
