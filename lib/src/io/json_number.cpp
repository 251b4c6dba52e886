// One exact number from a JSON value (locus/io/json_number.hpp).
#include "locus/io/json_number.hpp"

#include "locus/error.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>

namespace locus {

Rational rational_from_json(const nlohmann::json& v, const std::string& where) {
  if (v.is_string()) return parse_rational(v.get<std::string>());
  if (v.is_number()) return parse_rational(v.dump());
  throw InvalidArgument(fmt::format("{}: expected a number or a string, got {}", where, v.dump()));
}

Mat<Rational> columns_from_json(const nlohmann::json& v,
                                Eigen::Index length,
                                const std::string& where) {
  if (!v.is_array()) {
    throw InvalidArgument(fmt::format("{}: expected a list of P-vectors (P = {}), got {}",
                                      where,
                                      length,
                                      v.dump().substr(0, 40)));
  }
  Mat<Rational> m(length, static_cast<Eigen::Index>(v.size()));
  for (std::size_t j = 0; j < v.size(); ++j) {
    const nlohmann::json& col = v[j];
    if (!col.is_array() || static_cast<Eigen::Index>(col.size()) != length) {
      throw InvalidArgument(fmt::format("{}[{}]: {} entries, expected P = {}",
                                        where,
                                        j,
                                        col.is_array() ? col.size() : 0,
                                        length));
    }
    for (Eigen::Index i = 0; i < length; ++i) {
      m(i, static_cast<Eigen::Index>(j)) = rational_from_json(
          col[static_cast<std::size_t>(i)], fmt::format("{}[{}][{}]", where, j, i));
    }
  }
  return m;
}

nlohmann::json number_array(const Vec<Rational>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(to_string(v(i)));
  return a;
}

nlohmann::json number_matrix(const Mat<Rational>& m) {
  nlohmann::json a = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(to_string(m(i, j)));
    a.push_back(std::move(row));
  }
  return a;
}

}  // namespace locus
