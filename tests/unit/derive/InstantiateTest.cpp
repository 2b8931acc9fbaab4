// Instantiation looks only at the iterator table of a scope: these cases
// check which kernel each shape is matched to, with which sizes, and the
// near misses that must stay eOperators.
#include "tdc/Derive/Instantiate.h"
#include "tdc/Derive/Cost.h"
#include "tdc/Derive/Parser.h"

#include <gtest/gtest.h>

using namespace tdc::derive;

namespace {

struct Matched {
  std::string kind, detail;
};

Matched best(const std::string &text,
             const std::map<std::string, std::vector<int64_t>> &shapes) {
  ExprContext ctx;
  std::string error;
  Expr e = parse(ctx, text, shapes, error);
  EXPECT_NE(e, nullptr) << error;
  if (!e)
    return {};
  Kernel k = bestKernel(e, CostModel());
  return {kernelName(k.kind), k.detail};
}

} // namespace

TEST(Instantiate, MatmulAndBatchMatmul) {
  Matched m = best("L<i:0:64, j:0:48> Sum<k:0:32> { A[i, k] * B[k, j] }",
                   {{"A", {64, 32}}, {"B", {32, 48}}});
  EXPECT_EQ(m.kind, "matmul");
  EXPECT_EQ(m.detail, "matmul b=1 m=64 n=48 k=32");
  m = best("L<b:0:4, i:0:64, j:0:48> Sum<k:0:32> { A[b, i, k] * B[b, k, j] }",
           {{"A", {4, 64, 32}}, {"B", {4, 32, 48}}});
  EXPECT_EQ(m.detail, "matmul b=4 m=64 n=48 k=32");
}

TEST(Instantiate, ConvWithSeveralOutputChannelIterators) {
  // Four filter groups (p, q) of 8 filters each: a conv with 32 filters.
  Matched m = best("L<n:0:1, f:0:8, p:0:2, q:0:2, h:0:16, w:0:16> "
                   "Sum<c:0:16, r:0:3, s:0:3> "
                   "{ X[n, c, h+r-1, w+s-1] * K[f, p, q, c, r, s] }",
                   {{"X", {1, 16, 16, 16}}, {"K", {8, 2, 2, 16, 3, 3}}});
  EXPECT_EQ(m.kind, "conv");
  EXPECT_EQ(m.detail, "conv 3x3 f=32 c=16 m=256 k=144");
  m = best("L<n:0:1, f:0:8, h:0:8, w:0:8> Sum<c:0:16, r:0:3, s:0:3> "
           "{ X[n, c, 2*h+r-1, 2*w+2*s-1] * K[f, c, r, s] }",
           {{"X", {1, 16, 16, 16}}, {"K", {8, 16, 3, 3}}});
  EXPECT_EQ(m.detail, "conv 3x3 s2 s2 d2 f=8 c=16 m=64 k=144");
}

TEST(Instantiate, ConvNearMissesAreEOperators) {
  // The weight reads a sum of iterators: not a plain weight.
  EXPECT_EQ(best("L<n:0:1, f:0:8, h:0:8> Sum<c:0:4, p:0:2, r:0:3> "
                 "{ X[n, c, h+3*p+r] * K[f, c, 3*p+r] }",
                 {{"X", {1, 4, 14}}, {"K", {8, 4, 6}}})
                .kind,
            "eop");
  // A summation iterator the input does not read.
  EXPECT_EQ(best("L<n:0:1, f:0:8, h:0:8> Sum<c:0:4, r:0:3, e:0:2> "
                 "{ X[n, c, h+r] * K[f, c, r, e] }",
                 {{"X", {1, 4, 10}}, {"K", {8, 4, 3, 2}}})
                .kind,
            "eop");
}

TEST(Instantiate, G2bmmAndGbmm) {
  Matched g = best("L<b:0:4, i:0:64, w:0:9> Sum<k:0:32> "
                   "{ A[b, i, k] * B[b, i+w-4, k] }",
                   {{"A", {4, 64, 32}}, {"B", {4, 64, 32}}});
  EXPECT_EQ(g.kind, "g2bmm");
  EXPECT_EQ(g.detail, "g2bmm b=4 m=64 n=9 k=32");
  Matched gb = best("L<b:0:4, i:0:64, j:0:32> Sum<w:0:9> "
                    "{ A[b, i, w] * B[b, i+w-4, j] }",
                    {{"A", {4, 64, 9}}, {"B", {4, 64, 32}}});
  EXPECT_EQ(gb.kind, "gbmm");
  EXPECT_EQ(gb.detail, "gbmm b=4 m=64 n=32 k=9");
  // Dilated: the window subscript has a coefficient, no kernel.
  EXPECT_EQ(best("L<b:0:4, i:0:64, w:0:9> Sum<k:0:32> "
                 "{ A[b, i, k] * B[b, i+2*w-8, k] }",
                 {{"A", {4, 64, 32}}, {"B", {4, 64, 32}}})
                .kind,
            "eop");
}

TEST(Instantiate, OverlapAddSumsAreBoundedByTheirReads) {
  // The overlap-add of a 4x4 stride-2 transposed conv: of the 16 values of
  // p, only those with 0 <= h-2p+1 < 4 (two) read inside T.
  ExprContext ctx;
  std::string error;
  Expr e = parse(ctx,
                 "L<f:0:8, h:0:32> Sum<p:0:16, c:0:3> "
                 "{ T[f, h-2*p+1, p] * W[c] }",
                 {{"T", {8, 4, 16}}, {"W", {3}}}, error);
  ASSERT_NE(e, nullptr) << error;
  EXPECT_EQ(effectiveSumExtent(e, 0), 2);
  EXPECT_EQ(effectiveSumExtent(e, 1), 3); // W[c] reads all of c
  ASSERT_EQ(sumBounds(e, 0).size(), 2u);  // T's dims 1 (h-2p+1) and 2 (p)
  // A sum inside a non-product (here a difference) bounds nothing.
  Expr d = parse(ctx, "L<h:0:32> Sum<p:0:16> { T[0, h-2*p+1, p] - W[0] }",
                 {{"T", {8, 4, 16}}, {"W", {3}}}, error);
  ASSERT_NE(d, nullptr) << error;
  EXPECT_EQ(effectiveSumExtent(d, 0), 16);
}
