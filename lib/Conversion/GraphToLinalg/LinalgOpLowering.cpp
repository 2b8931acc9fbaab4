//===- LinalgOpLowering.cpp - tg LinalgOp ops -> linalg ------------------------===//
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

void tdc::populateLinalgOpLoweringPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
