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
// PackContractions packs into panels at compile time. Within the
// constant's dims, those every reader reads as one of its own traversal
// iterators (the output channel f) go last, so that such a reader (the
// overlap-add) can run along them. An eOperator that reads one tensor
// moves the traversal iterator its read has innermost to its own innermost
// dim, so that it reads and writes along the same contiguous dim. Readers
// of a relaid scope read it with their subscripts permuted alike.
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

/// Vector lanes worth running along: below this an innermost dim is not
/// moved.
constexpr int64_t kMinLanes = 8;

/// The loop order of a matmul-shaped scope with one constant operand that
/// makes the constant carry the innermost dims, or empty when the scope
/// keeps its order. The other operand's iterators keep the order in which
/// it reads them, so that it collapses without a copy; the constant's
/// (re-laid out at compile time) put the `bare` loops last.
std::vector<size_t> packedMatmulOrder(Expr s, const std::vector<bool> &bare) {
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
  auto placeRole = [&](Expr a, int role, int bareness) {
    for (Index sub : a->subscripts) {
      int l = loopPos(sub);
      if (l >= 0 && matmulRole(s, s->loops[l].iter) == role &&
          (bareness < 0 || bare[l] == (bool)bareness))
        place(l);
    }
  };
  placeRole(other, 3 - weightRole, -1);
  placeRole(weight, weightRole, 0);
  placeRole(weight, weightRole, 1);
  for (size_t l = 0; l < s->loops.size(); ++l)
    place(l); // size-1 or otherwise unplaced loops keep their place last
  for (size_t j = 0; j < order.size(); ++j)
    if (order[j] != j)
      return order;
  return {};
}

/// The loop order of an eOperator reading one tensor that puts the
/// traversal iterator read at the tensor's innermost dim last, or empty.
std::vector<size_t> innermostReadOrder(Expr s) {
  Expr a = s->body;
  if (a->kind != ExprKind::Access || a->subscripts.empty())
    return {};
  LinearForm f;
  if (!toLinear(a->subscripts.back(), f) || f.terms.size() != 1 ||
      f.terms[0].second != 1)
    return {};
  size_t n = s->loops.size();
  for (size_t l = 0; l + 1 < n; ++l)
    if (s->loops[l].iter == f.terms[0].first &&
        s->loops[l].range.size() >= kMinLanes) {
      std::vector<size_t> order;
      for (size_t k = 0; k < n; ++k)
        if (k != l)
          order.push_back(k);
      order.push_back(l);
      return order;
    }
  return {};
}

/// Per scope, per dim: whether every reader reads it as a bare traversal
/// iterator of its own (f in t[n, f, h - 2*p + 1, ...]).
class BareDims {
public:
  explicit BareDims(Expr program) { visitScope(program); }
  std::vector<bool> of(Expr s) const {
    auto it = bare.find(s);
    return it == bare.end() ? std::vector<bool>(s->loops.size(), false)
                            : it->second;
  }

private:
  std::unordered_map<Expr, std::vector<bool>> bare;
  std::unordered_map<Expr, bool> seen;

  void visitScope(Expr s) {
    if (seen[s])
      return;
    seen[s] = true;
    visit(s, s->body);
  }
  void visit(Expr reader, Expr e) {
    if (e->kind == ExprKind::Unary || e->kind == ExprKind::Binary) {
      visit(reader, e->lhs);
      if (e->rhs)
        visit(reader, e->rhs);
      return;
    }
    if (e->kind != ExprKind::Access || e->source->kind != ExprKind::Scope)
      return;
    Expr src = e->source;
    auto [it, fresh] =
        bare.emplace(src, std::vector<bool>(src->loops.size(), true));
    for (size_t d = 0; d < e->subscripts.size(); ++d) {
      LinearForm f;
      bool plain = toLinear(e->subscripts[d], f) && f.terms.size() == 1 &&
                   f.terms[0].second == 1 && f.constant == 0 &&
                   std::any_of(reader->loops.begin(), reader->loops.end(),
                               [&](const IterRange &r) {
                                 return r.iter == f.terms[0].first;
                               });
      it->second[d] = it->second[d] && plain;
    }
    visitScope(src);
  }
};

class Relayout {
public:
  Relayout(ExprContext &ctx, Expr program) : ctx(ctx), bareDims(program) {}

  Expr scope(Expr s, bool root) {
    auto it = done.find(s);
    if (it != done.end())
      return it->second;
    Expr body = rebuild(s->body);
    Expr out = ctx.scope(s->loops, s->sums, body);
    if (!root) {
      std::vector<size_t> order = packedMatmulOrder(out, bareDims.of(s));
      if (order.empty())
        order = innermostReadOrder(out);
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
  BareDims bareDims;
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
  return Relayout(ctx, program).scope(program, /*root=*/true);
}

} // namespace tdc
