// The scheduler's register blocks as the derivation cost model sees them.
#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Derive/Cost.h"
#include "tdc/Schedule/Winograd.h"

#include <gtest/gtest.h>

using namespace tdc::schedule;

TEST(RegisterBlocks, BlocksFollowTheVectorRegisters) {
  // AVX-512: panels of 2 zmm, 8 rows (32 registers); AVX2: 2 ymm, 6 rows.
  EXPECT_EQ(panelWidth(1024, 16), 32);
  EXPECT_EQ(packedRows(32, 16, 512), 8);
  EXPECT_EQ(panelWidth(1024, 8), 16);
  EXPECT_EQ(packedRows(16, 8, 256), 6);
  // Narrow outputs get one vector or half of one.
  EXPECT_EQ(panelWidth(16, 16), 16);
  EXPECT_EQ(panelWidth(8, 16), 8);
  BlockEstimate big = estimateMatmul(1024, 1024, 1024, 512);
  EXPECT_EQ(big.mr, 8);
  EXPECT_EQ(big.nr, 32);
}

TEST(RegisterBlocks, LargeGemmsRunNearTheCeiling) {
  double e = estimateMatmul(1024, 1024, 1024, 512).efficiency;
  EXPECT_GT(e, 0.8);
  EXPECT_LE(e, 0.9);
}

TEST(RegisterBlocks, WastedLanesAndRowsCost) {
  double full = estimateMatmul(256, 64, 512, 512).efficiency;
  // 48 columns in two 32-lane panels: three quarters of the work is useful.
  double lanes = estimateMatmul(256, 48, 512, 512).efficiency;
  EXPECT_NEAR(lanes / full, 0.75, 0.01);
  // 24 columns: 2 panels of one zmm (3/4 of the lanes), whose 8 x 1
  // block is bound by its 9 loads per 8 FMAs.
  double single = estimateMatmul(256, 24, 512, 512).efficiency;
  EXPECT_NEAR(single / full, 0.75 * 8.0 / 9.0, 0.01);
  // Half a zmm per row.
  EXPECT_LT(estimateMatmul(256, 8, 512, 512).efficiency, 0.6 * full);
  // One row: 2 FMAs per step cannot hide the FMA latency.
  EXPECT_LT(estimateMatmul(1, 32, 512, 512).efficiency, 0.3 * full);
  // 7 rows (ResNet's 7x7 maps): blocks of 7, no waste beyond the block.
  EXPECT_GT(estimateMatmul(49, 512, 4608, 512).efficiency, 0.8);
}

TEST(RegisterBlocks, ShortReductionsPayForTheAccumulators) {
  double prev = 0;
  for (int64_t k : {8, 32, 128, 512, 2048}) {
    double e = estimateMatmul(512, 512, k, 512).efficiency;
    EXPECT_GT(e, prev) << "k = " << k;
    prev = e;
  }
  // k = 8: the 16 accumulators' loads and stores take a fifth of the time.
  EXPECT_LT(estimateMatmul(512, 512, 8, 512).efficiency,
            0.85 * estimateMatmul(512, 512, 512, 512).efficiency);
}

TEST(RegisterBlocks, CostModelUsesTheTargetsBlocks) {
  tdc::derive::CostModel cost;
  tdc::derive::Kernel k;
  k.kind = tdc::derive::KernelKind::Matmul;
  k.m = 256, k.n = 24, k.k = 512;
  k.flops = 2.0 * k.m * k.n * k.k;
  // 24 columns: 24 of 32 AVX-512 lanes, but all of three AVX2 ymm.
  cost.vectorBits = 512;
  double wide = cost.seconds(k) * cost.peakFlops;
  cost.vectorBits = 256;
  double narrow = cost.seconds(k) * cost.peakFlops;
  EXPECT_GT(wide, narrow);
}

TEST(RegisterBlocks, WinogradFormsFollowTheFilterSize) {
  using tdc::schedule::estimateWinograd;
  using tdc::schedule::winogradApplies;
  using tdc::schedule::winogradFused;
  using tdc::schedule::WinogradShape;
  WinogradShape small{1, 64, 64, 64, 64, 64, 64, 1};
  WinogradShape wide{1, 128, 28, 28, 128, 28, 28, 1};
  EXPECT_TRUE(winogradApplies(small) && winogradApplies(wide));
  // 36 x 64 x 64 floats (576 KiB) stay in L2 for every task; 128 x 128
  // (2.3 MB) would not.
  EXPECT_TRUE(winogradFused(small));
  EXPECT_FALSE(winogradFused(wide));
  EXPECT_EQ(estimateWinograd(small, 512).spillBytes, 0);
  // Unfused, V and M (36 points x 49 tiles x 128 channels each) are
  // written and read back.
  EXPECT_EQ(estimateWinograd(wide, 512).spillBytes, 2.0 * 4 * 36 * 49 * 256);
  EXPECT_EQ(estimateWinograd(small, 512).matmulFlops, 2.0 * 36 * 256 * 64 * 64);
  // A 7x7 map has 4 tiles; dilation 2 needs maps of whole 8x8 blocks.
  EXPECT_FALSE(winogradApplies({1, 64, 7, 7, 64, 7, 7, 1}));
  EXPECT_FALSE(winogradApplies({1, 64, 12, 12, 64, 12, 12, 2}));
  EXPECT_TRUE(winogradApplies({1, 64, 16, 16, 64, 16, 16, 2}));
}
