//===- IntermediateLayouts.cpp - lay out a program's intermediates
//---------===//
//
// A scope's result is stored with one dim per traversal iterator, in loop
// order; nothing outside the program sees a nested scope, so its order is
// free. The derived matmul of a ConvTranspose comes out of the search as
// [f, taps.., pixels..] x Sum<c>: stored that way its innermost dim belongs
// to the activation, and the scheduler's register tile (vector lanes along
// the output's innermost dim, B = the operand that carries it) reads the
// weight as A, one scalar per 16 KB row. Reordering the loops to [batch..,
// the other operand's.., the constant's..] makes the weight B, which
// PackContractions packs into panels at compile time. Readers of the scope
// read the permuted tensor with their subscripts permuted alike.
//
//===----------------------------------------------------------------------===//
#include "tdc/Conversion/DeriveToLinalg/DeriveToLinalg.h"
#include "tdc/Derive/Instantiate.h"

#include <algorithm>
#include <unordered_map>

using namespace tdc::derive;

namespace tdc {

namespace {

bool isConstantInput(Expr t) {
  return t->kind == ExprKind::Input && t->isConstant;
}

/// The loop order of a matmul-shaped scope with one constant operand that
/// makes the constant carry the innermost dims, or empty when the scope
/// keeps its order. Each role's iterators keep the order in which their
/// operand reads them, so that operands collapse without a copy.
std::vector<size_t> packedMatmulOrder(Expr s) {
  if (!matchMatmul(s))
    return {};
  Expr lhs = s->body->lhs, rhs = s->body->rhs;
  bool cl = isConstantInput(lhs->source), cr = isConstantInput(rhs->source);
  if (cl == cr)
    return {};
  Expr weight = cl ? lhs : rhs, other = cl ? rhs : lhs;
  int weightRole = cl ? 1 : 2;
  auto loopPos = [&](Index sub) -> int {
    LinearForm f;
    if (!toLinear(sub, f) || f.terms.size() != 1)
      return -1;
    for (size_t l = 0; l < s->loops.size(); ++l)
      if (s->loops[l].iter == f.terms[0].first)
        return (int)l;
    return -1;
  };
  std::vector<size_t> order;
  std::vector<bool> placed(s->loops.size(), false);
  auto place = [&](size_t l) {
    if (!placed[l]) {
      placed[l] = true;
      order.push_back(l);
    }
  };
  for (size_t l = 0; l < s->loops.size(); ++l)
    if (matmulRole(s, s->loops[l].iter) == 0)
      place(l);
  for (Expr a : {other, weight})
    for (Index sub : a->subscripts) {
      int l = loopPos(sub);
      if (l < 0)
        continue;
      int role = matmulRole(s, s->loops[l].iter);
      if (role == (a == weight ? weightRole : 3 - weightRole))
        place(l);
    }
  for (size_t l = 0; l < s->loops.size(); ++l)
    place(l); // size-1 or otherwise unplaced loops keep their place last
  for (size_t j = 0; j < order.size(); ++j)
    if (order[j] != j)
      return order;
  return {};
}

class Relayout {
public:
  explicit Relayout(ExprContext &ctx) : ctx(ctx) {}

  Expr scope(Expr s, bool root) {
    auto it = done.find(s);
    if (it != done.end())
      return it->second;
    Expr body = rebuild(s->body);
    Expr out = ctx.scope(s->loops, s->sums, body);
    if (!root) {
      std::vector<size_t> order = packedMatmulOrder(out);
      if (!order.empty()) {
        std::vector<IterRange> loops;
        for (size_t l : order)
          loops.push_back(out->loops[l]);
        out = ctx.scope(loops, out->sums, body);
        permOf[out] = order;
      }
    }
    done[s] = out;
    return out;
  }

private:
  ExprContext &ctx;
  std::unordered_map<Expr, Expr> done;
  // Stored dim j of a relaid scope holds the original dim perm[j].
  std::unordered_map<Expr, std::vector<size_t>> permOf;

  Expr rebuild(Expr e) {
    switch (e->kind) {
    case ExprKind::Access: {
      if (e->source->kind != ExprKind::Scope)
        return e;
      Expr src = scope(e->source, false);
      std::vector<Index> subs = e->subscripts;
      auto p = permOf.find(src);
      if (p != permOf.end())
        for (size_t j = 0; j < subs.size(); ++j)
          subs[j] = e->subscripts[p->second[j]];
      return ctx.access(src, subs);
    }
    case ExprKind::Unary:
      return ctx.unary(e->unaryFn, rebuild(e->lhs));
    case ExprKind::Binary:
      return ctx.binary(e->binaryOp, rebuild(e->lhs), rebuild(e->rhs));
    default:
      return e;
    }
  }
};

} // namespace

Expr layoutIntermediates(ExprContext &ctx, Expr program) {
  if (!program || program->kind != ExprKind::Scope)
    return program;
  return Relayout(ctx).scope(program, /*root=*/true);
}

} // namespace tdc
