//===- Verify.h - run ONNX backend-test directories --------------*- C++
//-*-===//
#ifndef TDC_DRIVER_VERIFY_H
#define TDC_DRIVER_VERIFY_H

#include "tdc/Driver/Compiler.h"

#include <string>
#include <vector>

namespace tdc {

struct VerifyOptions {
  std::vector<std::string> dirs;
  unsigned jobs = 1;
  double rtol = 1e-3, atol = 1e-7;
  unsigned timeoutSeconds = 120;
  unsigned optLevel = 2;
  DeriveMode derive = DeriveMode::Guided;
  /// Re-check each applied derivation with the interpreter.
  bool verifyDerivation = false;
  /// Compare with recorded statuses; regressions fail, new passes are listed.
  std::string expectations;
  /// Record this run's statuses.
  std::string writeExpectations;
  bool json = false;
  bool quiet = false;
};

/// Verify every directory (model.onnx + test_data_set_*); each test runs in
/// its own process so that no test can take the runner down. Returns the
/// process exit code.
int runVerify(const VerifyOptions &options);

} // namespace tdc

#endif
