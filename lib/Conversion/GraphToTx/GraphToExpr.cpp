//===- GraphToExpr.cpp - tg compute ops as derivation expressions ---------===//
#include "tdc/Conversion/GraphToTx/GraphToTx.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

/// Known at compile time (weights): the cost model re-lays such operands
/// out for free.
static bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

bool isStaticF32(Value v) {
  auto rt = dyn_cast<RankedTensorType>(v.getType());
  return rt && rt.hasStaticShape() && rt.getElementType().isF32();
}

static std::vector<int64_t> shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return std::vector<int64_t>(s.begin(), s.end());
}

/// Y = L<n, f, o...> Sum<c, k...> { X[n, (f / Fg) * Cg + c, o*st + k*dl - p]
///                                  * K[f, c, k...] }   (groups via f / Fg)
static Expr convExpr(ExprContext &ctx, tg::ConvOp op) {
  auto xs = shapeOf(op.getInput()), ks = shapeOf(op.getWeight()),
       ys = shapeOf(op.getOutput());
  size_t sp = xs.size() - 2;
  int64_t group = op.getGroup(), fg = ks[0] / group, cg = ks[1];
  Expr X = ctx.input("X", xs, isConstant(op.getInput())),
       K = ctx.input("K", ks, isConstant(op.getWeight()));
  static const char *outNames[] = {"h", "w", "d"},
                    *kerNames[] = {"r", "s", "t"};
  Iter n = ctx.iter("n"), f = ctx.iter("f"), c = ctx.iter("c");
  std::vector<IterRange> loops{{n, {0, ys[0]}}, {f, {0, ys[1]}}},
      sums{{c, {0, cg}}};
  Index chan = group == 1 ? ctx.idx(c)
                          : ctx.add(ctx.mul(ctx.floorDiv(ctx.idx(f), fg), cg),
                                    ctx.idx(c));
  std::vector<Index> xi{ctx.idx(n), chan}, ki{ctx.idx(f), ctx.idx(c)};
  for (size_t d = 0; d < sp; ++d) {
    Iter o = ctx.iter(sp <= 3 ? outNames[d] : "o" + std::to_string(d));
    Iter k = ctx.iter(sp <= 3 ? kerNames[d] : "k" + std::to_string(d));
    loops.push_back({o, {0, ys[2 + d]}});
    sums.push_back({k, {0, ks[2 + d]}});
    xi.push_back(ctx.add(ctx.add(ctx.mul(ctx.idx(o), op.getStrides()[d]),
                                 ctx.mul(ctx.idx(k), op.getDilations()[d])),
                         -op.getPads()[d]));
    ki.push_back(ctx.idx(k));
  }
  return ctx.scope(
      loops, sums,
      ctx.binary(BinaryOp::Mul, ctx.access(X, xi), ctx.access(K, ki)));
}

/// Y = L<n, f, o...> Sum<c, i...> { X[n, g*Cg + c, i...]
///                                   * K[g*Cg + c, f mod Fg, o + p - st*i] }
/// with g = f / Fg the group: the kernel tap is what connects input i to
/// output o; reads of K outside its extent are zero, which drops the pairs
/// that do not meet. A dilated kernel connects them only at taps that are
/// multiples of the dilation, which is affine only without stride: then the
/// sum runs over the taps k, reading X at o + p - dl*k.
static Expr convTransposeExpr(ExprContext &ctx, tg::ConvTransposeOp op,
                              std::string &why) {
  auto xs = shapeOf(op.getInput()), ks = shapeOf(op.getWeight()),
       ys = shapeOf(op.getOutput());
  size_t sp = xs.size() - 2;
  bool dilated = false, strided = false;
  for (size_t d = 0; d < sp; ++d) {
    dilated |= op.getDilations()[d] != 1;
    strided |= op.getStrides()[d] != 1;
  }
  if (dilated && strided) {
    why = "dilated and strided conv_transpose has no affine expression";
    return nullptr;
  }
  int64_t group = op.getGroup(), cg = xs[1] / group, fg = ks[1];
  Expr X = ctx.input("X", xs, isConstant(op.getInput())),
       K = ctx.input("K", ks, isConstant(op.getWeight()));
  Iter n = ctx.iter("n"), f = ctx.iter("f"), c = ctx.iter("c");
  std::vector<IterRange> loops{{n, {0, ys[0]}}, {f, {0, ys[1]}}},
      sums{{c, {0, cg}}};
  Index chan = group == 1 ? ctx.idx(c)
                          : ctx.add(ctx.mul(ctx.floorDiv(ctx.idx(f), fg), cg),
                                    ctx.idx(c));
  Index kf = group == 1 ? ctx.idx(f) : ctx.mod(ctx.idx(f), fg);
  std::vector<Index> xi{ctx.idx(n), chan}, ki{chan, kf};
  static const char *outNames[] = {"h", "w", "d"}, *inNames[] = {"p", "q", "u"},
                    *kerNames[] = {"r", "s", "t"};
  for (size_t d = 0; d < sp; ++d) {
    Iter o = ctx.iter(sp <= 3 ? outNames[d] : "o" + std::to_string(d));
    loops.push_back({o, {0, ys[2 + d]}});
    int64_t pad = op.getPads()[d];
    if (dilated) {
      Iter k = ctx.iter(sp <= 3 ? kerNames[d] : "k" + std::to_string(d));
      sums.push_back({k, {0, ks[2 + d]}});
      xi.push_back(ctx.add(
          ctx.add(ctx.idx(o), ctx.mul(ctx.idx(k), -op.getDilations()[d])),
          pad));
      ki.push_back(ctx.idx(k));
      continue;
    }
    Iter i = ctx.iter(sp <= 3 ? inNames[d] : "i" + std::to_string(d));
    sums.push_back({i, {0, xs[2 + d]}});
    xi.push_back(ctx.idx(i));
    ki.push_back(ctx.add(
        ctx.add(ctx.idx(o), ctx.mul(ctx.idx(i), -op.getStrides()[d])), pad));
  }
  return ctx.scope(
      loops, sums,
      ctx.binary(BinaryOp::Mul, ctx.access(X, xi), ctx.access(K, ki)));
}

/// Matmul with numpy semantics: batch dims broadcast (size-1 dims read at
/// 0, missing leading dims absent), a 1-D A is a row and a 1-D B a column
/// whose dim is dropped from the result: L<b..., i, j> Sum<k> { A * B }.
static Expr matmulExpr(ExprContext &ctx, Value a, Value b, Value result,
                       bool ta, bool tb, std::string &why) {
  auto as = shapeOf(a), bs = shapeOf(b), ys = shapeOf(result);
  bool rowA = as.size() == 1, colB = bs.size() == 1;
  if (rowA && ta) {
    why = "transposed 1-D operand";
    return nullptr;
  }
  // Result dims: batch..., [i unless rowA], [j unless colB].
  size_t batch = ys.size() - (rowA ? 0 : 1) - (colB ? 0 : 1);
  size_t abatch = rowA ? 0 : as.size() - 2, bbatch = colB ? 0 : bs.size() - 2;
  if (abatch > batch || bbatch > batch) {
    why = "matmul operands do not broadcast to its result";
    return nullptr;
  }
  int64_t kk = rowA ? as[0] : (ta ? as[abatch] : as[abatch + 1]);
  Expr A = ctx.input("A", as, isConstant(a)),
       B = ctx.input("B", bs, isConstant(b));
  std::vector<IterRange> loops;
  std::vector<Index> ai, bi;
  for (size_t d = 0; d < batch; ++d) {
    Iter it = ctx.iter("b" + std::to_string(d));
    loops.push_back({it, {0, ys[d]}});
    // Right-aligned batch dims; size 1 broadcasts.
    if (d + abatch >= batch) {
      int64_t ad = as[d + abatch - batch];
      if (ad != 1 && ad != ys[d]) {
        why = "A's batch dims do not broadcast";
        return nullptr;
      }
      ai.push_back(ad == 1 ? ctx.cst(0) : ctx.idx(it));
    }
    if (d + bbatch >= batch) {
      int64_t bd = bs[d + bbatch - batch];
      if (bd != 1 && bd != ys[d]) {
        why = "B's batch dims do not broadcast";
        return nullptr;
      }
      bi.push_back(bd == 1 ? ctx.cst(0) : ctx.idx(it));
    }
  }
  Iter k = ctx.iter("k");
  if (rowA) {
    ai.push_back(ctx.idx(k));
  } else {
    Iter i = ctx.iter("i");
    loops.push_back({i, {0, ta ? as[abatch + 1] : as[abatch]}});
    if (ta) {
      ai.push_back(ctx.idx(k));
      ai.push_back(ctx.idx(i));
    } else {
      ai.push_back(ctx.idx(i));
      ai.push_back(ctx.idx(k));
    }
  }
  if (colB) {
    bi.push_back(ctx.idx(k));
  } else {
    Iter j = ctx.iter("j");
    loops.push_back({j, {0, tb ? bs[bbatch] : bs[bbatch + 1]}});
    if (tb) {
      bi.push_back(ctx.idx(j));
      bi.push_back(ctx.idx(k));
    } else {
      bi.push_back(ctx.idx(k));
      bi.push_back(ctx.idx(j));
    }
  }
  Expr e = ctx.scope(
      loops, {{k, {0, kk}}},
      ctx.binary(BinaryOp::Mul, ctx.access(A, ai), ctx.access(B, bi)));
  if (e->tensorShape() != ys) {
    why = "matmul expression does not have the result's shape";
    return nullptr;
  }
  return e;
}

Expr exprFromGraphOp(ExprContext &ctx, Operation *op, std::string &why) {
  if (auto conv = dyn_cast<tg::ConvOp>(op))
    return convExpr(ctx, conv);
  if (auto ct = dyn_cast<tg::ConvTransposeOp>(op))
    return convTransposeExpr(ctx, ct, why);
  if (auto mm = dyn_cast<tg::MatMulOp>(op))
    return matmulExpr(ctx, mm.getLhs(), mm.getRhs(), mm.getOutput(), false,
                      false, why);
  if (auto gemm = dyn_cast<tg::GemmOp>(op))
    return matmulExpr(ctx, gemm.getA(), gemm.getB(), gemm.getOutput(),
                      gemm.getTransA(), gemm.getTransB(), why);
  why = "not a compute op";
  return nullptr;
}

} // namespace tdc
