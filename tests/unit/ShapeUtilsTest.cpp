#include "tdc/Dialect/Graph/IR/ShapeUtils.h"

#include <gtest/gtest.h>

using namespace tdc::tg;

TEST(ShapeUtils, Broadcast) {
  auto r = broadcastShapes({2, 1, 4}, {3, 1});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{2, 3, 4}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4}));
  EXPECT_EQ(*broadcastShapes({}, {5}), (llvm::SmallVector<int64_t>{5}));
}

TEST(ShapeUtils, WindowOutputSize) {
  // 5 wide, 3x3 kernel, pad 1, stride 2 -> 3
  EXPECT_EQ(windowOutputSize(5, 3, 2, 1, 1, 1), 3);
  // dilation 2: span 5 on a 7 input without padding -> 3
  EXPECT_EQ(windowOutputSize(7, 3, 1, 0, 0, 2), 3);
  // ceil mode: 6 wide, kernel 3, stride 2 -> floor 2, ceil 3
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, true), 3);
  // the last ceil-mode window may not start in the end padding
  EXPECT_EQ(windowOutputSize(4, 2, 2, 0, 1, 1, true), 2);
}
