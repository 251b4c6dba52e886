// locus._locus: the Python extension behind the `locus` package (python/locus/__init__.py).
//
// Problems cross the boundary as locus::Problem (exact rationals inside). Values computed by the
// library cross as numbers, never as text: double matrices become float64 numpy arrays that share
// the Eigen buffer (no copy); exact and multiprecision values cross as Python integers (rationals
// as (numerator, denominator), binary floating values and ball midpoints/radii as (mantissa,
// exponent) with value mantissa·2^exponent), which the Python layer turns into fractions.Fraction,
// mpmath.mpf and locus.Ball. Results of spectrum, classify, refine, construct split and check are
// the JSON objects of the CLI (locus/api/jobs.hpp, the library both link), returned as JSON text. Every call that
// computes releases the GIL; locus::Error becomes locus.Error (or a subclass) with the CLI's
// message.
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "locus/api/certify.hpp"
#include "locus/api/construct.hpp"
#include "locus/api/evaluate.hpp"
#include "locus/api/figures.hpp"
#include "locus/api/jobs.hpp"
#include "locus/api/search.hpp"
#include "locus/error.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace {

// A Python int from a GMP integer, through its little-endian bytes (no decimal text).
py::int_ py_int(const mpz_t z) {
  if (mpz_fits_slong_p(z)) return py::int_(mpz_get_si(z));
  const std::size_t bytes = (mpz_sizeinbase(z, 2) + 7) / 8;
  std::string buffer(bytes, '\0');
  std::size_t written = 0;
  mpz_export(buffer.data(), &written, -1, 1, 0, 0, z);
  py::object v = py::module_::import("builtins")
                     .attr("int")
                     .attr("from_bytes")(py::bytes(buffer.data(), written), "little");
  if (mpz_sgn(z) < 0) v = -v;
  return py::int_(v);
}

// A GMP integer from a Python int, through its bytes.
locus::Integer integer_of(const py::handle& x) {
  const py::int_ v = py::reinterpret_borrow<py::int_>(x);
  const bool negative = v < py::int_(0);
  const py::int_ a = negative ? py::int_(-v) : v;
  const auto bits = a.attr("bit_length")().cast<std::size_t>();
  const std::size_t bytes = std::max<std::size_t>(1, (bits + 7) / 8);
  const std::string buffer = a.attr("to_bytes")(bytes, "little").cast<std::string>();
  locus::Integer out;
  mpz_import(out.backend().data(), buffer.size(), -1, 1, 0, 0, buffer.data());
  if (negative) out = -out;
  return out;
}

// One exact entry from Python: a bool is 0 or 1; an int is itself; a Python or numpy float (any
// width, numpy.longdouble included) is its exact binary value (as_integer_ratio); anything else
// (str, Fraction, Decimal, numpy integer) is parsed from str(x) as a decimal or p/q.
locus::Rational rational_of(const py::handle& x, const std::string& what) {
  if (py::isinstance<py::bool_>(x)) return locus::Rational(x.cast<bool>() ? 1 : 0);
  if (py::isinstance<py::int_>(x)) return locus::Rational(integer_of(x));
  if (py::isinstance<py::float_>(x) ||
      py::isinstance(x, py::module_::import("numpy").attr("floating"))) {
    const auto finite = py::module_::import("math").attr("isfinite");
    if (!finite(x).cast<bool>()) {
      throw locus::InvalidArgument(
          fmt::format("{} is {}; expected a finite number", what, py::str(x).cast<std::string>()));
    }
    const py::tuple ratio = x.attr("as_integer_ratio")();
    return locus::Rational(integer_of(ratio[0])) / locus::Rational(integer_of(ratio[1]));
  }
  const std::string s = py::str(x).cast<std::string>();
  try {
    return locus::parse_rational(s);
  } catch (const locus::Error& e) {
    throw locus::InvalidArgument(fmt::format("{} is '{}': {}", what, s, e.what()));
  }
}

// A matrix (rows x cols) from a 2-D numpy float array (exact binary values) or nested sequences.
locus::Mat<locus::Rational> rational_matrix(const py::object& o, const std::string& what) {
  if (py::isinstance<py::array>(o) && py::array(o).dtype().kind() == 'f' &&
      py::array(o).dtype().itemsize() <= 8) {  // float16/32/64: exact in double
    const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(o);
    if (a.ndim() != 2) {
      throw locus::InvalidArgument(fmt::format(
          "{} has {} dimension(s); expected a 2-D array (samples x features)", what, a.ndim()));
    }
    locus::Mat<locus::Rational> m(a.shape(0), a.shape(1));
    const auto r = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) {
      for (py::ssize_t j = 0; j < a.shape(1); ++j) {
        const double v = r(i, j);
        if (!std::isfinite(v)) {
          throw locus::InvalidArgument(
              fmt::format("{}[{}, {}] is {}; expected a finite number", what, i, j, v));
        }
        m(i, j) = locus::Rational(v);
      }
    }
    return m;
  }
  const py::list rows(o);
  const auto n = static_cast<Eigen::Index>(rows.size());
  if (n == 0) throw locus::InvalidArgument(fmt::format("{} is empty; expected rows", what));
  const auto cols = static_cast<Eigen::Index>(py::len(rows[0]));
  locus::Mat<locus::Rational> m(n, cols);
  for (Eigen::Index i = 0; i < n; ++i) {
    const py::list row(rows[static_cast<std::size_t>(i)]);
    if (static_cast<Eigen::Index>(row.size()) != cols) {
      throw locus::InvalidArgument(fmt::format(
          "{} row {} has {} entries; expected {} (as row 0)", what, i, row.size(), cols));
    }
    for (Eigen::Index j = 0; j < cols; ++j) {
      m(i, j) =
          rational_of(row[static_cast<std::size_t>(j)], fmt::format("{}[{}, {}]", what, i, j));
    }
  }
  return m;
}

locus::Vec<locus::Rational> rational_vector(const py::object& o, const std::string& what) {
  const py::list v(py::module_::import("numpy").attr("ravel")(o).attr("tolist")());
  if (py::isinstance<py::array>(o) && py::array(o).ndim() != 1) {
    throw locus::InvalidArgument(
        fmt::format("{} has {} dimensions; expected a vector", what, py::array(o).ndim()));
  }
  locus::Vec<locus::Rational> out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    out(static_cast<Eigen::Index>(i)) = rational_of(v[i], fmt::format("{}[{}]", what, i));
  }
  return out;
}

py::array_t<double> double_matrix(const locus::Mat<locus::Rational>& m) {
  py::array_t<double> a({m.rows(), m.cols()});
  auto w = a.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) w(i, j) = locus::to_double_nearest(m(i, j));
  }
  return a;
}

std::vector<std::vector<std::string>> text_matrix(const locus::Mat<locus::Rational>& m) {
  std::vector<std::vector<std::string>> out(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      out[static_cast<std::size_t>(i)].push_back(locus::to_string(m(i, j)));
    }
  }
  return out;
}

// The problem's point, checked against P, with θ replaced by `theta` when given.
locus::Problem with_point(const locus::Problem& p, const py::object& theta) {
  if (theta.is_none()) return p;
  locus::Problem q = p;
  q.point = rational_vector(theta, "theta");
  if (q.point->size() != q.network.num_parameters()) {
    throw locus::InvalidArgument(fmt::format(
        "theta has {} entries; expected P = {}", q.point->size(), q.network.num_parameters()));
  }
  return q;
}

py::object json_object(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

// (mantissa, exponent) with value mantissa·2^exponent, for a dyadic rational (the exact value of
// every binary floating-point number and of Arb's midpoints and radii).
py::tuple dyadic_of(const locus::Rational& r) {
  const mpz_srcptr num = mpq_numref(r.backend().data());
  const mpz_srcptr den = mpq_denref(r.backend().data());
  const auto k = static_cast<long>(mpz_sizeinbase(den, 2)) - 1;  // den = 2^k
  if (mpz_scan1(den, 0) != static_cast<mp_bitcnt_t>(k)) {
    throw locus::Error("internal: a binary floating-point value has a non-dyadic denominator");
  }
  return py::make_tuple(py_int(num), py::int_(-k));
}

// The values of one quantity, as numbers: a float64 numpy array sharing the matrix (double, shape
// {} gives a Python float); otherwise (rigour, shape, entries) with entries in column-major order,
// their form given by the rigour of S (scalar/rigour.hpp), never by an arithmetic's name:
//   "exact": (numerator, denominator); "floating-point": (mantissa, exponent) or a float for
//   NaN/Inf; "enclosure": (mid mantissa, mid exponent, rad mantissa, rad exponent).
template <class S>
py::object values_of(locus::Mat<S>&& m, const std::vector<long>& shape) {
  if constexpr (std::is_convertible_v<const S*, const double*>) {
    if (shape.empty()) return py::float_(m(0, 0));
    auto* owned = new locus::Mat<S>(std::move(m));
    const py::capsule free_when_done(owned, [](void* v) { delete static_cast<locus::Mat<S>*>(v); });
    const auto rows = static_cast<py::ssize_t>(owned->rows());
    const auto cols = static_cast<py::ssize_t>(owned->cols());
    const auto item = static_cast<py::ssize_t>(sizeof(double));
    if (shape.size() == 1)
      return py::array_t<double>({rows}, {item}, owned->data(), free_when_done);
    return py::array_t<double>({rows, cols}, {item, item * rows}, owned->data(), free_when_done);
  } else {
    py::list entries;
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      for (Eigen::Index i = 0; i < m.rows(); ++i) {
        const S& x = m(i, j);
        if constexpr (locus::ScalarTraits<S>::is_exact) {
          const locus::Rational& r = x;
          entries.append(py::make_tuple(py_int(mpq_numref(r.backend().data())),
                                        py_int(mpq_denref(r.backend().data()))));
        } else if constexpr (locus::ScalarTraits<S>::is_interval) {
          const py::tuple mid = dyadic_of(x.mid());
          const py::tuple rad = dyadic_of(x.rad());
          entries.append(py::make_tuple(mid[0], mid[1], rad[0], rad[1]));
        } else if (!locus::ScalarTraits<S>::is_finite(x)) {
          entries.append(py::float_(locus::ScalarTraits<S>::to_double(x)));
        } else {
          entries.append(dyadic_of(locus::ScalarTraits<S>::to_rational(x)));
        }
      }
    }
    return py::make_tuple(std::string(locus::to_string(locus::rigour_of<S>())),
                          py::tuple(py::cast(shape)),
                          static_cast<long>(m.rows()),
                          locus::ScalarTraits<S>::digits(),
                          entries);
  }
}

// One instance's outcome from the tuple python/locus/claims.py builds: (decided, holds, Evidence,
// margin, detail, counterexample Problem or None). The Evidence is the C++ object locus made.
locus::claims::InstanceResult instance_result(const py::tuple& t) {
  locus::claims::InstanceResult r;
  r.decided = t[0].cast<bool>();
  r.holds = t[1].cast<bool>();
  r.evidence = t[2].cast<locus::Evidence>();
  r.margin = t[3].cast<double>();
  r.detail = t[4].cast<std::string>();
  if (!t[5].is_none()) r.counterexample = t[5].cast<locus::Problem>();
  return r;
}

}  // namespace

PYBIND11_MODULE(_locus, m) {
  m.doc() = "locus: exact, multiprecision and interval geometry of neural-network losses";
  m.attr("__version__") = locus::kVersion;

  static py::exception<locus::Error> error(m, "Error", PyExc_RuntimeError);
  static py::exception<locus::InvalidArgument> invalid(m, "InvalidArgument", error.ptr());
  static py::exception<locus::ParseError> parse(m, "ParseError", error.ptr());
  static py::exception<locus::UnsupportedScalar> unsupported(m, "UnsupportedScalar", error.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const locus::InvalidArgument& e) {
      invalid(e.what());
    } catch (const locus::ParseError& e) {
      parse(e.what());
    } catch (const locus::UnsupportedScalar& e) {
      unsupported(e.what());
    } catch (const locus::Error& e) {
      error(e.what());
    }
  });

  py::class_<locus::Problem>(m, "Problem", "A network, its data and optionally a point (exact).")
      .def_property_readonly("widths", [](const locus::Problem& p) { return p.network.widths; })
      .def_property_readonly("activation",
                             [](const locus::Problem& p) -> py::object {
                               const locus::Network& n = p.network;
                               if (n.activations.empty()) return py::str(n.activation.name());
                               py::list out;
                               for (const auto& a : n.activations) out.append(a.name());
                               return out;
                             })
      .def_property_readonly("activations",
                             [](const locus::Problem& p) {
                               std::vector<std::string> out;
                               for (int l = 1; l < p.network.num_layers(); ++l)
                                 out.push_back(p.network.activation_at(l).name());
                               return out;
                             })
      .def_property_readonly("bias",
                             [](const locus::Problem& p) -> py::object {
                               const locus::Network& n = p.network;
                               if (n.biases.empty()) return py::bool_(n.bias);
                               py::list out;
                               for (const bool b : n.biases) out.append(b);
                               return out;
                             })
      .def_property_readonly("biases",
                             [](const locus::Problem& p) {
                               std::vector<bool> out;
                               for (int l = 1; l <= p.network.num_layers(); ++l)
                                 out.push_back(p.network.has_bias(l));
                               return out;
                             })
      .def_property_readonly("l2",
                             [](const locus::Problem& p) { return locus::to_string(p.network.l2); })
      .def_property_readonly(
          "l2_scope", [](const locus::Problem& p) { return locus::to_string(p.network.l2_scope); })
      .def_property_readonly(
          "loss", [](const locus::Problem& p) { return locus::to_string(p.network.loss); })
      .def_property_readonly(
          "reduction",
          [](const locus::Problem& p) { return locus::to_string(p.network.reduction); })
      .def_property_readonly(
          "loss_scale",
          [](const locus::Problem& p) { return locus::to_string(p.network.loss_scale); })
      .def_property_readonly("num_parameters",
                             [](const locus::Problem& p) { return p.network.num_parameters(); })
      .def_property_readonly("num_samples", [](const locus::Problem& p) { return p.data.size(); })
      .def_property_readonly("has_point",
                             [](const locus::Problem& p) { return p.point.has_value(); })
      .def("describe", [](const locus::Problem& p) { return p.network.describe(); })
      .def("_inputs", [](const locus::Problem& p) { return double_matrix(p.data.inputs); })
      .def("_targets", [](const locus::Problem& p) { return double_matrix(p.data.targets); })
      .def("_inputs_text", [](const locus::Problem& p) { return text_matrix(p.data.inputs); })
      .def("_targets_text", [](const locus::Problem& p) { return text_matrix(p.data.targets); })
      .def("_point_text",
           [](const locus::Problem& p) -> py::object {
             if (!p.point) return py::none();
             std::vector<std::string> out;
             for (Eigen::Index i = 0; i < p.point->size(); ++i) {
               out.push_back(locus::to_string((*p.point)(i)));
             }
             return py::cast(out);
           })
      .def("_with_point",
           [](const locus::Problem& p, const py::object& theta) {
             locus::Problem q = with_point(p, theta);
             q.validate();
             return q;
           })
      .def("_certificate", [](const locus::Problem& p) { return json_object(p.certificate); })
      .def("_provenance", [](const locus::Problem& p) { return json_object(p.provenance); })
      .def(
          "to_json",
          [](const locus::Problem& p) { return locus::problem_to_json(p).dump(2); },
          "The problem as locus-problem/1 JSON text (every number exact).")
      .def(
          "save",
          [](const locus::Problem& p, const std::string& path) {
            locus::write_problem_file(p, path);
          },
          py::arg("path"),
          "Writes the problem file (locus-problem/1).")
      .def(
          "weight_index",
          [](const locus::Problem& p, int l, int j, int k) {
            return p.network.weight_index(l, j, k);
          },
          py::arg("layer"),
          py::arg("row"),
          py::arg("column"),
          "Index in θ of W_layer[row, column] (layers 1-based, as in the math spec).")
      .def(
          "bias_index",
          [](const locus::Problem& p, int l, int j) { return p.network.bias_index(l, j); },
          py::arg("layer"),
          py::arg("row"))
      .def("__repr__", [](const locus::Problem& p) {
        return fmt::format("<locus.Problem {}, N = {}, P = {}{}>",
                           p.network.describe(),
                           p.data.size(),
                           p.network.num_parameters(),
                           p.point ? ", with a point" : "");
      });

  m.def(
      "load",
      [](const std::string& path) { return locus::read_problem_file(path); },
      py::arg("path"),
      "Reads a problem file (locus-problem/1).");
  m.def(
      "parse",
      [](const std::string& text) { return locus::parse_problem(text, "problem"); },
      py::arg("text"),
      "Parses problem JSON text.");
  m.def(
      "_from_parts",
      [](const std::vector<int>& widths,
         const std::vector<std::string>& activations,
         const std::vector<bool>& biases,
         const std::string& loss,
         const std::string& reduction,
         const std::string& loss_scale,
         const std::string& l2,
         const std::string& l2_scope,
         const py::object& inputs,
         const py::object& targets,
         const py::object& point) {
        locus::Problem p;
        locus::Network& net = p.network;
        net.widths = widths;
        if (activations.empty()) throw locus::InvalidArgument("activation: no activation given");
        if (activations.size() == 1) {
          net.activation = locus::Activation::from_name(activations.front());
        } else {
          for (const auto& a : activations)
            net.activations.push_back(locus::Activation::from_name(a));
          net.activation = net.activations.front();
        }
        if (biases.empty()) throw locus::InvalidArgument("bias: no flag given");
        if (biases.size() == 1) {
          net.bias = biases.front();
        } else {
          net.biases = biases;
          net.bias = biases.front();
        }
        if (const auto kind = locus::loss_from_name(loss)) {
          net.loss = *kind;
        } else {
          throw locus::InvalidArgument(fmt::format(
              "loss '{}': expected \"squared\", \"cross_entropy\" or \"binary_cross_entropy\"",
              loss));
        }
        if (const auto r = locus::reduction_from_name(reduction)) {
          net.reduction = *r;
        } else {
          throw locus::InvalidArgument(
              fmt::format("reduction '{}': expected \"sum\" or \"mean\"", reduction));
        }
        net.loss_scale = locus::parse_rational(loss_scale);
        net.l2 = locus::parse_rational(l2);
        if (net.l2 < 0) {
          throw locus::InvalidArgument(
              fmt::format("l2 = {}: expected a nonnegative coefficient", l2));
        }
        if (const auto scope = locus::l2_scope_from_name(l2_scope)) {
          net.l2_scope = *scope;
        } else {
          throw locus::InvalidArgument(
              fmt::format("l2_scope '{}': expected \"all\" or \"weights\"", l2_scope));
        }
        net.canonicalize();
        net.validate();
        p.data.inputs = rational_matrix(inputs, "inputs");
        p.data.targets = rational_matrix(targets, "targets");
        if (!point.is_none()) p.point = rational_vector(point, "point");
        p.validate();
        return p;
      },
      py::arg("widths"),
      py::arg("activations"),
      py::arg("biases"),
      py::arg("loss"),
      py::arg("reduction"),
      py::arg("loss_scale"),
      py::arg("l2"),
      py::arg("l2_scope"),
      py::arg("inputs"),
      py::arg("targets"),
      py::arg("point"));

  m.def(
      "_evaluate",
      [](const locus::Problem& p,
         const std::string& arithmetic,
         const std::string& quantities,
         const py::object& theta) {
        const locus::Problem q = with_point(p, theta);
        const locus::Arithmetic a = locus::parse_arithmetic(arithmetic);
        locus::api::EvaluateOptions options;
        options.quantities = locus::api::parse_quantities(quantities);
        return locus::dispatch(a, [&]<class S>(std::type_identity<S>) {
          std::optional<locus::api::Evaluation<S>> r;
          {
            const py::gil_scoped_release release;
            r = locus::api::evaluate<S>(q, options);
          }
          py::dict d;
          d["arithmetic"] = r->evidence.arithmetic();
          d["rigour"] = std::string(locus::to_string(r->evidence.rigour()));
          for (auto& item : r->items) {
            d[py::str(std::string(locus::api::json_key(item.quantity)))] =
                values_of<S>(std::move(item.values), item.shape);
          }
          return py::object(std::move(d));
        });
      },
      py::arg("problem"),
      py::arg("arithmetic"),
      py::arg("quantities"),
      py::arg("theta"));

  m.def(
      "_spectrum",
      [](const locus::Problem& p,
         const std::string& arithmetic,
         const std::string& matrix,
         long max_bits,
         bool kernel,
         bool vectors,
         int lanczos,
         int steps,
         int probes,
         std::uint64_t seed,
         double tolerance,
         int max_restarts,
         const std::string& null_vectors) {
        locus::api::SpectrumRequest r;
        if (!null_vectors.empty()) {
          r.null_vectors =
              locus::api::parse_null_vectors(locus::parse_json_exact(null_vectors, "null_vectors"),
                                             static_cast<Eigen::Index>(p.network.num_parameters()));
        }
        r.lanczos = lanczos;
        r.steps = steps;
        r.tolerance = tolerance;
        r.max_restarts = max_restarts;
        r.probes = probes;
        r.seed = seed;
        r.arithmetic = locus::parse_arithmetic(arithmetic);
        r.matrix = locus::api::parse_hessian_part(matrix);
        r.max_bits = max_bits;
        r.kernel = kernel;
        r.vectors = vectors;
        std::string text;
        locus::Evidence evidence = locus::Evidence::of<double>();
        {
          const py::gil_scoped_release release;
          if (r.lanczos > 0) {
            text = locus::api::spectrum_report(p, r).dump();  // Lanczos in double: evidence only
          } else {
            const auto t0 = std::chrono::steady_clock::now();
            locus::api::validate(r);
            locus::api::require_point(
                p, "problem", "`locus spectrum` needs the parameter vector θ");
            const locus::api::SpectrumResult s = locus::api::analyse_spectrum(p, r);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            text = locus::api::to_json(s, r, p, seconds).dump();
            evidence = s.evidence;
          }
        }
        return py::make_tuple(text, evidence);
      },
      py::arg("problem"),
      py::arg("arithmetic"),
      py::arg("matrix"),
      py::arg("max_bits"),
      py::arg("kernel"),
      py::arg("vectors"),
      py::arg("lanczos") = 0,
      py::arg("steps") = 0,
      py::arg("probes") = 0,
      py::arg("seed") = 0,
      py::arg("tolerance") = 1e-10,
      py::arg("max_restarts") = 1000,
      py::arg("null_vectors") = std::string());

  m.def(
      "_classify",
      [](const locus::Problem& p,
         const std::string& arithmetic,
         long max_bits,
         const py::object& tolerance) {
        locus::api::ClassifyRequest r;
        r.arithmetic = locus::parse_arithmetic(arithmetic);
        r.max_bits = max_bits;
        if (!tolerance.is_none())
          r.gradient_tolerance = rational_of(tolerance, "gradient_tolerance");
        std::optional<locus::Classification> c;
        double seconds = 0;
        {
          const py::gil_scoped_release release;
          const auto t0 = std::chrono::steady_clock::now();
          c = locus::api::classify(p, r, "problem");
          seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        return py::make_tuple(locus::api::to_json(*c, seconds).dump(), c->evidence);
      },
      py::arg("problem"),
      py::arg("arithmetic"),
      py::arg("max_bits"),
      py::arg("gradient_tolerance"));

  m.def(
      "_refine",
      [](const locus::Problem& p,
         int digits,
         const std::string& arithmetic,
         bool ceres,
         bool least_squares,
         int max_iterations,
         int ceres_iterations,
         const std::string& source) {
        locus::api::RefineOutcome out;
        {
          const py::gil_scoped_release release;
          locus::api::RefineRequest r;
          r.digits = digits;
          if (!arithmetic.empty()) r.arithmetic = locus::parse_arithmetic(arithmetic);
          r.ceres = ceres;
          r.least_squares = least_squares;
          r.max_iterations = max_iterations;
          r.ceres_max_iterations = ceres_iterations;
          out = locus::api::refine_report(p, r, source);
        }
        return py::make_tuple(out.report.dump(),
                              out.refined ? py::cast(*out.refined) : py::none(),
                              out.stopped ? py::cast(*out.stopped) : py::none());
      },
      py::arg("problem"),
      py::arg("digits"),
      py::arg("arithmetic"),
      py::arg("ceres"),
      py::arg("least_squares"),
      py::arg("max_iterations"),
      py::arg("ceres_iterations"),
      py::arg("source"));

  m.def(
      "_certify",
      [](const locus::Problem& p,
         double target_gradient,
         double max_time,
         long max_steps,
         double max_seconds,
         int digits,
         const std::string& arithmetic,
         const std::string& classify_arithmetic,
         const std::string& plot,
         const std::string& source) {
        locus::api::CertifyOutcome out;
        std::optional<locus::api::FigureFiles> figure;
        {
          const py::gil_scoped_release release;
          locus::api::CertifyRequest r;
          r.flow.target_gradient = target_gradient;
          r.flow.max_time = max_time;
          r.flow.max_steps = max_steps;
          r.flow.max_seconds = max_seconds;
          r.refine.digits = digits;
          if (!arithmetic.empty()) r.refine.arithmetic = locus::parse_arithmetic(arithmetic);
          r.classify.arithmetic = locus::parse_arithmetic(classify_arithmetic);
          out = locus::api::certify(p, r, source);
          if (!plot.empty()) figure = locus::api::plot_certify(out, p, plot);
        }
        nlohmann::json j = locus::api::to_json(out);
        if (figure) j["figure"] = {{"files", figure->files}, {"drawn", figure->drawn}};
        return py::make_tuple(j.dump(),
                              out.point ? py::cast(*out.point) : py::none(),
                              out.stopped ? py::cast(*out.stopped) : py::none());
      },
      py::arg("problem"),
      py::arg("target_gradient"),
      py::arg("max_time"),
      py::arg("max_steps"),
      py::arg("max_seconds"),
      py::arg("digits"),
      py::arg("arithmetic"),
      py::arg("classify_arithmetic"),
      py::arg("plot"),
      py::arg("source"));

  m.def(
      "_construct_split",
      [](const locus::Problem& p,
         int layer,
         int unit,
         const py::object& lam,
         const std::string& arithmetic,
         const std::string& source) {
        locus::api::SplitRequest request;
        request.layer = layer;
        request.unit = unit;
        request.lambda = rational_of(lam, "lam");
        if (!arithmetic.empty()) request.arithmetic = locus::parse_arithmetic(arithmetic);
        request.source = source;
        const py::gil_scoped_release release;
        return locus::api::construct_split(p, request).big;
      },
      py::arg("problem"),
      py::arg("layer"),
      py::arg("unit"),
      py::arg("lam"),
      py::arg("arithmetic"),
      py::arg("source"));

  m.def(
      "_check",
      [](const std::vector<std::string>& claims,
         const std::string& source,
         bool quick,
         unsigned seed,
         int threads,
         bool float_only,
         const std::string& mutate,
         const std::string& counterexamples) {
        locus::api::CheckRequest r;
        r.claims = claims;
        r.source = source;
        r.quick = quick;
        r.seed = seed;
        r.threads = threads;
        r.float_only = float_only;
        r.mutate = locus::claims::parse_mutation(mutate);
        r.counterexamples = counterexamples;
        const py::gil_scoped_release release;
        return locus::api::check_report(r).dump();
      },
      py::arg("claims"),
      py::arg("source"),
      py::arg("quick"),
      py::arg("seed"),
      py::arg("threads"),
      py::arg("float_only"),
      py::arg("mutate"),
      py::arg("counterexamples"));

  // How sure a value is (locus/scalar/rigour.hpp). Python cannot make a proving one: the only
  // factories take a kind of value (a Fraction that locus computed, a ball), map it to the scalar
  // type that computes such values and call Evidence::of<S>() for it.
  py::class_<locus::Evidence>(m,
                              "Evidence",
                              "How a result was obtained: exactly, as an enclosure, or in floating "
                              "point (evidence only). Made by locus, never from a name.")
      .def_property_readonly(
          "rigour",
          [](const locus::Evidence& e) { return std::string(locus::to_string(e.rigour())); })
      .def_property_readonly("arithmetic", &locus::Evidence::arithmetic)
      .def_property_readonly("proves", &locus::Evidence::proves)
      .def("weakest",
           [](const locus::Evidence& a, const locus::Evidence& b) { return weakest(a, b); })
      .def("conditional", &locus::Evidence::conditional)
      .def("__eq__", [](const locus::Evidence& a, const locus::Evidence& b) { return a == b; })
      .def("__repr__", [](const locus::Evidence& e) {
        return fmt::format("locus.Evidence({}, {})", locus::to_string(e.rigour()), e.arithmetic());
      });
  m.def("_evidence_exact", [] { return locus::Evidence::of<locus::Rational>(); });
  m.def(
      "_evidence_ball",
      [](int bits) {
        return locus::dispatch(
            locus::Arithmetic::ball(std::max(2, bits)),
            []<class S>(std::type_identity<S>) { return locus::Evidence::of<S>(); });
      },
      py::arg("bits"));
  m.def(
      "_evidence_float",
      [](int bits) {
        // a binary floating value of `bits` significand bits: double up to 53, MPFR above (the
        // smallest built precision that holds it); floating-point strength either way
        if (bits <= 53) return locus::Evidence::of<double>();
        const int mpfr = bits <= 128 ? 128 : bits <= 256 ? 256 : bits <= 512 ? 512 : 1024;
        return locus::dispatch(locus::Arithmetic::mpfr(mpfr), []<class S>(std::type_identity<S>) {
          return locus::Evidence::of<S>();
        });
      },
      py::arg("bits"));

  // Claims written in Python (python/locus/claims.py), run by the same runner as the registry:
  // each spec is a dict with the Claim's text fields and `run(seed, quick)`, which returns
  // (decided, holds, Evidence, margin, detail, counterexample Problem or None). Instances run on
  // one thread (the callbacks hold the GIL). Returns (results JSON text, table text, JUnit text,
  // every claim as expected).
  m.def(
      "_run_claims",
      [](const py::list& specs,
         unsigned seed,
         bool quick,
         const std::string& counterexamples,
         const py::object& progress) {
        std::vector<locus::claims::Claim> claims;
        for (const py::handle& h : specs) {
          const py::dict d = py::reinterpret_borrow<py::dict>(h);
          locus::claims::Claim c;
          c.id = d["id"].cast<std::string>();
          c.statement = d["statement"].cast<std::string>();
          c.source = d["source"].cast<std::string>();
          c.expected = d["expected"].cast<std::string>();
          c.instances = d["instances"].cast<int>();
          c.quick_instances = d["quick_instances"].cast<int>();
          c.arithmetic = "as the check computes";
          const py::object run = py::reinterpret_borrow<py::object>(d["run"]);
          c.run = [run](const locus::claims::Context& ctx, std::uint32_t s) {
            const py::gil_scoped_acquire gil;
            py::tuple t;
            try {
              t = run(s, ctx.quick).cast<py::tuple>();
            } catch (py::error_already_set& e) {
              throw locus::Error(e.what());  // turned into an undecided instance by the runner
            }
            return instance_result(t);
          };
          claims.push_back(std::move(c));
        }
        std::vector<const locus::claims::Claim*> selected;
        for (const auto& c : claims) selected.push_back(&c);
        locus::claims::Context ctx;
        ctx.seed = seed;
        ctx.quick = quick;
        ctx.counterexample_dir = counterexamples;
        ctx.command = "python3 -m locus check";
        std::vector<locus::claims::ClaimResult> results;
        const auto t0 = std::chrono::steady_clock::now();
        {
          const py::gil_scoped_release release;
          results = locus::api::run_selected(
              selected, ctx, 1, [&](std::size_t k, const locus::claims::ClaimResult& r) {
                if (progress.is_none()) return;
                const py::gil_scoped_acquire gil;
                progress(fmt::format("[{}/{}] {} {} ({:.1f} s)",
                                     k,
                                     selected.size(),
                                     r.id,
                                     locus::claims::to_string(r.verdict),
                                     r.seconds));
              });
        }
        locus::api::CheckRun info;
        info.seed = seed;
        info.quick = quick;
        info.threads = 1;
        info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        bool all_pass = true;
        for (const auto& r : results) all_pass = all_pass && r.pass;
        return py::make_tuple(locus::api::results_json(results, seed, quick, info.seconds).dump(2),
                              locus::api::check_table(results, info),
                              locus::api::check_junit(results, info, "python3 -m locus check"),
                              all_pass);
      },
      py::arg("specs"),
      py::arg("seed"),
      py::arg("quick"),
      py::arg("counterexamples"),
      py::arg("progress"));

  // locus.search (python/locus/claims.py): a registered claim's search space by id, or a Python
  // claim's (a dict: id, statement, family, sample(seed) -> Problem, margin(Problem) -> float,
  // certify(Problem) -> the run tuple of _run_claims, polish: None, "critical-point" or a callable
  // Problem -> Problem or None). Returns (outcome JSON text, counterexample Problem or None).
  m.def(
      "_search",
      [](const py::object& claim,
         unsigned seed,
         int restarts,
         double max_seconds,
         int optimiser_runs,
         int evaluations,
         double target_margin,
         bool shrink,
         double shrink_seconds,
         int max_denominator,
         const py::object& progress) {
        locus::api::SearchSpace space;
        if (py::isinstance<py::str>(claim)) {
          const auto id = claim.cast<std::string>();
          auto s = locus::api::builtin_search_space(id);
          if (!s) {
            throw locus::InvalidArgument(
                fmt::format("claim '{}' has no built-in search space (searchable: {}); a "
                            "locus.claims.Claim with a margin can be searched",
                            id,
                            fmt::join(locus::api::searchable_claims(), ", ")));
          }
          space = std::move(*s);
        } else {
          const py::dict d = claim.cast<py::dict>();
          space.claim = d["id"].cast<std::string>();
          space.statement = d["statement"].cast<std::string>();
          space.family = d["family"].cast<std::string>();
          const py::object sample = d["sample"], margin = d["margin"], certify = d["certify"],
                           polish = d["polish"];
          space.sample = [sample](std::uint32_t s) {
            const py::gil_scoped_acquire gil;
            locus::api::SearchCandidate c;
            try {
              c.problem = sample(s).cast<locus::Problem>();
            } catch (py::error_already_set& e) {
              throw locus::Error(e.what());
            } catch (const py::cast_error&) {
              throw locus::InvalidArgument(
                  "the claim's family must return a locus.Problem to "
                  "be searched");
            }
            c.origin = "the claim's family";
            return c;
          };
          space.margin = [margin](const locus::api::SearchCandidate& c) {
            const py::gil_scoped_acquire gil;
            try {
              return margin(c.problem).cast<double>();
            } catch (py::error_already_set& e) {
              throw locus::Error(e.what());
            }
          };
          space.certify = [certify](const locus::api::SearchCandidate& c) {
            const py::gil_scoped_acquire gil;
            py::tuple t;
            try {
              t = certify(c.problem).cast<py::tuple>();
            } catch (py::error_already_set& e) {
              throw locus::Error(e.what());
            }
            return instance_result(t);
          };
          if (py::isinstance<py::str>(polish)) {
            space.polish = [](const locus::api::SearchCandidate& c) {
              return std::optional<locus::api::SearchCandidate>(
                  locus::api::polish_to_critical_point(c));
            };
          } else if (!polish.is_none()) {
            space.polish = [polish](const locus::api::SearchCandidate& c)
                -> std::optional<locus::api::SearchCandidate> {
              const py::gil_scoped_acquire gil;
              try {
                const py::object r = polish(c.problem);
                if (r.is_none()) return std::nullopt;
                locus::api::SearchCandidate out = c;
                out.problem = r.cast<locus::Problem>();
                return out;
              } catch (py::error_already_set& e) {
                throw locus::Error(e.what());
              }
            };
          }
          space.move_point = polish.is_none();
        }
        locus::api::SearchOptions o;
        o.seed = seed;
        o.restarts = restarts;
        o.max_seconds = max_seconds;
        o.optimiser_runs = optimiser_runs;
        o.optimiser_evaluations = evaluations;
        o.target_margin = target_margin;
        o.shrink = shrink;
        o.shrink_seconds = shrink_seconds;
        o.max_denominator = max_denominator;
        std::optional<locus::api::SearchOutcome> out;
        {
          const py::gil_scoped_release release;
          out = locus::api::search(space, o, [&](const std::string& line) {
            if (progress.is_none()) return;
            const py::gil_scoped_acquire gil;
            progress(line);
          });
        }
        nlohmann::json j = locus::api::to_json(*out, o);
        j["statement"] = space.statement;
        j["family"] = space.family;
        py::object ce = out->counterexample ? py::cast(*out->counterexample) : py::none();
        // release the callbacks (they hold Python objects) while the GIL is held
        space = locus::api::SearchSpace{};
        return py::make_tuple(j.dump(), ce);
      },
      py::arg("claim"),
      py::arg("seed"),
      py::arg("restarts"),
      py::arg("max_seconds"),
      py::arg("optimiser_runs"),
      py::arg("evaluations"),
      py::arg("target_margin"),
      py::arg("shrink"),
      py::arg("shrink_seconds"),
      py::arg("max_denominator"),
      py::arg("progress"));
}
