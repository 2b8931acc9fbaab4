//===- WinogradConv.cpp - 3x3 convolutions as Winograd F(4x4, 3x3) --------===//
//
// Three steps (see WinogradConv.h for the algorithm):
//   1. input transform: V[36, T, C] from the padded NHWC image, one task per
//      row of 4x4 output tiles, 16 channels per vector;
//   2. 36 matrix products M = V x U (one contraction over the 36 points),
//      U[36, C, F] the filters transformed at compile time;
//   3. output transform: Y[N, 4*TH, 4*TW, F] from M, plus the bias.
// When U is small (up to 64x64 channels), one task does all three for its
// row of tiles; otherwise each step runs over all tiles before the next.
// The image is padded to whole tiles (extra zero rows and columns on the
// bottom and right), and the output cut back to [N, OH, OW, F].
//
//===----------------------------------------------------------------------===//

#include "WinogradConv.h"
#include "ChannelsLastConv.h"
#include "LoweringUtils.h"
#include "tdc/Dialect/Graph/IR/ConstantData.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace tdc::lowering;

namespace {

constexpr int64_t kM = tdc::schedule::kWinogradOut;       // outputs per side
constexpr int64_t kAlpha = tdc::schedule::kWinogradIn;    // inputs per side
constexpr int64_t kLanes = tdc::schedule::kWinogradLanes; // channels per vector

// Interpolation points 0, 1, -1, 2, -2 and infinity (Lavin & Gray).
constexpr double kBT[kAlpha][kAlpha] = {
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kG[kAlpha][3] = {{1.0 / 4, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                  {0, 0, 1}};
constexpr double kAT[kM][kAlpha] = {{1, 1, 1, 1, 1, 0},
                                    {0, 1, -1, 2, -2, 0},
                                    {0, 1, 1, 4, 4, 0},
                                    {0, 1, -1, 8, -8, 1}};

/// sum_i coefs[i] * v[i] as vector arithmetic: zero terms dropped, +-1 as
/// additions and subtractions, the rest as FMAs by splat constants.
Value combine(OpBuilder &b, Location loc, ArrayRef<double> coefs,
              ArrayRef<Value> v) {
  auto type = cast<VectorType>(v[0].getType());
  auto splat = [&](double c) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, static_cast<float>(c)));
  };
  Value acc;
  for (size_t i = 0; i < coefs.size(); ++i) {
    double c = coefs[i];
    if (c == 0)
      continue;
    if (!acc) {
      acc = c == 1    ? v[i]
            : c == -1 ? arith::NegFOp::create(b, loc, v[i]).getResult()
                      : arith::MulFOp::create(b, loc, splat(c), v[i]);
      continue;
    }
    if (c == 1)
      acc = arith::AddFOp::create(b, loc, acc, v[i]);
    else if (c == -1)
      acc = arith::SubFOp::create(b, loc, acc, v[i]);
    else
      acc = math::FmaOp::create(b, loc, splat(c), v[i], acc);
  }
  return acc ? acc : splat(0);
}

/// out[j] = sum_i row[i] * grid[i][j]: one row of a constant matrix times
/// a 6x6 grid of vectors.
void rowTimesGrid(OpBuilder &b, Location loc, ArrayRef<double> row,
                  Value (&grid)[kAlpha][kAlpha], Value (&out)[kAlpha]) {
  for (int64_t j = 0; j < kAlpha; ++j) {
    Value col[kAlpha];
    for (int64_t i = 0; i < kAlpha; ++i)
      col[i] = grid[i][j];
    out[j] = combine(b, loc, row, col);
  }
}

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// iv * scale.
Value scaled(OpBuilder &b, Location loc, Value iv, int64_t scale) {
  return arith::MulIOp::create(b, loc, iv, index(b, loc, scale));
}

SmallVector<OpFoldResult> attrs(OpBuilder &b, ArrayRef<int64_t> v) {
  return getAsIndexOpFoldResult(b.getContext(), v);
}

/// One task per (image, row of tiles): `body(b, loc, n, th, slab)` fills
/// the task's slab of `out` (the slice at `offsets(n, th)` of `sizes` and
/// `strides`) and returns it.
Value forEachTileRow(
    OpBuilder &b, Location loc, const WinogradShape &s, int64_t tilesH,
    Value out, ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
    function_ref<SmallVector<OpFoldResult>(OpBuilder &, Value, Value)> offsets,
    function_ref<Value(OpBuilder &, Value, Value, Value)> body) {
  auto forall = scf::ForallOp::create(b, loc, attrs(b, {s.n, tilesH}),
                                      ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value n = forall.getInductionVar(0), th = forall.getInductionVar(1);
  Value shared = forall.getRegionIterArgs()[0];
  SmallVector<OpFoldResult> off = offsets(b, n, th);
  auto slabType = tensorType(sizes, elemOf(out));
  Value slab = tensor::ExtractSliceOp::create(
      b, loc, slabType, shared, off, attrs(b, sizes), attrs(b, strides));
  Value done = body(b, n, th, slab);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, done, shared, off,
                                        attrs(b, sizes), attrs(b, strides));
  return forall.getResult(0);
}

/// for iv in [0, ub) step `step`, threading one tensor through.
Value loop(OpBuilder &b, Location loc, int64_t ub, int64_t step, Value init,
           function_ref<Value(OpBuilder &, Value, Value)> body) {
  auto forOp = scf::ForOp::create(
      b, loc, index(b, loc, 0), index(b, loc, ub), index(b, loc, step),
      ValueRange{init}, [&](OpBuilder &nb, Location, Value iv, ValueRange a) {
        scf::YieldOp::create(nb, loc, body(nb, iv, a[0]));
      });
  return forOp.getResult(0);
}

/// U[xi * 6 + nu, c, f] = (G g G^T)[xi, nu] of filter (f, c), in double.
std::vector<float> transformFilters(const WinogradShape &s,
                                    const std::vector<float> &w) {
  std::vector<float> u(kAlpha * kAlpha * s.c * s.f);
  for (int64_t f = 0; f < s.f; ++f)
    for (int64_t c = 0; c < s.c; ++c) {
      const float *g = &w[(f * s.c + c) * 9];
      double gg[kAlpha][3]; // G g
      for (int64_t i = 0; i < kAlpha; ++i)
        for (int64_t j = 0; j < 3; ++j)
          gg[i][j] =
              kG[i][0] * g[j] + kG[i][1] * g[3 + j] + kG[i][2] * g[6 + j];
      for (int64_t i = 0; i < kAlpha; ++i)
        for (int64_t j = 0; j < kAlpha; ++j) {
          double v =
              gg[i][0] * kG[j][0] + gg[i][1] * kG[j][1] + gg[i][2] * kG[j][2];
          u[((i * kAlpha + j) * s.c + c) * s.f + f] = static_cast<float>(v);
        }
    }
  return u;
}

/// The first output row (or column) of tile `t`. With dilation d a tile's
/// outputs are d apart: the tiles of residue class t % d come in blocks of
/// 4d rows.
int64_t tileOrigin(int64_t t, int64_t d) { return t / d * kM * d + t % d; }
Value tileOrigin(OpBuilder &b, Location loc, Value t, int64_t d) {
  if (d == 1)
    return scaled(b, loc, t, kM);
  Value block = arith::DivUIOp::create(b, loc, t, index(b, loc, d));
  Value rest = arith::RemUIOp::create(b, loc, t, index(b, loc, d));
  return arith::AddIOp::create(b, loc, scaled(b, loc, block, kM * d), rest);
}

/// Input transform of the tiles of row `th` of image `n`: V[p, tw, c] of
/// the row written into `slab` ([36, TW, C] or a view of that shape).
Value inputTransformRow(OpBuilder &b, Location loc, const WinogradShape &s,
                        int64_t tilesW, Value xp, Value n, Value th,
                        Value slab) {
  auto vecType = VectorType::get({kLanes}, b.getF32Type());
  Value zero = scalar(b, loc, b.getF32Type(), 0);
  Value y0 = tileOrigin(b, loc, th, s.d);
  return loop(
      b, loc, tilesW, 1, slab, [&](OpBuilder &lb, Value tw, Value slab) {
        Value x0 = tileOrigin(lb, loc, tw, s.d);
        return loop(
            lb, loc, s.c, kLanes, slab,
            [&](OpBuilder &cb, Value c, Value slab) {
              Value d[kAlpha][kAlpha];
              for (int64_t i = 0; i < kAlpha; ++i) {
                Value yi =
                    arith::AddIOp::create(cb, loc, y0, index(cb, loc, i * s.d));
                for (int64_t j = 0; j < kAlpha; ++j) {
                  Value xj = arith::AddIOp::create(cb, loc, x0,
                                                   index(cb, loc, j * s.d));
                  d[i][j] = vector::TransferReadOp::create(
                      cb, loc, vecType, xp, ValueRange{n, yi, xj, c}, zero,
                      ArrayRef<bool>{true});
                }
              }
              for (int64_t xi = 0; xi < kAlpha; ++xi) {
                // Row xi of B^T d, then of (B^T d) B.
                Value t[kAlpha];
                rowTimesGrid(cb, loc, kBT[xi], d, t);
                for (int64_t nu = 0; nu < kAlpha; ++nu) {
                  Value r = combine(cb, loc, kBT[nu], t);
                  slab =
                      vector::TransferWriteOp::create(
                          cb, loc, r, slab,
                          ValueRange{index(cb, loc, xi * kAlpha + nu), tw, c},
                          ArrayRef<bool>{true})
                          .getResult();
                }
              }
              return slab;
            });
      });
}

/// M[p, t, f] = sum_c V[p, t, c] * U[p, c, f]: per point p a matmul (loops
/// p, t, f, c), summed into `init`.
Value pointMatmuls(OpBuilder &b, Location loc, Value v, Value u, Value init) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps{AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                              AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
                              AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)};
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v, u},
             ValueRange{init}, maps, iters,
             [](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(
                   nb, nl, add(nb, nl, a[2], mul(nb, nl, a[0], a[1])));
             })
      .getResult(0);
}

/// Output transform of one row of tiles: Y[origin(th) + d i, origin(tw) +
/// d j, f] = (A^T m A)[i, j] + bias[f], from m[p, t0 + tw, f], written into
/// the row's `slab` ([1, 4, OW, F], rows d apart).
Value outputTransformRow(OpBuilder &b, Location loc, const WinogradShape &s,
                         int64_t tilesW, Value m, Value t0, Value biasVec,
                         Value slab) {
  auto vecType = VectorType::get({kLanes}, b.getF32Type());
  Value zero = scalar(b, loc, b.getF32Type(), 0);
  return loop(
      b, loc, tilesW, 1, slab, [&](OpBuilder &lb, Value tw, Value slab) {
        Value t = arith::AddIOp::create(lb, loc, t0, tw);
        Value x0 = tileOrigin(lb, loc, tw, s.d);
        return loop(lb, loc, s.f, kLanes, slab,
                    [&](OpBuilder &fb, Value f, Value slab) {
                      Value mv[kAlpha][kAlpha];
                      for (int64_t i = 0; i < kAlpha; ++i)
                        for (int64_t j = 0; j < kAlpha; ++j)
                          mv[i][j] = vector::TransferReadOp::create(
                              fb, loc, vecType, m,
                              ValueRange{index(fb, loc, i * kAlpha + j), t, f},
                              zero, ArrayRef<bool>{true});
                      Value bv = biasVec ? vector::TransferReadOp::create(
                                               fb, loc, vecType, biasVec,
                                               ValueRange{f}, zero,
                                               ArrayRef<bool>{true})
                                               .getResult()
                                         : Value();
                      for (int64_t i = 0; i < kM; ++i) {
                        // Row i of A^T m, then of (A^T m) A.
                        Value t[kAlpha];
                        rowTimesGrid(fb, loc, kAT[i], mv, t);
                        for (int64_t j = 0; j < kM; ++j) {
                          Value r = combine(fb, loc, kAT[j], t);
                          if (bv)
                            r = arith::AddFOp::create(fb, loc, r, bv);
                          Value xj = arith::AddIOp::create(
                              fb, loc, x0, index(fb, loc, j * s.d));
                          slab = vector::TransferWriteOp::create(
                                     fb, loc, r, slab,
                                     ValueRange{index(fb, loc, 0),
                                                index(fb, loc, i), xj, f},
                                     ArrayRef<bool>{true})
                                     .getResult();
                        }
                      }
                      return slab;
                    });
      });
}

} // namespace

Value tdc::lowering::winogradConvChannelsLast(OpBuilder &b, Location loc,
                                              Value x, const WinogradShape &s,
                                              ArrayRef<int64_t> pads,
                                              const std::vector<float> &w,
                                              Value bias) {
  Type elem = b.getF32Type();
  int64_t tilesH = tdc::schedule::winogradTilesH(s),
          tilesW = tdc::schedule::winogradTilesW(s);
  int64_t tiles = s.n * tilesH * tilesW, points = kAlpha * kAlpha;
  Value zero = scalar(b, loc, elem, 0);

  // The image padded to whole tiles: up to the last tile's last input row
  // (and column).
  auto extent = [&](int64_t tiles) {
    return tileOrigin(tiles - 1, s.d) + (kAlpha - 1) * s.d + 1;
  };
  SmallVector<int64_t> tilePads{pads[0], pads[1],
                                extent(tilesH) - s.h - pads[0],
                                extent(tilesW) - s.w - pads[1]};
  Value xp = paddedChannelsLast(b, loc, x, tilePads);
  Value u = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(tdc::f32Constant(tensorType({points, s.c, s.f}, elem),
                                       transformFilters(s, w),
                                       "tdc_winograd_filter")));
  Value biasVec =
      bias ? convertTensor(b, loc, bias, tensorType(shapeOf(bias), elem))
           : Value();

  // Y[n, origin(th) + d i, origin(tw) + d j, f]. Undilated, Y has whole
  // tiles (cut below); a task's slab is its row of tiles, rows d apart.
  int64_t rowsY = s.d == 1 ? kM * tilesH : s.oh;
  int64_t colsY = s.d == 1 ? kM * tilesW : s.ow;
  auto rowOf = [&](OpBuilder &nb, Value n, Value th) {
    Value row = arith::MulIOp::create(nb, loc, n, index(nb, loc, tilesH));
    return arith::AddIOp::create(nb, loc, row, th).getResult();
  };
  auto outputRows =
      [&](function_ref<Value(OpBuilder &, Value, Value, Value)> body) {
        return forEachTileRow(
            b, loc, s, tilesH,
            emptyTensor(b, loc, tensorType({s.n, rowsY, colsY, s.f}, elem)),
            {1, kM, colsY, s.f}, {1, s.d, 1, 1},
            [&](OpBuilder &nb, Value n, Value th) -> SmallVector<OpFoldResult> {
              return {n, tileOrigin(nb, loc, th, s.d), nb.getIndexAttr(0),
                      nb.getIndexAttr(0)};
            },
            body);
      };

  Value y;
  if (tdc::schedule::winogradFused(s)) {
    // Fused: each task transforms its row of tiles, multiplies and
    // transforms back, its V and M staying in its own cache (U, shared by
    // all tasks, in L2). As three steps, V and M (2.25x the activation
    // each) went through L3 between them, to the other core's tasks half
    // of the time: a 64-channel 64x64 convolution of the dilated-conv
    // network took 0.61 ms at 2 threads, fused 0.47 ms.
    y = outputRows([&](OpBuilder &nb, Value n, Value th, Value slab) {
      Value v = inputTransformRow(
          nb, loc, s, tilesW, xp, n, th,
          emptyTensor(nb, loc, tensorType({points, tilesW, s.c}, elem)));
      Value m = pointMatmuls(
          nb, loc, v, u,
          filledTensor(nb, loc, tensorType({points, tilesW, s.f}, elem), zero));
      return outputTransformRow(nb, loc, s, tilesW, m, index(nb, loc, 0),
                                biasVec, slab);
    });
  } else {
    // 1. V[p, t, c], t = (n * TH + th) * TW + tw: point-major, so that each
    // point's matrix is contiguous for the matmuls (tile-major rows, strided
    // by 36 * C, made them a third slower). A task's slab is its row of
    // tiles, for all 36 points.
    Value v = forEachTileRow(
        b, loc, s, tilesH,
        emptyTensor(b, loc, tensorType({points, tiles, s.c}, elem)),
        {points, tilesW, s.c}, {1, 1, 1},
        [&](OpBuilder &nb, Value n, Value th) -> SmallVector<OpFoldResult> {
          return {nb.getIndexAttr(0), scaled(nb, loc, rowOf(nb, n, th), tilesW),
                  nb.getIndexAttr(0)};
        },
        [&](OpBuilder &nb, Value n, Value th, Value slab) {
          return inputTransformRow(nb, loc, s, tilesW, xp, n, th, slab);
        });
    // 2. The 36 matmuls, U[36, C, F] the filters transformed at compile
    // time.
    Value m = pointMatmuls(
        b, loc, v, u,
        filledTensor(b, loc, tensorType({points, tiles, s.f}, elem), zero));
    // 3. The output transform, plus the bias.
    y = outputRows([&](OpBuilder &nb, Value n, Value th, Value slab) {
      return outputTransformRow(nb, loc, s, tilesW, m,
                                scaled(nb, loc, rowOf(nb, n, th), tilesW),
                                biasVec, slab);
    });
  }
  // Its elementwise user may write its vectors (tdc-fuse-winograd-epilogues).
  y.getDefiningOp()->setAttr("tdc.winograd_output", b.getUnitAttr());
  if (rowsY == s.oh && colsY == s.ow)
    return y;
  return tensor::ExtractSliceOp::create(
      b, loc, tensorType({s.n, s.oh, s.ow, s.f}, elem), y,
      attrs(b, {0, 0, 0, 0}), attrs(b, {s.n, s.oh, s.ow, s.f}),
      attrs(b, {1, 1, 1, 1}));
}
