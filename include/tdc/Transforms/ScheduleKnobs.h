//===- ScheduleKnobs.h - per-op schedule choices and records -----*- C++
//-*-===//
//
// The scheduler picks register and cache blocks by an analytic model.
// `tdc tune` measures other choices on the machine and records the better
// ones per op signature; `tdc compile --records` puts them back on the ops
// (a `tdc.schedule` attribute) for the scheduling passes to follow.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_SCHEDULEKNOBS_H
#define TDC_TRANSFORMS_SCHEDULEKNOBS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

#include <map>
#include <string>

namespace tdc {

/// Schedule choices of one op; 0 leaves the choice to the analytic model.
struct ScheduleKnobs {
  int64_t rows = 0;  // register block rows (m)
  int64_t kc = 0;    // cache block of the reduction dim
  int64_t nc = 0;    // cache block of the n dim (columns)
  int64_t tasks = 0; // parallel tasks to aim for

  bool empty() const { return !rows && !kc && !nc && !tasks; }
  bool operator==(const ScheduleKnobs &o) const {
    return rows == o.rows && kc == o.kc && nc == o.nc && tasks == o.tasks;
  }
};

/// Attribute carrying an op's knobs.
constexpr const char *kScheduleAttr = "tdc.schedule";

/// The knobs recorded on `op` (all 0 when none).
ScheduleKnobs scheduleKnobs(mlir::Operation *op);
void setScheduleKnobs(mlir::Operation *op, const ScheduleKnobs &knobs);

/// Whether the scheduler plans `op` with knobs (a static linalg op with a
/// reduction and two inputs: matmuls, packed matmuls, convolutions).
bool isTunable(mlir::linalg::LinalgOp op);
/// A signature of a tunable op: its name, loop ranges, iterator types,
/// indexing maps and element type. Ops with equal signatures get the same
/// schedule.
std::string scheduleKey(mlir::linalg::LinalgOp op);
/// Multiply-adds of one run of the op (the product of its loop ranges).
int64_t scheduleWork(mlir::linalg::LinalgOp op);

/// A records file: one JSON object per line, {"key": ..., "rows": N,
/// "kc": N, "nc": N, "tasks": N, ...} (other fields are kept for people).
struct ScheduleRecord {
  ScheduleKnobs knobs;
  /// For a derivation region ("derive <fingerprint>" keys): 1 replace the
  /// region by its derived program, 0 keep it, -1 leave it to the cost
  /// model.
  int derive = -1;
  double ms = 0, defaultMs = 0; // measured model times (tune)
};
using ScheduleRecords = std::map<std::string, ScheduleRecord>;

/// The records key of a derivation region with this expression fingerprint.
std::string deriveRecordKey(uint64_t fingerprint);

bool readScheduleRecords(const std::string &path, ScheduleRecords &out,
                         std::string &error);
bool writeScheduleRecords(const std::string &path,
                          const ScheduleRecords &records, std::string &error);

} // namespace tdc

#endif
