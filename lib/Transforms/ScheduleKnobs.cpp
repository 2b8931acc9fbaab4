//===- ScheduleKnobs.cpp - per-op schedule choices and records ------------===//
#include "tdc/Transforms/ScheduleKnobs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <fstream>
#include <sstream>

using namespace mlir;

namespace tdc {

static const char *const kKnobNames[] = {"rows", "kc", "nc", "tasks"};

static int64_t *knobField(ScheduleKnobs &k, llvm::StringRef name) {
  if (name == "rows")
    return &k.rows;
  if (name == "kc")
    return &k.kc;
  if (name == "nc")
    return &k.nc;
  if (name == "tasks")
    return &k.tasks;
  return nullptr;
}

ScheduleKnobs scheduleKnobs(Operation *op) {
  ScheduleKnobs k;
  auto dict = op->getAttrOfType<DictionaryAttr>(kScheduleAttr);
  if (!dict)
    return k;
  for (NamedAttribute a : dict)
    if (auto i = dyn_cast<IntegerAttr>(a.getValue()))
      if (int64_t *f = knobField(k, a.getName().strref()))
        *f = i.getInt();
  return k;
}

void setScheduleKnobs(Operation *op, const ScheduleKnobs &knobs) {
  Builder b(op->getContext());
  SmallVector<NamedAttribute> attrs;
  ScheduleKnobs k = knobs;
  for (const char *name : kKnobNames)
    if (int64_t v = *knobField(k, name))
      attrs.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(v)));
  if (attrs.empty())
    op->removeAttr(kScheduleAttr);
  else
    op->setAttr(kScheduleAttr, b.getDictionaryAttr(attrs));
}

bool isTunable(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  return llvm::any_of(op.getIteratorTypesArray(), [](utils::IteratorType t) {
    return t == utils::IteratorType::reduction;
  });
}

std::string scheduleKey(linalg::LinalgOp op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << op->getName().getStringRef() << " [";
  llvm::interleave(op.getStaticLoopRanges(), os, "x");
  os << "] ";
  for (utils::IteratorType t : op.getIteratorTypesArray())
    os << (t == utils::IteratorType::reduction ? 'r' : 'p');
  for (AffineMap map : op.getIndexingMapsArray())
    os << " " << map;
  os << " " << getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  return s;
}

int64_t scheduleWork(linalg::LinalgOp op) {
  int64_t w = 1;
  for (int64_t r : op.getStaticLoopRanges())
    w *= r;
  return w;
}

std::string deriveRecordKey(uint64_t fingerprint) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "derive %016llx",
                (unsigned long long)fingerprint);
  return buf;
}

bool readScheduleRecords(const std::string &path, ScheduleRecords &out,
                         std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open the records file";
    return false;
  }
  std::string line;
  for (int lineNo = 1; std::getline(in, line); ++lineNo) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto where = [&] { return path + ":" + std::to_string(lineNo) + ": "; };
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(line);
    if (!v) {
      error = where() + "not JSON: " + llvm::toString(v.takeError());
      return false;
    }
    const llvm::json::Object *o = v->getAsObject();
    std::optional<llvm::StringRef> key = o ? o->getString("key") : std::nullopt;
    if (!key) {
      error = where() + "a record needs a \"key\" string";
      return false;
    }
    ScheduleRecord r;
    for (const char *name : kKnobNames)
      if (std::optional<int64_t> n = o->getInteger(name)) {
        if (*n < 0) {
          error = where() + "\"" + name + "\" must not be negative";
          return false;
        }
        *knobField(r.knobs, name) = *n;
      }
    if (std::optional<bool> d = o->getBoolean("derive"))
      r.derive = *d ? 1 : 0;
    r.ms = o->getNumber("ms").value_or(0);
    r.defaultMs = o->getNumber("default_ms").value_or(0);
    out[key->str()] = r;
  }
  return true;
}

bool writeScheduleRecords(const std::string &path,
                          const ScheduleRecords &records, std::string &error) {
  std::string text;
  for (const auto &[key, r] : records) {
    llvm::json::Object o{{"key", key}};
    ScheduleKnobs k = r.knobs;
    for (const char *name : kKnobNames)
      if (int64_t v = *knobField(k, name))
        o[name] = v;
    if (r.derive >= 0)
      o["derive"] = r.derive == 1;
    auto rounded = [](double ms) { return std::round(ms * 1e4) / 1e4; };
    if (r.ms > 0)
      o["ms"] = rounded(r.ms);
    if (r.defaultMs > 0)
      o["default_ms"] = rounded(r.defaultMs);
    std::string line;
    llvm::raw_string_ostream os(line);
    os << llvm::json::Value(std::move(o));
    text += line + "\n";
  }
  // Written whole or not at all: a temporary file renamed over the target.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) {
      error = path + ": cannot write the records file";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = path + ": cannot write the records file";
    return false;
  }
  return true;
}

} // namespace tdc
