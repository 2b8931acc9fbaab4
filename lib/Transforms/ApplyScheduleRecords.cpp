//===- ApplyScheduleRecords.cpp - tuned schedules back onto their ops -----===//
//
// `tdc tune` records measured schedule choices per op signature; this pass
// marks each op whose signature has a record with its knobs (the
// `tdc.schedule` attribute the scheduling passes follow), and can list the
// signatures of a module for the tuner.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"
#include "tdc/Transforms/ScheduleKnobs.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>

namespace tdc {
#define GEN_PASS_DEF_APPLYSCHEDULERECORDS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

struct ApplyScheduleRecords
    : tdc::impl::ApplyScheduleRecordsBase<ApplyScheduleRecords> {
  using Base::Base;

  void runOnOperation() override {
    tdc::ScheduleRecords records;
    std::string error;
    if (!recordsFile.empty() &&
        !tdc::readScheduleRecords(recordsFile, records, error)) {
      getOperation()->emitError(error);
      return signalPassFailure();
    }
    // Signature -> (multiply-adds per op, ops) for listKeys.
    std::map<std::string, std::pair<int64_t, int64_t>> keys;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!tdc::isTunable(op))
        return;
      std::string key = tdc::scheduleKey(op);
      auto &k = keys[key];
      k.first = tdc::scheduleWork(op);
      ++k.second;
      auto found = records.find(key);
      if (found != records.end())
        tdc::setScheduleKnobs(op, found->second.knobs);
    });
    if (listKeys.empty())
      return;
    std::ofstream out(listKeys, std::ios::trunc);
    for (const auto &[key, k] : keys) {
      std::string line;
      llvm::raw_string_ostream os(line);
      os << llvm::json::Value(llvm::json::Object{
          {"key", key}, {"work", k.first}, {"count", k.second}});
      out << line << "\n";
    }
    if (!out) {
      getOperation()->emitError(listKeys + ": cannot write");
      return signalPassFailure();
    }
  }
};

} // namespace
