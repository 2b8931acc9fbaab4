/* Single-thread FP32 FMA peak probe for benchmarks/run.sh.
 *
 * Build: cc -O3 -march=native benchmarks/peak_flops.c -o peak_flops
 * Runs a loop of fused multiply-adds on NACC independent vector
 * accumulators (enough to hide FMA latency on both FMA ports), once with
 * 256-bit AVX2 FMA and, when the compiler targets AVX-512F, once with
 * 512-bit FMA. Each FMA lane counts as 2 FLOPs. Prints one line per ISA
 * ("avx2 GFLOP/s") and a final "peak X" line with the best of them.
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef NACC
#define NACC 12
#endif
#define ITERS 20000000L /* FMAs per accumulator per repetition */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile float sink;

#if defined(__AVX2__) && defined(__FMA__)
static double run_avx2(long iters) {
  __m256 a[NACC];
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < NACC; ++i)
    a[i] = _mm256_set1_ps((float)i);
  double t = now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < NACC; ++i)
      a[i] = _mm256_fmadd_ps(a[i], x, y);
  t = now() - t;
  __m256 s = a[0];
  for (int i = 1; i < NACC; ++i)
    s = _mm256_add_ps(s, a[i]);
  sink = _mm256_cvtss_f32(s);
  return 2.0 * 8 * NACC * (double)iters / t * 1e-9;
}
#endif

#if defined(__AVX512F__)
static double run_avx512(long iters) {
  __m512 a[NACC];
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < NACC; ++i)
    a[i] = _mm512_set1_ps((float)i);
  double t = now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < NACC; ++i)
      a[i] = _mm512_fmadd_ps(a[i], x, y);
  t = now() - t;
  __m512 s = a[0];
  for (int i = 1; i < NACC; ++i) /* use every accumulator: none is dead */
    s = _mm512_add_ps(s, a[i]);
  sink = _mm512_reduce_add_ps(s);
  return 2.0 * 16 * NACC * (double)iters / t * 1e-9;
}
#endif

static double best_of(double (*f)(long), long iters, int reps) {
  double best = 0;
  f(iters / 10); /* warm up: clocks, license transitions */
  for (int r = 0; r < reps; ++r) {
    double g = f(iters);
    if (g > best)
      best = g;
  }
  return best;
}

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : ITERS;
  double peak = 0;
#if defined(__AVX2__) && defined(__FMA__)
  double g2 = best_of(run_avx2, iters, 3);
  printf("avx2 %.1f\n", g2);
  if (g2 > peak)
    peak = g2;
#endif
#if defined(__AVX512F__)
  double g5 = best_of(run_avx512, iters, 3);
  printf("avx512 %.1f\n", g5);
  if (g5 > peak)
    peak = g5;
#endif
  if (peak == 0) {
    fprintf(stderr, "peak_flops: built without AVX2+FMA or AVX-512F\n");
    return 1;
  }
  printf("peak %.1f\n", peak);
  return 0;
}
