// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <gtest/gtest.h>
#include <string>

namespace nvd::test {

// Names each row of a table-driven test after its `name` field.
struct RowName {
  template <class Row> std::string operator()(const ::testing::TestParamInfo<Row> &row) const {
    return row.param.name;
  }
};

} // namespace nvd::test
