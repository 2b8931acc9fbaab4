//===- Derive.h - the `tdc derive` command -----------------------*- C++
//-*-===//
#ifndef TDC_DRIVER_DERIVE_H
#define TDC_DRIVER_DERIVE_H

#include <string>

namespace tdc {

struct DeriveOptions {
  std::string input;
  int depth = 4;
  double timeBudgetSeconds = 10; // per node
  bool explain = false;
  bool json = false;
  bool verify = true;
  /// The cost model's target (0: its defaults, Cost.h).
  double peakGflops = 0, bandwidthGBs = 0;
};

/// Search derivations for every compute node of a model and report them.
/// Returns the process exit code.
int runDerive(const DeriveOptions &options);

} // namespace tdc

#endif
