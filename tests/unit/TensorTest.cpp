#include "tdc/Support/Tensor.h"

#include "llvm/Support/FileSystem.h"
#include <gtest/gtest.h>

#include <cmath>

using namespace tdc;

TEST(Tensor, NpyRoundTripEveryDType) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("tdc-unit", dir));
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::I8, DType::I32,
                  DType::I64, DType::U8, DType::Bool}) {
    Tensor x(t, {2, 3});
    for (int64_t i = 0; i < x.numElements(); ++i)
      x.setDouble(i, t == DType::Bool ? i % 2 : i - 2);
    std::string path = std::string(dir) + "/x.npy", err;
    ASSERT_TRUE(writeNpy(path, x, err)) << err;
    Tensor y;
    ASSERT_TRUE(readNpy(path, y, err)) << err;
    EXPECT_EQ(y.dtype, t) << dtypeName(t);
    EXPECT_EQ(y.shape, x.shape);
    EXPECT_EQ(y.data, x.data) << dtypeName(t);
  }
  // Scalars and 1-D shapes use numpy's tuple syntax.
  Tensor s(DType::F32, {});
  s.setDouble(0, 1.5);
  std::string path = std::string(dir) + "/s.npy", err;
  ASSERT_TRUE(writeNpy(path, s, err));
  Tensor r;
  ASSERT_TRUE(readNpy(path, r, err));
  EXPECT_TRUE(r.shape.empty());
  EXPECT_EQ(r.getDouble(0), 1.5);
  llvm::sys::fs::remove_directories(dir);
}

TEST(Tensor, ReadNpyRejectsGarbage) {
  std::string err;
  Tensor t;
  EXPECT_FALSE(readNpy("/nonexistent/file.npy", t, err));
  EXPECT_NE(err.find("cannot open"), std::string::npos);
}

TEST(Tensor, HalfConversion) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 0.33325195f})
    EXPECT_EQ(halfToFloat(floatToHalf(f)), f);
  EXPECT_TRUE(std::isinf(halfToFloat(floatToHalf(1e6f))));
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
  // Subnormal halves.
  EXPECT_FLOAT_EQ(halfToFloat(0x0001), 5.9604645e-08f);
}

TEST(Tensor, AllCloseUsesNumpyRule) {
  Tensor a(DType::F32, {3}), b(DType::F32, {3});
  for (int i = 0; i < 3; ++i) {
    a.setDouble(i, 100.0 + i);
    b.setDouble(i, 100.0 + i);
  }
  std::string msg;
  EXPECT_TRUE(allClose(a, b, 1e-3, 1e-7, msg));
  a.setDouble(1, 101.05); // within rtol 1e-3 * 101
  EXPECT_TRUE(allClose(a, b, 1e-3, 1e-7, msg));
  a.setDouble(1, 101.2);
  EXPECT_FALSE(allClose(a, b, 1e-3, 1e-7, msg));
  EXPECT_NE(msg.find("flat index 1"), std::string::npos);
  Tensor c(DType::F32, {1, 3});
  EXPECT_FALSE(allClose(c, b, 1e-3, 1e-7, msg));
  EXPECT_NE(msg.find("shape"), std::string::npos);
}

TEST(Tensor, CastFollowsOnnx) {
  Tensor f(DType::F32, {3});
  f.setDouble(0, -1.7);
  f.setDouble(1, 0.0);
  f.setDouble(2, 2.9);
  Tensor i = f.castTo(DType::I64);
  EXPECT_EQ(i.getInt(0), -1);
  EXPECT_EQ(i.getInt(2), 2);
  Tensor b = f.castTo(DType::Bool);
  EXPECT_EQ(b.getInt(0), 1);
  EXPECT_EQ(b.getInt(1), 0);
}
