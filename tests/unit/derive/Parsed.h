//===- Parsed.h - expressions from the notation, for tests -------*- C++
//-*-===//
#ifndef TDC_TESTS_UNIT_DERIVE_PARSED_H
#define TDC_TESTS_UNIT_DERIVE_PARSED_H

#include "tdc/Derive/Parser.h"

#include <gtest/gtest.h>

namespace tdc::derive::testing {

/// `text` parsed with the given input shapes; a parse error fails the test
/// (and returns null).
inline Expr parsed(ExprContext &ctx, const std::string &text,
                   const std::map<std::string, std::vector<int64_t>> &shapes) {
  std::string error;
  Expr e = parse(ctx, text, shapes, error);
  EXPECT_NE(e, nullptr) << error;
  return e;
}

} // namespace tdc::derive::testing

#endif
