//===- Fusion.h - fusing chains of eOperators --------------------*- C++
//-*-===//
//
// A derived program often ends in a chain of memory-bound scopes (layout
// copies feeding a reduction over blocks, ...). Each would be a separate loop
// nest writing a tensor the next one reads. Fusion inlines an eOperator into
// the eOperator that reads it (traversal-merge) whenever the cost model says
// the program gets no slower, until no such pair is left.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_FUSION_H
#define TDC_DERIVE_FUSION_H

#include "tdc/Derive/Cost.h"
#include "tdc/Derive/Search.h"

namespace tdc::derive {

/// `program` with eOperator chains fused; each fusion is appended to
/// `steps` (rule "eop-fusion").
Expr fuseEOperators(ExprContext &ctx, Expr program, const CostModel &cost,
                    std::vector<Step> &steps);

} // namespace tdc::derive

#endif
