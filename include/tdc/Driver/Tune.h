//===- Tune.h - the `tdc tune` command ---------------------------*- C++
//-*-===//
#ifndef TDC_DRIVER_TUNE_H
#define TDC_DRIVER_TUNE_H

#include "tdc/Driver/Compiler.h"

#include <string>

namespace tdc {

struct TuneOptions {
  /// How to compile the model (input, flags); output and records are the
  /// tuner's.
  CompileOptions compile;
  /// Records file to write (read first when it exists: tuning resumes).
  std::string records;
  /// The ops with the most multiply-adds (all ops of a signature together)
  /// that are tuned; the rest keep the analytic schedule.
  int maxOps = 4;
  /// Timed runs per candidate (the minimum is kept), and warm-up runs.
  int runs = 10, warmup = 2;
  /// Threads the library runs with (<= 0: its default).
  int threads = 0;
  /// A candidate must beat the best time by this fraction to be kept.
  double minGain = 0.03;
  bool json = false;
};

/// Measure schedule candidates of the model's heaviest ops on this machine
/// (coordinate descent over the knobs of ScheduleKnobs.h, the whole model
/// timed per candidate) and write the better ones to `records`. Returns
/// the process exit code.
int runTune(const TuneOptions &options);

} // namespace tdc

#endif
