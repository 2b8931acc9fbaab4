#include "tdc/Support/Signature.h"

#include <gtest/gtest.h>

using namespace tdc;

TEST(Signature, JsonRoundTrip) {
  ModelSignature s;
  s.inputs.push_back({"image \"0\"", DType::F32, {1, 3, 224, 224}});
  s.inputs.push_back({"mask", DType::Bool, {}});
  s.outputs.push_back({"logits", DType::I64, {1, 1000}});
  std::string json = s.toJson();
  EXPECT_EQ(json.find("{\"inputs\":[{\"name\":\"image \\\"0\\\"\",\"dtype\":"
                      "\"f32\",\"shape\":[1,3,224,224]}"),
            0u);
  ModelSignature r;
  ASSERT_TRUE(ModelSignature::fromJson(json, r));
  ASSERT_EQ(r.inputs.size(), 2u);
  EXPECT_EQ(r.inputs[0].name, "image \"0\"");
  EXPECT_EQ(r.inputs[1].dtype, DType::Bool);
  EXPECT_TRUE(r.inputs[1].shape.empty());
  EXPECT_EQ(r.outputs[0].shape, (std::vector<int64_t>{1, 1000}));
  EXPECT_FALSE(
      ModelSignature::fromJson("{\"inputs\":[{\"dtype\":\"q9\"}]}", r));
}
