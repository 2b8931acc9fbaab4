//===- ConvLowering.cpp - tg Conv ops -> linalg ------------------------===//
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

void tdc::populateConvLoweringPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
