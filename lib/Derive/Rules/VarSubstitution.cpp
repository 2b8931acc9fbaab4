//===- VarSubstitution.cpp - replacing iterators by affine combinations ---===//
//
// Merge, on a nested scope T read by the scope the rule looks at:
//
//   L<X> Sum<S> { .. T[.., p, .., q, ..] .. },
//   T = L<.., x, .., y, ..> Sum<Z> { .. A[.., a*x + b*y + c, ..] .. }
//     ->  L<X> Sum<S> { .. T'[.., a*p + b*q + c, .., q, ..] .. },
//   T' = L<.., t, .., y, ..> Sum<Z> { .. A[.., t, ..] .. }    (x := a*(t - b*y
//   - c))
//
// with a = +-1 (so x is integral), any number of other traversal iterators y
// of T and t ranging over the bounds of a*x + b*y + c on T's box. For
// in-range (p, q), T'[a*p + b*q + c, q] = T[p, q]; for out-of-range q both are
// zero; an out-of-range p could land inside t's range, so the rule requires
// the reader's p to stay inside x's range. A shape change of T cannot be
// expressed by rewriting T alone (T may be the program's result), hence the
// rule rewrites T's reader.
//
// Merges also apply to the traversal part of a subscript that adds
// summation iterators of T (h + 3*p + r merges h + 3*p, leaving t + r).
//
// Split, of an iterator i:lo:hi with (hi - lo) divisible by p:
//  - traversal iterator of a nested T, p a coefficient of T's subscripts:
//    T' = L<.., i_o:0:(hi-lo)/p, i_i:0:p, ..>
//    with i := p*i_o + i_i + lo, read as T'[.., (phi-lo)/p, (phi-lo)%p, ..];
//    out-of-range phi gives an out-of-range i_o, hence zero, like before.
//  - summation iterators of the scope itself, p in {2, 3, 4}, alone or all
//    of one extent at once: Sum<i> -> Sum<i_o, i_i>, a bijection of the
//    summation domain. An extent p does not divide is first grown (by at
//    most a quarter) over points where the body is zero, as boundary-relax
//    does, so a 5-tap kernel splits as 2x3.
//
// Not done: merging two summation iterators (the image of a box under
// (r, s) -> (r + s, s) is not a box).
//
//===----------------------------------------------------------------------===//
#include "ZeroSupport.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <map>
#include <optional>

namespace tdc::derive {

namespace {

using namespace rules;

/// One substitution t = a*x + sum(b*y) + c, x a traversal iterator of T.
struct Merge {
  Index sub;     // the subscript of T's body it comes from
  LinearForm lf; // its linear form
  Iter x;        // the iterator it eliminates (coefficient +-1)
};

int loopPos(Expr scope, Iter i) {
  for (size_t d = 0; d < scope->loops.size(); ++d)
    if (scope->loops[d].iter == i)
      return (int)d;
  return -1;
}

int64_t coefOf(const LinearForm &lf, Iter i) {
  for (auto &t : lf.terms)
    if (t.first == i)
      return t.second;
  return 0;
}

std::string subsText(const std::vector<Index> &subs) {
  std::string s;
  for (size_t d = 0; d < subs.size(); ++d)
    s += (d ? ", " : "") + print(subs[d]);
  return s;
}

/// The reader rewritten to read T through the merged T', or null if the
/// reader's subscripts may leave an eliminated iterator's range.
Expr applyMerges(ExprContext &ctx, Expr reader, Expr access,
                 const std::vector<Merge> &merges) {
  Expr T = access->source;
  RangeMap readerBox, tBox;
  if (!boxOf(reader, readerBox) || !boxOf(T, tBox))
    return nullptr;
  for (const Merge &m : merges) {
    int d = loopPos(T, m.x);
    if (!inDomain(access->subscripts[d], T->loops[d].range, readerBox))
      return nullptr;
  }
  std::unordered_map<Iter, Index> fresh;
  std::vector<IterRange> loops, sums;
  Expr body = freshCopy(ctx, T, fresh, loops, sums);
  std::unordered_map<Iter, Index> elim;
  std::vector<Index> subs = access->subscripts;
  for (const Merge &m : merges) {
    int d = loopPos(T, m.x);
    int64_t a = coefOf(m.lf, m.x);
    auto b = boundsOf(m.sub, tBox);
    std::string name;
    for (auto &t : m.lf.terms)
      name += (name.empty() ? "" : "_") + t.first->name;
    Iter t = ctx.iter(name);
    // x := a*(t - sum(b*y) - c), in T's fresh iterators.
    Index xv = ctx.add(ctx.mul(ctx.idx(t), a), -a * m.lf.constant);
    // Reader: a*p + sum(b*q) + c.
    Index rv = ctx.cst(m.lf.constant);
    for (auto &[y, coef] : m.lf.terms) {
      int dy = loopPos(T, y);
      rv = ctx.add(rv, ctx.mul(access->subscripts[dy], coef));
      if (y != m.x)
        xv = ctx.add(xv, ctx.mul(fresh[y], -a * coef));
    }
    elim[fresh[m.x]->iter] = xv;
    loops[d] = {t, {b->lo, b->hi + 1}};
    subs[d] = rv;
  }
  Expr tNew = ctx.scope(loops, sums, substitute(ctx, body, elim));
  return ctx.scope(
      reader->loops, reader->sums,
      replaceAll(ctx, reader->body, access, ctx.access(tNew, subs)));
}

/// Merge candidates in T's body: the part a*x + sum(b*y) + c of a subscript
/// over T's traversal iterators (at least two; the subscript may add
/// summation iterators of T, which the substitution leaves alone), x with
/// a = +-1.
std::vector<Merge> mergeCandidates(ExprContext &ctx, Expr T,
                                   const std::vector<Index> &subs) {
  std::vector<Merge> out;
  for (Index sub : subs) {
    LinearForm full, lf;
    if (!toLinear(sub, full))
      continue;
    lf.constant = full.constant;
    for (auto &t : full.terms)
      if (loopPos(T, t.first) >= 0)
        lf.terms.push_back(t);
    if (lf.terms.size() < 2)
      continue;
    Index part = lf.terms.size() == full.terms.size() ? sub : ctx.linear(lf);
    for (auto &t : lf.terms)
      if (t.second == 1 || t.second == -1)
        out.push_back({part, lf, t.first});
  }
  return out;
}

std::string mergeDetail(Expr access, const std::vector<Merge> &ms) {
  std::string s = "substitute ";
  for (size_t k = 0; k < ms.size(); ++k)
    s += (k ? ", " : "") + ms[k].x->name + " := t(" + print(ms[k].sub) + ")";
  return s + " in the nested scope read at [" + subsText(access->subscripts) +
         "]";
}

constexpr int64_t kFactors[] = {2, 3, 4};

/// Sum<s:lo:hi> -> Sum<s_o, s_i> with s := p*s_o + s_i + lo', for each
/// summation iterator in `dims`. An extent not divisible by p is first grown
/// to the next multiple over points where the body is zero (supportOf), as
/// boundary-relax would; otherwise the split is a bijection of the
/// summation domain.
std::optional<Rewrite> splitSums(ExprContext &ctx, Expr scope,
                                 const std::vector<size_t> &dims, int64_t p,
                                 const RangeMap *scopeBox) {
  // Grown ranges enter the box, so that each growth is checked on the scope
  // as the previous ones left it (as a sequence of boundary-relax steps).
  RangeMap grownBox;
  if (scopeBox)
    grownBox = *scopeBox;
  std::unordered_map<Iter, Index> map;
  std::vector<IterRange> sums;
  std::string detail = "split ";
  for (size_t d = 0; d < scope->sums.size(); ++d) {
    const IterRange &r = scope->sums[d];
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) {
      sums.push_back(r);
      continue;
    }
    int64_t e = r.range.size();
    if (p >= e)
      return std::nullopt;
    Range rg = r.range;
    if (e % p) {
      // Growing costs the zero terms' work: at most a quarter more.
      if (4 * ((e + p - 1) / p * p - e) > e)
        return std::nullopt;
      if (!scopeBox || !zeroSafe(scope->body))
        return std::nullopt;
      Support sup = supportOf(scope->body, r.iter, grownBox);
      int64_t extra = (e + p - 1) / p * p - e;
      if (rg.hi >= sup.hi || rg.hi + extra <= sup.lo)
        rg.hi += extra;
      else if (rg.lo <= sup.lo || rg.lo - extra >= sup.hi)
        rg.lo -= extra;
      else
        return std::nullopt;
      grownBox[r.iter] = rg;
    }
    Iter o = ctx.iter(r.iter->name + "_o"), i = ctx.iter(r.iter->name + "_i");
    map[r.iter] = ctx.add(ctx.add(ctx.mul(ctx.idx(o), p), ctx.idx(i)), rg.lo);
    sums.push_back({o, {0, rg.size() / p}});
    sums.push_back({i, {0, p}});
    detail += std::string(detail.size() > 6 ? ", " : "") + "Sum<" +
              r.iter->name + ":" + std::to_string(rg.lo) + ":" +
              std::to_string(rg.hi) + "> = " + std::to_string(p) + "*" +
              o->name + " + " + i->name;
  }
  return Rewrite{
      ctx.scope(scope->loops, sums, substitute(ctx, scope->body, map)), detail};
}

class VarSubstitutionRule : public Rule {
public:
  const char *name() const override { return "var-substitution"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    std::vector<Expr> reads;
    scopeReads(scope->body, reads);
    for (Expr access : reads) {
      Expr T = access->source;
      std::vector<Expr> accs;
      accessesOf(T->body, accs);
      // Single merges, over the distinct subscripts of T's body.
      std::vector<Index> allSubs;
      for (Expr a : accs)
        for (Index s : a->subscripts)
          if (std::find(allSubs.begin(), allSubs.end(), s) == allSubs.end())
            allSubs.push_back(s);
      for (const Merge &m : mergeCandidates(ctx, T, allSubs))
        if (Expr r = applyMerges(ctx, scope, access, {m}))
          out.push_back({r, mergeDetail(access, {m})});
      // Every mergeable subscript of one access at once (e.g. both spatial
      // dims of a convolution's input): eliminated iterators distinct and
      // not used by the other substitutions.
      for (Expr a : accs) {
        std::vector<Merge> set;
        std::vector<Iter> used;
        for (Index s : a->subscripts) {
          for (const Merge &m : mergeCandidates(ctx, T, {s})) {
            bool clash = false;
            for (auto &t : m.lf.terms)
              clash |=
                  std::find(used.begin(), used.end(), t.first) != used.end();
            for (const Merge &o : set)
              clash |= coefOf(m.lf, o.x) != 0 || coefOf(o.lf, m.x) != 0;
            if (clash)
              continue;
            set.push_back(m);
            for (auto &t : m.lf.terms)
              used.push_back(t.first);
            break;
          }
        }
        if (set.size() >= 2)
          if (Expr r = applyMerges(ctx, scope, access, set))
            out.push_back({r, mergeDetail(access, set)});
      }
      // Traversal splits of T, by the coefficients of T's subscripts: a
      // stride or dilation p is what a split by p can absorb (2*h + r reads
      // through h = 2*h_o + h_i ...); other factors only reshape T.
      std::vector<int64_t> factors;
      for (Index sub : allSubs) {
        LinearForm lf;
        if (toLinear(sub, lf))
          for (auto &t : lf.terms) {
            int64_t c = t.second < 0 ? -t.second : t.second;
            if (c > 1 &&
                std::find(factors.begin(), factors.end(), c) == factors.end())
              factors.push_back(c);
          }
      }
      std::sort(factors.begin(), factors.end());
      for (size_t d = 0; d < T->loops.size(); ++d)
        for (int64_t p : factors) {
          Range rg = T->loops[d].range;
          if (p >= rg.size() || rg.size() % p)
            continue;
          std::unordered_map<Iter, Index> fresh;
          std::vector<IterRange> loops, sums;
          Expr body = freshCopy(ctx, T, fresh, loops, sums);
          Iter x = fresh[T->loops[d].iter]->iter;
          Iter o = ctx.iter(x->name + "_o"), i = ctx.iter(x->name + "_i");
          Expr nb = substitute(
              ctx, body,
              {{x,
                ctx.add(ctx.add(ctx.mul(ctx.idx(o), p), ctx.idx(i)), rg.lo)}});
          loops[d] = {o, {0, rg.size() / p}};
          loops.insert(loops.begin() + d + 1, {i, {0, p}});
          Expr tNew = ctx.scope(loops, sums, nb);
          std::vector<Index> subs = access->subscripts;
          Index shifted = ctx.add(subs[d], -rg.lo);
          subs[d] = ctx.floorDiv(shifted, p);
          subs.insert(subs.begin() + d + 1, ctx.mod(shifted, p));
          out.push_back({ctx.scope(scope->loops, scope->sums,
                                   replaceAll(ctx, scope->body, access,
                                              ctx.access(tNew, subs))),
                         "split " + T->loops[d].iter->name + " = " +
                             std::to_string(p) + "*" + o->name + " + " +
                             i->name + " in the nested scope read at [" +
                             subsText(access->subscripts) + "]"});
        }
    }
    // Summation splits of the scope itself: each iterator alone, and every
    // group of iterators with the same extent at once (both taps of a
    // square kernel).
    RangeMap box;
    bool haveBox = boxOf(scope, box);
    for (int64_t p : kFactors) {
      std::map<int64_t, std::vector<size_t>> byExtent;
      for (size_t d = 0; d < scope->sums.size(); ++d) {
        if (auto rw = splitSums(ctx, scope, {d}, p, haveBox ? &box : nullptr))
          out.push_back(*rw);
        byExtent[scope->sums[d].range.size()].push_back(d);
      }
      for (auto &[extent, dims] : byExtent)
        if (dims.size() >= 2)
          if (auto rw =
                  splitSums(ctx, scope, dims, p, haveBox ? &box : nullptr))
            out.push_back(*rw);
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createVarSubstitutionRule() {
  return std::make_unique<VarSubstitutionRule>();
}

} // namespace tdc::derive
