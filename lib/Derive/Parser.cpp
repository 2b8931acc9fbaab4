//===- Parser.cpp - reading expressions back from the docs notation -------===//
//
// Recursive descent, run twice: the first pass (in a scratch context) checks
// the text and records, for every linear subscript, the order in which its
// iterators appear; the second builds the expression in the caller's context
// with the iterators created in an order that agrees with the text (linear
// subscripts are kept sorted by iterator creation, so this is what makes
// print(parse(print(e))) reproduce the term order).
//
//===----------------------------------------------------------------------===//
#include "tdc/Derive/Parser.h"

#include <cctype>
#include <cstdlib>
#include <limits>
#include <set>
#include <unordered_map>

namespace tdc::derive {

namespace {

class Parser {
public:
  Parser(ExprContext &ctx, const std::string &text,
         const std::map<std::string, std::vector<int64_t>> &shapes,
         const std::vector<Iter> *preset)
      : ctx(ctx), text(text), shapes(shapes), preset(preset) {}

  Expr run() {
    skipWs();
    Expr e = parseScope();
    if (!e)
      return nullptr;
    skipWs();
    if (pos != text.size())
      return fail("expected the end of the text after the scope");
    return e;
  }

  std::string error;
  // Filled by a first pass: the name of every iterator binding in text
  // order, and pairs (a, b) of bindings whose iterators appear in this order
  // within one linear subscript.
  std::vector<std::string> bindingNames;
  std::set<std::pair<int, int>> orderEdges;

private:
  ExprContext &ctx;
  const std::string &text;
  const std::map<std::string, std::vector<int64_t>> &shapes;
  const std::vector<Iter> *preset; // iterator of each binding (second pass)
  size_t pos = 0;
  int nextBinding = 0;
  std::unordered_map<Iter, int> bindingOf;
  // Iterators bound by each enclosing scope, innermost last.
  std::vector<std::vector<std::pair<std::string, Iter>>> frames;
  // Bindings of the iterators read so far in the current linear chunk.
  std::vector<int> *chunkOrder = nullptr;
  std::map<std::string, Expr> nestedByText;

  std::nullptr_t fail(const std::string &msg) { return failAt(pos, msg); }
  std::nullptr_t failAt(size_t at, const std::string &msg) {
    if (error.empty())
      error = "column " + std::to_string(at + 1) + ": " + msg;
    return nullptr;
  }

  void skipWs() {
    while (pos < text.size() && std::isspace((unsigned char)text[pos]))
      ++pos;
  }
  char peek() {
    skipWs();
    return pos < text.size() ? text[pos] : '\0';
  }
  bool accept(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  bool expect(char c, const char *what) {
    if (accept(c))
      return true;
    fail(std::string("expected '") + c + "' " + what);
    return false;
  }
  static bool identStart(char c) {
    return std::isalpha((unsigned char)c) || c == '_';
  }
  static bool identChar(char c) {
    return std::isalnum((unsigned char)c) || c == '_';
  }
  /// The identifier at the cursor (after blanks), not consumed.
  std::string peekIdent() {
    skipWs();
    size_t e = pos;
    if (e < text.size() && identStart(text[e]))
      while (e < text.size() && identChar(text[e]))
        ++e;
    return text.substr(pos, e - pos);
  }
  std::string ident() {
    std::string s = peekIdent();
    pos += s.size();
    return s;
  }
  /// A character after the identifier at the cursor, blanks skipped.
  char afterIdent(size_t len) {
    size_t p = pos + len;
    while (p < text.size() && std::isspace((unsigned char)text[p]))
      ++p;
    return p < text.size() ? text[p] : '\0';
  }

  bool integer(int64_t &out) {
    skipWs();
    size_t start = pos;
    bool neg = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
      neg = text[pos] == '-';
      ++pos;
      skipWs();
    }
    if (pos >= text.size() || !std::isdigit((unsigned char)text[pos])) {
      pos = start;
      fail("expected an integer");
      return false;
    }
    int64_t v = 0;
    while (pos < text.size() && std::isdigit((unsigned char)text[pos])) {
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) {
        failAt(start, "integer out of range");
        return false;
      }
      v = v * 10 + (text[pos++] - '0');
    }
    out = neg ? -v : v;
    return true;
  }

  //===--------------------------------------------------------------------===//
  // Scopes
  //===--------------------------------------------------------------------===//

  bool iterList(std::vector<IterRange> &out) {
    if (!expect('<', "to open the iterator list"))
      return false;
    if (accept('>'))
      return true;
    do {
      size_t at = (skipWs(), pos);
      std::string name = ident();
      if (name.empty()) {
        fail("expected an iterator name");
        return false;
      }
      for (const auto &[n, it] : frames.back())
        if (n == name) {
          failAt(at, "iterator '" + name + "' is bound twice in this scope");
          return false;
        }
      int64_t lo, hi;
      if (!expect(':', "after the iterator name") || !integer(lo) ||
          !expect(':', "between the bounds") || !integer(hi))
        return false;
      if (hi < lo) {
        failAt(at, "iterator '" + name + "' has hi < lo");
        return false;
      }
      int k = nextBinding++;
      Iter it;
      if (preset) {
        it = (*preset)[k];
      } else {
        it = ctx.iter(name);
        bindingNames.push_back(name);
      }
      bindingOf[it] = k;
      frames.back().push_back({name, it});
      out.push_back({it, {lo, hi}});
    } while (accept(','));
    return expect('>', "to close the iterator list");
  }

  Expr parseScope() {
    if (peekIdent() != "L")
      return fail("expected a scope 'L<...> { ... }'");
    ident();
    frames.emplace_back();
    std::vector<IterRange> loops, sums;
    Expr body = nullptr;
    if (iterList(loops)) {
      bool ok = true;
      if (peekIdent() == "Sum") {
        ident();
        ok = iterList(sums);
      }
      if (ok && expect('{', "to open the scope body")) {
        body = parseScalar();
        if (body && !expect('}', "to close the scope body"))
          body = nullptr;
      }
    }
    frames.pop_back();
    if (!body)
      return nullptr;
    return ctx.scope(loops, sums, body);
  }

  //===--------------------------------------------------------------------===//
  // Scalars
  //===--------------------------------------------------------------------===//

  Expr parseScalar() {
    Expr lhs = parseTerm();
    while (lhs) {
      char c = peek();
      if (c != '+' && c != '-')
        break;
      ++pos;
      Expr rhs = parseTerm();
      if (!rhs)
        return nullptr;
      lhs = ctx.binary(c == '+' ? BinaryOp::Add : BinaryOp::Sub, lhs, rhs);
    }
    return lhs;
  }

  Expr parseTerm() {
    Expr lhs = parseUnary();
    while (lhs) {
      char c = peek();
      if (c != '*' && c != '/')
        break;
      ++pos;
      Expr rhs = parseUnary();
      if (!rhs)
        return nullptr;
      lhs = ctx.binary(c == '*' ? BinaryOp::Mul : BinaryOp::Div, lhs, rhs);
    }
    return lhs;
  }

  Expr parseUnary() {
    if (!accept('-'))
      return parsePrimary();
    Expr a = parseUnary();
    if (!a)
      return nullptr;
    // A negative literal is a constant: print() writes constants that way.
    if (a->kind == ExprKind::Const)
      return ctx.constant(-a->constant);
    return ctx.unary(UnaryFn::Neg, a);
  }

  Expr number() {
    size_t start = pos, p = pos;
    auto digits = [&] {
      size_t n = 0;
      while (p < text.size() && std::isdigit((unsigned char)text[p]))
        ++p, ++n;
      return n;
    };
    size_t n = digits();
    if (p < text.size() && text[p] == '.') {
      ++p;
      n += digits();
    }
    if (n == 0)
      return fail("expected a number");
    if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
      size_t q = p + 1;
      if (q < text.size() && (text[q] == '+' || text[q] == '-'))
        ++q;
      if (q < text.size() && std::isdigit((unsigned char)text[q])) {
        p = q;
        digits();
      }
    }
    std::string lit = text.substr(start, p - start);
    pos = p;
    if (pos < text.size() && identChar(text[pos]))
      return fail("unexpected character after the number");
    return ctx.constant(std::strtod(lit.c_str(), nullptr));
  }

  Expr parsePrimary() {
    char c = peek();
    size_t at = pos;
    if (std::isdigit((unsigned char)c) || c == '.')
      return number();
    if (c == '(') {
      ++pos;
      Expr e = parseScalar();
      if (e && !expect(')', "to close the parenthesis"))
        return nullptr;
      return e;
    }
    if (c == '{') {
      ++pos;
      Expr s = parseScope();
      if (!s || !expect('}', "to close the nested scope"))
        return nullptr;
      // A closed scope means the same wherever it is written: identical text
      // is one node, as print() writes a shared node each time it is read.
      Expr shared =
          nestedByText.emplace(text.substr(at, pos - at), s).first->second;
      return accessTo(shared, "the nested scope");
    }
    std::string name = peekIdent();
    if (name.empty())
      return fail(c ? std::string("unexpected '") + c + "'"
                    : "unexpected end of the text");
    char next = afterIdent(name.size());
    if (next == '[') {
      auto shape = shapes.find(name);
      if (shape == shapes.end())
        return fail("unknown tensor '" + name + "'");
      pos += name.size();
      return accessTo(ctx.input(name, shape->second), "'" + name + "'");
    }
    if (next == '(') {
      static const std::map<std::string, UnaryFn> unaries = {
          {"neg", UnaryFn::Neg},         {"relu", UnaryFn::Relu},
          {"exp", UnaryFn::Exp},         {"log", UnaryFn::Log},
          {"sqrt", UnaryFn::Sqrt},       {"tanh", UnaryFn::Tanh},
          {"sigmoid", UnaryFn::Sigmoid}, {"abs", UnaryFn::Abs}};
      bool isMax = name == "max", isMin = name == "min";
      auto fn = unaries.find(name);
      if (fn == unaries.end() && !isMax && !isMin)
        return fail("unknown function '" + name + "'");
      pos += name.size();
      accept('(');
      Expr a = parseScalar();
      if (!a)
        return nullptr;
      if (isMax || isMin) {
        if (!expect(',', "between the two arguments"))
          return nullptr;
        Expr b = parseScalar();
        if (!b || !expect(')', "after the arguments"))
          return nullptr;
        return ctx.binary(isMax ? BinaryOp::Max : BinaryOp::Min, a, b);
      }
      if (!expect(')', "after the argument"))
        return nullptr;
      return ctx.unary(fn->second, a);
    }
    if (name == "inf" || name == "nan") {
      pos += name.size();
      return ctx.constant(name == "inf"
                              ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN());
    }
    for (const auto &[n, it] : frames.back())
      if (n == name)
        return fail("iterator '" + name +
                    "' used as a value; iterators appear only in subscripts");
    return fail("expected '[' after '" + name + "'");
  }

  Expr accessTo(Expr source, const std::string &what) {
    size_t at = (skipWs(), pos);
    if (!expect('[', ("to read " + what).c_str()))
      return nullptr;
    std::vector<Index> subs;
    if (!accept(']')) {
      do {
        Index i = parseIndex();
        if (!i)
          return nullptr;
        subs.push_back(i);
      } while (accept(','));
      if (!expect(']', "to close the subscripts"))
        return nullptr;
    }
    size_t rank = source->tensorShape().size();
    if (subs.size() != rank)
      return failAt(at, what + " has rank " + std::to_string(rank) +
                            " but is read with " + std::to_string(subs.size()) +
                            " subscripts");
    return ctx.access(source, subs);
  }

  //===--------------------------------------------------------------------===//
  // Subscripts
  //===--------------------------------------------------------------------===//

  /// A sum of terms. print() writes a linear subscript as one run of signed
  /// terms ("2*h+r-1") and a non-linear Add as lhs "+" rhs, so a "+-" or a
  /// non-linear term starts a new operand of an Add.
  Index parseIndex() {
    Index acc = nullptr;
    LinearForm pending;
    bool hasPending = false;
    std::vector<int> order;
    std::vector<int> *savedOrder = chunkOrder;
    auto flush = [&] {
      if (!hasPending)
        return;
      for (size_t k = 1; k < order.size(); ++k)
        if (order[k - 1] != order[k])
          orderEdges.insert({order[k - 1], order[k]});
      order.clear();
      Index l = ctx.linear(pending);
      acc = acc ? ctx.add(acc, l) : l;
      pending = LinearForm();
      hasPending = false;
    };
    for (bool first = true;; first = false) {
      int64_t sign = 1;
      bool boundary = false;
      if (first) {
        if (accept('-'))
          sign = -1;
      } else if (accept('+')) {
        if (accept('-')) {
          sign = -1;
          boundary = true;
        }
      } else if (accept('-')) {
        sign = -1;
      } else {
        break;
      }
      std::vector<int> termOrder;
      chunkOrder = &termOrder;
      Index t = parseProduct();
      chunkOrder = savedOrder;
      if (!t)
        return nullptr;
      if (sign < 0)
        t = ctx.mul(t, -1);
      LinearForm lf;
      if (toLinear(t, lf)) {
        if (boundary)
          flush();
        pending.terms.insert(pending.terms.end(), lf.terms.begin(),
                             lf.terms.end());
        pending.constant += lf.constant;
        order.insert(order.end(), termOrder.begin(), termOrder.end());
        hasPending = true;
      } else {
        flush();
        acc = acc ? ctx.add(acc, t) : t;
      }
    }
    flush();
    return acc;
  }

  Index parseProduct() {
    Index lhs = parseFactor();
    while (lhs) {
      char c = peek();
      size_t at = pos;
      if (c == '*') {
        ++pos;
        Index rhs = parseFactor();
        if (!rhs)
          return nullptr;
        if (rhs->kind == IndexKind::Const)
          lhs = ctx.mul(lhs, rhs->value);
        else if (lhs->kind == IndexKind::Const)
          lhs = ctx.mul(rhs, lhs->value);
        else
          return failAt(at, "subscripts are affine: one side of '*' must "
                            "be an integer");
      } else if (c == '/' || c == '%') {
        ++pos;
        int64_t v;
        if (!integer(v))
          return nullptr;
        if (v == 0)
          return failAt(at, c == '/' ? "division by zero" : "modulo by zero");
        lhs = c == '/' ? ctx.floorDiv(lhs, v) : ctx.mod(lhs, v);
      } else {
        break;
      }
    }
    return lhs;
  }

  Index parseFactor() {
    char c = peek();
    if (c == '(') {
      ++pos;
      Index i = parseIndex();
      if (i && !expect(')', "to close the parenthesis"))
        return nullptr;
      return i;
    }
    if (std::isdigit((unsigned char)c) || c == '-') {
      int64_t v;
      if (!integer(v))
        return nullptr;
      return ctx.cst(v);
    }
    std::string name = peekIdent();
    if (name.empty())
      return fail(c ? std::string("unexpected '") + c + "' in a subscript"
                    : "unexpected end of the text in a subscript");
    for (const auto &[n, it] : frames.back())
      if (n == name) {
        pos += name.size();
        if (chunkOrder)
          chunkOrder->push_back(bindingOf[it]);
        return ctx.idx(it);
      }
    return fail("unknown iterator '" + name +
                "' (not bound by the enclosing scope)");
  }
};

} // namespace

Expr parse(ExprContext &ctx, const std::string &text,
           const std::map<std::string, std::vector<int64_t>> &inputShapes,
           std::string &error) {
  error.clear();
  ExprContext scratch;
  Parser first(scratch, text, inputShapes, nullptr);
  if (!first.run()) {
    error = first.error;
    return nullptr;
  }
  // Create the iterators in an order the subscripts agree with (Kahn's
  // algorithm, earliest binding first; a cycle, possible only in hand-written
  // text, is broken at the earliest binding left).
  size_t n = first.bindingNames.size();
  std::vector<std::vector<int>> succ(n);
  std::vector<int> indegree(n, 0);
  for (auto [a, b] : first.orderEdges) {
    succ[a].push_back(b);
    ++indegree[b];
  }
  std::vector<Iter> iters(n, nullptr);
  std::set<int> ready;
  for (size_t k = 0; k < n; ++k)
    if (indegree[k] == 0)
      ready.insert((int)k);
  for (size_t done = 0; done < n; ++done) {
    int k;
    if (!ready.empty()) {
      k = *ready.begin();
      ready.erase(ready.begin());
    } else {
      k = 0;
      while (iters[k])
        ++k;
    }
    iters[k] = ctx.iter(first.bindingNames[k]);
    for (int s : succ[k])
      if (!iters[s] && --indegree[s] == 0)
        ready.insert(s);
  }
  Parser second(ctx, text, inputShapes, &iters);
  Expr e = second.run();
  if (!e)
    error =
        second.error.empty() ? "column 1: internal parser error" : second.error;
  return e;
}

} // namespace tdc::derive
