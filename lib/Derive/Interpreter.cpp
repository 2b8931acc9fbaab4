//===- Interpreter.cpp - reference evaluation of expressions
//---------------===//
#include "tdc/Derive/Interpreter.h"

#include <cmath>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

namespace tdc::derive {

namespace {

using Env = std::vector<std::pair<Iter, int64_t>>;

int64_t lookup(const Env &env, Iter i) {
  for (auto it = env.rbegin(); it != env.rend(); ++it)
    if (it->first == i)
      return it->second;
  return 0; // unreachable for verified expressions
}

int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t evalIndex(Index i, const Env &env) {
  switch (i->kind) {
  case IndexKind::Iter:
    return lookup(env, i->iter);
  case IndexKind::Const:
    return i->value;
  case IndexKind::Add:
    return evalIndex(i->lhs, env) + evalIndex(i->rhs, env);
  case IndexKind::Mul:
    return evalIndex(i->lhs, env) * i->value;
  case IndexKind::FloorDiv:
    return floorDivInt(evalIndex(i->lhs, env), i->value);
  case IndexKind::Mod: {
    int64_t a = evalIndex(i->lhs, env);
    return a - i->value * floorDivInt(a, i->value);
  }
  }
  return 0;
}

} // namespace

struct Interpreter::Impl {
  std::map<std::string, TensorValue> inputs;
  std::unordered_map<Expr, std::unordered_map<int64_t, double>> cache;
  std::unordered_map<Expr, const TensorValue *> inputByNode;

  double scalar(Expr e, Env &env) {
    switch (e->kind) {
    case ExprKind::Const:
      return e->constant;
    case ExprKind::Access: {
      // A point on the stack: this runs once per term of every sum.
      Expr src = e->source;
      size_t rank = e->subscripts.size();
      int64_t small[8];
      std::vector<int64_t> big(rank > 8 ? rank : 0);
      int64_t *point = rank > 8 ? big.data() : small;
      for (size_t d = 0; d < rank; ++d) {
        int64_t v = evalIndex(e->subscripts[d], env);
        Range r = src->domain(d);
        if (v < r.lo || v >= r.hi)
          return 0.0; // out of range reads are zero (padding)
        point[d] = v - r.lo;
      }
      return element(src, point, rank);
    }
    case ExprKind::Unary: {
      double x = scalar(e->lhs, env);
      switch (e->unaryFn) {
      case UnaryFn::Neg:
        return -x;
      case UnaryFn::Relu:
        return x > 0 ? x : 0;
      case UnaryFn::Exp:
        return std::exp(x);
      case UnaryFn::Log:
        return std::log(x);
      case UnaryFn::Sqrt:
        return std::sqrt(x);
      case UnaryFn::Tanh:
        return std::tanh(x);
      case UnaryFn::Sigmoid:
        return 1 / (1 + std::exp(-x));
      case UnaryFn::Abs:
        return std::fabs(x);
      }
      return x;
    }
    case ExprKind::Binary: {
      double a = scalar(e->lhs, env), b = scalar(e->rhs, env);
      switch (e->binaryOp) {
      case BinaryOp::Add:
        return a + b;
      case BinaryOp::Sub:
        return a - b;
      case BinaryOp::Mul:
        return a * b;
      case BinaryOp::Div:
        return a / b;
      case BinaryOp::Max:
        return a > b ? a : b;
      case BinaryOp::Min:
        return a < b ? a : b;
      }
      return 0;
    }
    case ExprKind::Scope:
    case ExprKind::Input:
      return 0; // tensors are read through Access
    }
    return 0;
  }

  double element(Expr t, const int64_t *point, size_t rank) {
    if (t->kind == ExprKind::Input) {
      auto in = inputByNode.find(t);
      if (in == inputByNode.end())
        in = inputByNode.emplace(t, &inputs.at(t->name)).first;
      const TensorValue &v = *in->second;
      int64_t flat = 0;
      for (size_t d = 0; d < rank; ++d)
        flat = flat * v.shape[d] + point[d];
      return v.data[flat];
    }
    int64_t flat = 0;
    for (size_t d = 0; d < rank; ++d)
      flat = flat * t->loops[d].range.size() + point[d];
    auto &c = cache[t];
    auto it = c.find(flat);
    if (it != c.end())
      return it->second;
    Env env;
    for (size_t d = 0; d < rank; ++d)
      env.push_back({t->loops[d].iter, t->loops[d].range.lo + point[d]});
    double sum = 0;
    size_t base = env.size();
    for (const IterRange &s : t->sums)
      env.push_back({s.iter, s.range.lo});
    bool empty = false;
    for (const IterRange &s : t->sums)
      empty |= s.range.size() <= 0;
    if (!empty) {
      for (;;) {
        sum += scalar(t->body, env);
        // Odometer over the summation iterators.
        size_t k = t->sums.size();
        while (k > 0) {
          --k;
          if (++env[base + k].second < t->sums[k].range.hi)
            break;
          env[base + k].second = t->sums[k].range.lo;
          if (k == 0) {
            k = SIZE_MAX;
            break;
          }
        }
        if (k == SIZE_MAX || t->sums.empty())
          break;
      }
    }
    c[flat] = sum;
    return sum;
  }
};

Interpreter::Interpreter(std::map<std::string, TensorValue> inputs)
    : impl(new Impl{std::move(inputs), {}, {}}) {}
Interpreter::~Interpreter() { delete impl; }

double Interpreter::element(Expr tensor, const std::vector<int64_t> &point) {
  return impl->element(tensor, point.data(), point.size());
}

TensorValue Interpreter::evaluate(Expr tensor) {
  TensorValue out;
  out.shape = tensor->tensorShape();
  int64_t n = 1;
  for (int64_t d : out.shape)
    n *= d;
  out.data.resize(n);
  std::vector<int64_t> point(out.shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat;
    for (size_t d = out.shape.size(); d-- > 0;) {
      point[d] = rem % out.shape[d];
      rem /= out.shape[d];
    }
    out.data[flat] = impl->element(tensor, point.data(), point.size());
  }
  return out;
}

static void inputsImpl(Expr e, std::vector<Expr> &out, std::set<Expr> &seen) {
  if (!e || !seen.insert(e).second)
    return;
  if (e->kind == ExprKind::Input) {
    out.push_back(e);
    return;
  }
  inputsImpl(e->source, out, seen);
  inputsImpl(e->lhs, out, seen);
  inputsImpl(e->rhs, out, seen);
  inputsImpl(e->body, out, seen);
}

std::vector<Expr> inputsOf(Expr e) {
  std::vector<Expr> out;
  std::set<Expr> seen;
  inputsImpl(e, out, seen);
  return out;
}

std::map<std::string, TensorValue> randomInputs(Expr e, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::map<std::string, TensorValue> out;
  for (Expr in : inputsOf(e)) {
    if (out.count(in->name))
      continue;
    TensorValue v;
    v.shape = in->shape;
    int64_t n = 1;
    for (int64_t d : v.shape)
      n *= d;
    v.data.resize(n);
    for (auto &x : v.data)
      x = u(rng);
    out[in->name] = std::move(v);
  }
  return out;
}

std::string compareExprs(Expr a, Expr b, uint64_t seed, size_t maxPoints,
                         double rtol, double atol) {
  std::vector<int64_t> sa = a->tensorShape(), sb = b->tensorShape();
  if (sa != sb)
    return "shapes differ";
  auto inputs = randomInputs(a, seed);
  for (auto &[k, v] : randomInputs(b, seed ^ 0x5bd1e995))
    inputs.emplace(k, v);
  Interpreter ia(inputs), ib(inputs);
  int64_t n = 1;
  for (int64_t d : sa)
    n *= d;
  std::mt19937_64 rng(seed + 1);
  size_t count = (size_t)n <= maxPoints ? (size_t)n : maxPoints;
  std::vector<int64_t> point(sa.size());
  for (size_t k = 0; k < count; ++k) {
    int64_t flat =
        (size_t)n <= maxPoints ? (int64_t)k : (int64_t)(rng() % (uint64_t)n);
    int64_t rem = flat;
    for (size_t d = sa.size(); d-- > 0;) {
      point[d] = rem % sa[d];
      rem /= sa[d];
    }
    double x = ia.element(a, point), y = ib.element(b, point);
    if (!(std::fabs(x - y) <= atol + rtol * std::fabs(y))) {
      std::ostringstream os;
      os << "differ at flat index " << flat << ": " << x << " vs " << y;
      return os.str();
    }
  }
  return "";
}

} // namespace tdc::derive
