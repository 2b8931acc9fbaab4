//===- Printer.cpp - expressions in the notation of the docs
//---------------===//
#include "tdc/Derive/Printer.h"

#include <map>
#include <sstream>

namespace tdc::derive {

namespace {

struct Printer {
  std::map<Iter, std::string> names;
  std::map<std::string, Iter> taken;

  const std::string &name(Iter i) {
    auto it = names.find(i);
    if (it != names.end())
      return it->second;
    std::string n = i->name.empty() ? "i" : i->name;
    if (taken.count(n))
      n += "_" + std::to_string(i->id);
    taken[n] = i;
    return names[i] = n;
  }

  std::string index(Index i) {
    LinearForm lf;
    if (toLinear(i, lf)) {
      std::string s;
      for (auto &[it, coef] : lf.terms) {
        if (coef < 0)
          s += "-";
        else if (!s.empty())
          s += "+";
        int64_t a = coef < 0 ? -coef : coef;
        if (a != 1)
          s += std::to_string(a) + "*";
        s += name(it);
      }
      if (lf.constant != 0 || s.empty()) {
        if (lf.constant < 0)
          s += "-" + std::to_string(-lf.constant);
        else
          s += (s.empty() ? "" : "+") + std::to_string(lf.constant);
      }
      return s;
    }
    switch (i->kind) {
    case IndexKind::Add:
      return index(i->lhs) + "+" + index(i->rhs);
    case IndexKind::Mul:
      return "(" + index(i->lhs) + ")*" + std::to_string(i->value);
    case IndexKind::FloorDiv:
      return "(" + index(i->lhs) + ")/" + std::to_string(i->value);
    case IndexKind::Mod:
      return "(" + index(i->lhs) + ")%" + std::to_string(i->value);
    default:
      return "?";
    }
  }

  static const char *fnName(UnaryFn f) {
    switch (f) {
    case UnaryFn::Neg:
      return "neg";
    case UnaryFn::Relu:
      return "relu";
    case UnaryFn::Exp:
      return "exp";
    case UnaryFn::Log:
      return "log";
    case UnaryFn::Sqrt:
      return "sqrt";
    case UnaryFn::Tanh:
      return "tanh";
    case UnaryFn::Sigmoid:
      return "sigmoid";
    case UnaryFn::Abs:
      return "abs";
    }
    return "?";
  }

  std::string ranges(const char *kw, const std::vector<IterRange> &rs) {
    std::string s = std::string(kw) + "<";
    for (size_t k = 0; k < rs.size(); ++k)
      s += (k ? ", " : "") + name(rs[k].iter) + ":" +
           std::to_string(rs[k].range.lo) + ":" +
           std::to_string(rs[k].range.hi);
    return s + ">";
  }

  std::string expr(Expr e) {
    std::ostringstream os;
    switch (e->kind) {
    case ExprKind::Const:
      os << e->constant;
      return os.str();
    case ExprKind::Input:
      return e->name;
    case ExprKind::Access: {
      std::string s = e->source->kind == ExprKind::Input
                          ? e->source->name
                          : "{" + expr(e->source) + "}";
      s += "[";
      for (size_t k = 0; k < e->subscripts.size(); ++k)
        s += (k ? ", " : "") + index(e->subscripts[k]);
      return s + "]";
    }
    case ExprKind::Unary:
      return std::string(fnName(e->unaryFn)) + "(" + expr(e->lhs) + ")";
    case ExprKind::Binary: {
      if (e->binaryOp == BinaryOp::Max || e->binaryOp == BinaryOp::Min)
        return std::string(e->binaryOp == BinaryOp::Max ? "max" : "min") + "(" +
               expr(e->lhs) + ", " + expr(e->rhs) + ")";
      const char *op = e->binaryOp == BinaryOp::Add   ? " + "
                       : e->binaryOp == BinaryOp::Sub ? " - "
                       : e->binaryOp == BinaryOp::Mul ? " * "
                                                      : " / ";
      return "(" + expr(e->lhs) + op + expr(e->rhs) + ")";
    }
    case ExprKind::Scope: {
      std::string s = ranges("L", e->loops);
      if (!e->sums.empty())
        s += " " + ranges("Sum", e->sums);
      std::string body = expr(e->body);
      // Drop the outermost parentheses of a binary body: { a * b }.
      if (body.size() > 1 && body.front() == '(' && body.back() == ')' &&
          e->body->kind == ExprKind::Binary &&
          e->body->binaryOp != BinaryOp::Max &&
          e->body->binaryOp != BinaryOp::Min)
        body = body.substr(1, body.size() - 2);
      return s + " { " + body + " }";
    }
    }
    return "?";
  }
};

} // namespace

std::string print(Expr e) { return Printer().expr(e); }
std::string print(Index i) { return Printer().index(i); }

} // namespace tdc::derive
