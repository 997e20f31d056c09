// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <gtest/gtest.h>
#include <ostream>
#include <string>

namespace nvd::test {

// Names each row of a table-driven test after its `name` field.
struct RowName {
  template <class Row> std::string operator()(const ::testing::TestParamInfo<Row> &row) const {
    return row.param.name;
  }
};

} // namespace nvd::test

// gtest shows a parameter it cannot print as its bytes ("240-byte object
// <A0-7C ...>") in every test's listing; a row prints as its name instead.
// Put it beside the row's struct, in the same namespace, so that ADL finds it.
#define NVD_PRINT_ROW_AS_NAME(Row)                                                                \
  [[maybe_unused]] void PrintTo(const Row &row, std::ostream *os) { *os << row.name; }

