/* Runs a model compiled by `tdc compile examples/mlp.onnx -o mlp.so`.
 * Prints the input signature and the 10 class probabilities for the input
 * x[i] = sin(i) (one value per line after the header). */
#include "mlp.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  float x[64], probs[10];
  for (int i = 0; i < 64; ++i)
    x[i] = sinf((float)i);
  const void *inputs[] = {x};
  void *outputs[] = {probs};
  printf("signature: %s\n", tdc_model_signature());
  if (tdc_model_run(inputs, outputs) != 0) {
    fprintf(stderr, "run failed\n");
    return 1;
  }
  float sum = 0;
  for (int i = 0; i < 10; ++i) {
    printf("%.6f\n", probs[i]);
    sum += probs[i];
  }
  printf("sum %.6f\n", sum);
  return fabsf(sum - 1.0f) < 1e-4f ? 0 : 1;
}
