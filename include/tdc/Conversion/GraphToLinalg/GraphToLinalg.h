//===- GraphToLinalg.h - tg -> linalg lowering ------------------*- C++ -*-===//
//
// The populate functions of the convert-tg-to-linalg pass, one per op family.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_GRAPHTOLINALG_GRAPHTOLINALG_H
#define TDC_CONVERSION_GRAPHTOLINALG_GRAPHTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace tdc {

/// Patterns of each op family (one file each under
/// lib/Conversion/GraphToLinalg).
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateLinalgOpLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateConvLoweringPatterns(mlir::RewritePatternSet &patterns);
void populatePoolLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateReductionLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateShapeLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateTensorOpsLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace tdc

#endif
