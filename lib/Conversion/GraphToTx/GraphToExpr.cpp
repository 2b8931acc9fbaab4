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

/// Y = L<n, f, o...> Sum<c, i...> { X[n, c, i...] * K[c, f, o + p - st*i] }:
/// the kernel tap is what connects input i to output o; reads of K outside
/// its extent are zero, which drops the pairs that do not meet.
static Expr convTransposeExpr(ExprContext &ctx, tg::ConvTransposeOp op,
                              std::string &why) {
  if (op.getGroup() != 1) {
    why = "grouped conv_transpose has no expression yet";
    return nullptr;
  }
  for (int64_t d : op.getDilations())
    if (d != 1) {
      why = "dilated conv_transpose has no expression yet";
      return nullptr;
    }
  auto xs = shapeOf(op.getInput()), ks = shapeOf(op.getWeight()),
       ys = shapeOf(op.getOutput());
  size_t sp = xs.size() - 2;
  Expr X = ctx.input("X", xs, isConstant(op.getInput())),
       K = ctx.input("K", ks, isConstant(op.getWeight()));
  Iter n = ctx.iter("n"), f = ctx.iter("f"), c = ctx.iter("c");
  std::vector<IterRange> loops{{n, {0, ys[0]}}, {f, {0, ys[1]}}},
      sums{{c, {0, xs[1]}}};
  std::vector<Index> xi{ctx.idx(n), ctx.idx(c)}, ki{ctx.idx(c), ctx.idx(f)};
  static const char *outNames[] = {"h", "w", "d"}, *inNames[] = {"p", "q", "u"};
  for (size_t d = 0; d < sp; ++d) {
    Iter o = ctx.iter(sp <= 3 ? outNames[d] : "o" + std::to_string(d));
    Iter i = ctx.iter(sp <= 3 ? inNames[d] : "i" + std::to_string(d));
    loops.push_back({o, {0, ys[2 + d]}});
    sums.push_back({i, {0, xs[2 + d]}});
    xi.push_back(ctx.idx(i));
    ki.push_back(
        ctx.add(ctx.add(ctx.idx(o), ctx.mul(ctx.idx(i), -op.getStrides()[d])),
                op.getPads()[d]));
  }
  return ctx.scope(
      loops, sums,
      ctx.binary(BinaryOp::Mul, ctx.access(X, xi), ctx.access(K, ki)));
}

/// Batched matmul without broadcasting: L<b..., i, j> Sum<k> { A * B }.
static Expr matmulExpr(ExprContext &ctx, Value a, Value b, bool ta, bool tb,
                       std::string &why) {
  auto as = shapeOf(a), bs = shapeOf(b);
  if (as.size() < 2 || as.size() != bs.size()) {
    why = "matmul with 1-D or broadcast operands has no expression yet";
    return nullptr;
  }
  size_t batch = as.size() - 2;
  for (size_t d = 0; d < batch; ++d)
    if (as[d] != bs[d]) {
      why = "matmul with broadcast batch dims has no expression yet";
      return nullptr;
    }
  Expr A = ctx.input("A", as, isConstant(a)),
       B = ctx.input("B", bs, isConstant(b));
  std::vector<IterRange> loops;
  std::vector<Index> ai, bi;
  for (size_t d = 0; d < batch; ++d) {
    Iter it = ctx.iter("b" + std::to_string(d));
    loops.push_back({it, {0, as[d]}});
    ai.push_back(ctx.idx(it));
    bi.push_back(ctx.idx(it));
  }
  int64_t m = ta ? as[batch + 1] : as[batch],
          kk = ta ? as[batch] : as[batch + 1];
  int64_t n = tb ? bs[batch] : bs[batch + 1];
  Iter i = ctx.iter("i"), j = ctx.iter("j"), k = ctx.iter("k");
  loops.push_back({i, {0, m}});
  loops.push_back({j, {0, n}});
  if (ta) {
    ai.push_back(ctx.idx(k));
    ai.push_back(ctx.idx(i));
  } else {
    ai.push_back(ctx.idx(i));
    ai.push_back(ctx.idx(k));
  }
  if (tb) {
    bi.push_back(ctx.idx(j));
    bi.push_back(ctx.idx(k));
  } else {
    bi.push_back(ctx.idx(k));
    bi.push_back(ctx.idx(j));
  }
  return ctx.scope(
      loops, {{k, {0, kk}}},
      ctx.binary(BinaryOp::Mul, ctx.access(A, ai), ctx.access(B, bi)));
}

Expr exprFromGraphOp(ExprContext &ctx, Operation *op, std::string &why) {
  if (auto conv = dyn_cast<tg::ConvOp>(op))
    return convExpr(ctx, conv);
  if (auto ct = dyn_cast<tg::ConvTransposeOp>(op))
    return convTransposeExpr(ctx, ct, why);
  if (auto mm = dyn_cast<tg::MatMulOp>(op))
    return matmulExpr(ctx, mm.getLhs(), mm.getRhs(), false, false, why);
  if (auto gemm = dyn_cast<tg::GemmOp>(op))
    return matmulExpr(ctx, gemm.getA(), gemm.getB(), gemm.getTransA(),
                      gemm.getTransB(), why);
  why = "not a compute op";
  return nullptr;
}

Expr epilogueExpr(ExprContext &ctx, Operation *op, std::string &why) {
  why.clear();
  Value bias;
  double alpha = 1, beta = 1;
  if (auto c = dyn_cast<tg::ConvOp>(op))
    bias = c.getBias();
  else if (auto c = dyn_cast<tg::ConvTransposeOp>(op))
    bias = c.getBias();
  else if (auto g = dyn_cast<tg::GemmOp>(op)) {
    bias = g.getC();
    alpha = g.getAlpha().convertToDouble();
    beta = g.getBeta().convertToDouble();
  }
  if (!bias && alpha == 1)
    return nullptr;
  if (bias && !isStaticF32(bias)) {
    why = "bias is not a static f32 tensor";
    return nullptr;
  }
  std::vector<int64_t> shape = shapeOf(op->getResult(0));
  std::vector<IterRange> loops;
  std::vector<Index> sub;
  for (size_t d = 0; d < shape.size(); ++d) {
    Iter it = ctx.iter("e" + std::to_string(d));
    loops.push_back({it, {0, shape[d]}});
    sub.push_back(ctx.idx(it));
  }
  Expr body = ctx.access(ctx.input("P", shape), sub);
  if (alpha != 1)
    body = ctx.binary(BinaryOp::Mul, ctx.constant(alpha), body);
  if (bias) {
    std::vector<int64_t> bshape = shapeOf(bias);
    std::vector<Index> bsub;
    if (isa<tg::GemmOp>(op)) {
      // numpy broadcast of C to the output: align right, size-1 dims read 0.
      if (bshape.size() > shape.size()) {
        why = "C has a higher rank than the output";
        return nullptr;
      }
      size_t off = shape.size() - bshape.size();
      for (size_t d = 0; d < bshape.size(); ++d) {
        if (bshape[d] != 1 && bshape[d] != shape[off + d]) {
          why = "C does not broadcast to the output";
          return nullptr;
        }
        bsub.push_back(bshape[d] == 1 ? ctx.cst(0) : sub[off + d]);
      }
    } else {
      if (bshape.size() != 1 || shape.size() < 2 || bshape[0] != shape[1]) {
        why = "bias is not one value per output channel";
        return nullptr;
      }
      bsub.push_back(sub[1]);
    }
    Expr b = ctx.access(ctx.input("Bias", bshape, isConstant(bias)), bsub);
    if (beta != 1)
      b = ctx.binary(BinaryOp::Mul, ctx.constant(beta), b);
    body = ctx.binary(BinaryOp::Add, body, b);
  }
  return ctx.scope(loops, {}, body);
}

} // namespace tdc
