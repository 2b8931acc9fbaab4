//===- TxOps.cpp - tx operations: verifiers and assembly ------------------===//
#include "tdc/Dialect/Tx/IR/TxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace tdc::tx;

//===----------------------------------------------------------------------===//
// Iterator domains: loops [n: 0:1, f: 0:4] sums [c: 0:3]
//===----------------------------------------------------------------------===//

static bool isBareIdentifier(StringRef s) {
  if (s.empty() || !(llvm::isAlpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.';
  });
}

static ParseResult parseRangeList(OpAsmParser &p, SmallVectorImpl<int64_t> &out,
                                  SmallVectorImpl<Attribute> &names) {
  return p.parseCommaSeparatedList(
      OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
        std::string name;
        StringRef kw;
        if (succeeded(p.parseOptionalKeyword(&kw)))
          name = kw.str();
        else if (p.parseString(&name))
          return failure();
        int64_t lo, hi;
        if (p.parseColon() || p.parseInteger(lo) || p.parseColon() ||
            p.parseInteger(hi))
          return failure();
        out.push_back(lo);
        out.push_back(hi);
        names.push_back(p.getBuilder().getStringAttr(name));
        return success();
      });
}

static ParseResult parseDomain(OpAsmParser &p, DenseI64ArrayAttr &loops,
                               DenseI64ArrayAttr &sums, ArrayAttr &names) {
  SmallVector<int64_t> l, s;
  SmallVector<Attribute> n;
  if (p.parseKeyword("loops") || parseRangeList(p, l, n))
    return failure();
  if (succeeded(p.parseOptionalKeyword("sums")) && parseRangeList(p, s, n))
    return failure();
  loops = p.getBuilder().getDenseI64ArrayAttr(l);
  sums = p.getBuilder().getDenseI64ArrayAttr(s);
  names = p.getBuilder().getArrayAttr(n);
  return success();
}

static void printRangeList(OpAsmPrinter &p, ArrayRef<int64_t> ranges,
                           ArrayAttr names, unsigned firstName) {
  p << "[";
  for (size_t k = 0; k * 2 < ranges.size(); ++k) {
    if (k)
      p << ", ";
    StringRef name = firstName + k < names.size()
                         ? cast<StringAttr>(names[firstName + k]).getValue()
                         : StringRef();
    if (isBareIdentifier(name))
      p << name;
    else
      p.printString(name);
    p << ": " << ranges[2 * k] << ":" << ranges[2 * k + 1];
  }
  p << "]";
}

static void printDomain(OpAsmPrinter &p, ScopeOp, DenseI64ArrayAttr loops,
                        DenseI64ArrayAttr sums, ArrayAttr names) {
  p << "loops ";
  printRangeList(p, loops.asArrayRef(), names, 0);
  if (!sums.empty()) {
    p << " sums ";
    printRangeList(p, sums.asArrayRef(), names, loops.size() / 2);
  }
}

#define GET_OP_CLASSES
#include "tdc/Dialect/Tx/IR/TxOps.cpp.inc"

//===----------------------------------------------------------------------===//
// tx.program
//===----------------------------------------------------------------------===//

ScopeOp ProgramOp::getRoot() {
  auto ret = dyn_cast<ReturnOp>(getBody().front().getTerminator());
  return ret ? ret.getValue().getDefiningOp<ScopeOp>() : ScopeOp();
}

LogicalResult ProgramOp::verify() {
  size_t n = getInputs().size();
  if (getNames().size() != n || getConstant().size() != (int64_t)n)
    return emitOpError("needs one name and one constant flag per input, got ")
           << getNames().size() << " names and " << getConstant().size()
           << " flags for " << n << " inputs";
  llvm::StringSet<> seen;
  for (Attribute a : getNames()) {
    StringRef s = cast<StringAttr>(a).getValue();
    if (s.empty() || !seen.insert(s).second)
      return emitOpError("input names must be non-empty and unique, got '")
             << s << "'";
  }
  Block &block = getBody().front();
  if (block.getNumArguments() != n)
    return emitOpError("body must have one argument per input");
  for (size_t i = 0; i < n; ++i)
    if (block.getArgument(i).getType() != getInputs()[i].getType())
      return emitOpError("body argument ")
             << i << " does not have the type of its input";
  for (Operation &op : block)
    if (!isa<ScopeOp, ReturnOp>(op))
      return op.emitOpError("is not allowed in a tx.program (only tx.scope "
                            "and tx.return)");
  auto ret = dyn_cast<ReturnOp>(block.getTerminator());
  if (!ret)
    return emitOpError("body must end in tx.return");
  if (ret.getValue().getType() != getResult().getType())
    return emitOpError("returns ")
           << ret.getValue().getType() << " but its result is "
           << getResult().getType();
  if (!ret.getValue().getDefiningOp<ScopeOp>())
    return emitOpError("must return the result of a tx.scope (the root)");
  return success();
}

void ProgramOp::getAsmBlockArgumentNames(Region &region,
                                         OpAsmSetValueNameFn setNameFn) {
  for (auto [arg, name] : llvm::zip(region.front().getArguments(), getNames()))
    setNameFn(arg, cast<StringAttr>(name).getValue());
}

//===----------------------------------------------------------------------===//
// tx.scope
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t> ScopeOp::getIteratorRange(unsigned k) {
  ArrayRef<int64_t> r = k < getNumLoops() ? getLoops() : getSums();
  unsigned i = k < getNumLoops() ? k : k - getNumLoops();
  return {r[2 * i], r[2 * i + 1]};
}

SmallVector<int64_t> ScopeOp::domainOrigin(Value tensor) {
  auto rank = cast<RankedTensorType>(tensor.getType()).getRank();
  SmallVector<int64_t> origin(rank, 0);
  if (auto scope = tensor.getDefiningOp<ScopeOp>())
    for (unsigned d = 0; d < scope.getNumLoops() && d < origin.size(); ++d)
      origin[d] = scope.getIteratorRange(d).first;
  return origin;
}

LogicalResult ScopeOp::verify() {
  if (getLoops().size() % 2 || getSums().size() % 2)
    return emitOpError("loops and sums are [lo, hi) pairs");
  if (getIteratorNames().size() != getNumIterators())
    return emitOpError("needs one name per iterator");
  for (unsigned k = 0; k < getNumIterators(); ++k) {
    auto [lo, hi] = getIteratorRange(k);
    if (hi < lo)
      return emitOpError("iterator ")
             << k << " has a negative range [" << lo << ", " << hi << ")";
  }
  auto type = cast<RankedTensorType>(getResult().getType());
  if (type.getRank() != getNumLoops())
    return emitOpError("result rank ")
           << type.getRank() << " differs from the " << getNumLoops()
           << " traversal iterators";
  for (unsigned d = 0; d < getNumLoops(); ++d) {
    auto [lo, hi] = getIteratorRange(d);
    if (type.getDimSize(d) != hi - lo)
      return emitOpError("result dim ")
             << d << " is " << type.getDimSize(d) << " but its range [" << lo
             << ", " << hi << ") has " << hi - lo << " elements";
  }
  if (!isa<FloatType>(type.getElementType()))
    return emitOpError("result element type must be a float");
  Block *parentBlock = (*this)->getBlock();
  for (Value s : getSources()) {
    auto arg = dyn_cast<BlockArgument>(s);
    bool ok = arg ? arg.getOwner() == parentBlock
                  : s.getDefiningOp<ScopeOp>() &&
                        s.getDefiningOp()->getBlock() == parentBlock;
    if (!ok)
      return emitOpError("reads a tensor that is neither an input of its "
                         "tx.program nor another tx.scope of it");
  }
  return success();
}

LogicalResult ScopeOp::verifyRegions() {
  Block &block = getBody().front();
  unsigned ni = getNumIterators();
  if (block.getNumArguments() != ni + getSources().size())
    return emitOpError("body must have ")
           << ni << " iterator arguments and one per operand";
  for (unsigned k = 0; k < ni; ++k)
    if (!block.getArgument(k).getType().isIndex())
      return emitOpError("iterator argument ") << k << " must be an index";
  for (auto [i, s] : llvm::enumerate(getSources()))
    if (getSourceArgument(i).getType() != s.getType())
      return emitOpError("body argument for operand ")
             << i << " does not have its type";
  Type elem = cast<RankedTensorType>(getResult().getType()).getElementType();
  for (Operation &op : block) {
    if (!isa<ReadOp, YieldOp, ReluOp, SigmoidOp, MaxOp, MinOp,
             arith::ConstantOp, arith::AddFOp, arith::SubFOp, arith::MulFOp,
             arith::DivFOp, arith::NegFOp, math::ExpOp, math::LogOp,
             math::SqrtOp, math::TanhOp, math::AbsFOp>(op))
      return op.emitOpError("is not allowed in a tx.scope body");
    for (Type t : op.getResultTypes())
      if (t != elem)
        return op.emitOpError("must produce ")
               << elem << ", the scope's element type";
    if (auto c = dyn_cast<arith::ConstantOp>(op);
        c && !isa<FloatAttr>(c.getValue()))
      return op.emitOpError("must be a float constant");
  }
  if (!isa<YieldOp>(block.getTerminator()))
    return emitOpError("body must end in tx.yield");
  return success();
}

void ScopeOp::getAsmBlockArgumentNames(Region &region,
                                       OpAsmSetValueNameFn setNameFn) {
  Block &block = region.front();
  for (auto [arg, name] :
       llvm::zip(block.getArguments().take_front(getNumIterators()),
                 getIteratorNames()))
    setNameFn(arg, cast<StringAttr>(name).getValue());
  auto program = (*this)->getParentOfType<ProgramOp>();
  for (auto [i, s] : llvm::enumerate(getSources())) {
    if (i + getNumIterators() >= block.getNumArguments())
      break;
    auto arg = dyn_cast<BlockArgument>(s);
    StringRef name = "t";
    if (arg && program && arg.getArgNumber() < program.getNames().size())
      name =
          cast<StringAttr>(program.getNames()[arg.getArgNumber()]).getValue();
    setNameFn(getSourceArgument(i), name);
  }
}

//===----------------------------------------------------------------------===//
// tx.read
//===----------------------------------------------------------------------===//

ParseResult ReadOp::parse(OpAsmParser &p, OperationState &result) {
  OpAsmParser::UnresolvedOperand source;
  SmallVector<OpAsmParser::UnresolvedOperand> indices;
  Attribute map;
  RankedTensorType type;
  if (p.parseOperand(source) ||
      p.parseAffineMapOfSSAIds(indices, map, "map", result.attributes) ||
      p.parseOptionalAttrDict(result.attributes) || p.parseColonType(type) ||
      p.resolveOperand(source, type, result.operands) ||
      p.resolveOperands(indices, p.getBuilder().getIndexType(),
                        result.operands))
    return failure();
  result.addTypes(type.getElementType());
  return success();
}

void ReadOp::print(OpAsmPrinter &p) {
  p << " " << getSource() << "[";
  p.printAffineMapOfSSAIds(getMapAttr(), getIndices());
  p << "]";
  p.printOptionalAttrDict((*this)->getAttrs(), {"map"});
  p << " : " << getSource().getType();
}

LogicalResult ReadOp::verify() {
  auto type = cast<RankedTensorType>(getSource().getType());
  AffineMap map = getMap();
  if (map.getNumSymbols() != 0 || map.getNumDims() != getIndices().size())
    return emitOpError("map must have one dim per index operand, no symbols");
  if (map.getNumResults() != type.getRank())
    return emitOpError("has ")
           << map.getNumResults() << " subscripts for a rank-" << type.getRank()
           << " tensor";
  if (getResult().getType() != type.getElementType())
    return emitOpError("result must be the source's element type");
  auto scope = (*this)->getParentOfType<ScopeOp>();
  Block *body = &scope.getBody().front();
  unsigned ni = scope.getNumIterators();
  auto src = dyn_cast<BlockArgument>(getSource());
  if (!src || src.getOwner() != body || src.getArgNumber() < ni)
    return emitOpError("must read a tensor argument of its tx.scope");
  for (Value i : getIndices()) {
    auto arg = dyn_cast<BlockArgument>(i);
    if (!arg || arg.getOwner() != body || arg.getArgNumber() >= ni)
      return emitOpError("subscripts must use only the iterators of its "
                         "tx.scope");
  }
  // Division and modulo by positive constants only (as derive::Expr).
  for (AffineExpr e : map.getResults()) {
    WalkResult w = e.walk([](AffineExpr s) {
      auto bin = dyn_cast<AffineBinaryOpExpr>(s);
      if (!bin || bin.getKind() == AffineExprKind::Add ||
          bin.getKind() == AffineExprKind::Mul)
        return WalkResult::advance();
      auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
      return c && c.getValue() > 0 ? WalkResult::advance()
                                   : WalkResult::interrupt();
    });
    if (w.wasInterrupted())
      return emitOpError("divides only by positive constants");
  }
  return success();
}
