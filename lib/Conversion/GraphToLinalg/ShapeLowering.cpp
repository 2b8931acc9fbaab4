//===- ShapeLowering.cpp - tg Shape ops -> linalg ------------------------===//
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

void tdc::populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
