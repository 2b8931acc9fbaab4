/* FP32 FMA peak probe for benchmarks/run.sh.
 *
 * Build: cc -O3 -march=native -pthread benchmarks/peak_flops.c -o peak_flops
 * Usage: peak_flops [THREADS ...]   (default: 1)
 *
 * Runs a loop of fused multiply-adds on NACC independent vector
 * accumulators (enough to hide the FMA latency on two FMA ports) with
 * 256-bit AVX2 FMA and, when the compiler targets AVX-512F, with 512-bit
 * FMA. Each FMA lane counts as 2 FLOPs. For each thread count T, T threads
 * run the loop at once (started together behind a barrier). Two rates:
 *   wall: the total work over the wall time until the slowest thread ends,
 *         what T threads got on this machine as it was;
 *   cpu:  the sum over threads of work / that thread's CPU time, the rate of
 *         the cores while they ran, which other processes competing for the
 *         cores lower much less (they lower wall, not cpu).
 * Every figure is the best of TRIALS trials after a warm-up (clock ramp-up,
 * AVX-512 license transition). Output, one line each:
 *   avx2 T WALL CPU
 *   avx512 T WALL CPU
 *   peak T WALL CPU   (the best ISA for T threads)
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef NACC
#define NACC 12
#endif
#ifndef ITERS
#define ITERS 10000000L /* FMAs per accumulator per trial (~0.05 s) */
#endif
#define TRIALS 7
#define MAX_THREADS 256

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static volatile float sink;

/* Each kernel returns the FLOPs it did. */
#if defined(__AVX2__) && defined(__FMA__)
static double fma_avx2(long iters) {
  __m256 a[NACC];
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < NACC; ++i)
    a[i] = _mm256_set1_ps((float)i);
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < NACC; ++i)
      a[i] = _mm256_fmadd_ps(a[i], x, y);
  __m256 s = a[0];
  for (int i = 1; i < NACC; ++i) /* use every accumulator: none is dead */
    s = _mm256_add_ps(s, a[i]);
  sink = _mm256_cvtss_f32(s);
  return 2.0 * 8 * NACC * (double)iters;
}
#endif

#if defined(__AVX512F__)
static double fma_avx512(long iters) {
  __m512 a[NACC];
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < NACC; ++i)
    a[i] = _mm512_set1_ps((float)i);
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < NACC; ++i)
      a[i] = _mm512_fmadd_ps(a[i], x, y);
  __m512 s = a[0];
  for (int i = 1; i < NACC; ++i)
    s = _mm512_add_ps(s, a[i]);
  sink = _mm512_reduce_add_ps(s);
  return 2.0 * 16 * NACC * (double)iters;
}
#endif

typedef double (*kernel_fn)(long);

struct job {
  kernel_fn f;
  long iters;
  pthread_barrier_t *start;
  double flops, cpu_s;
};

static void do_job(struct job *j) {
  double c = cpu_now();
  j->flops = j->f(j->iters);
  j->cpu_s = cpu_now() - c;
}

static void *worker(void *p) {
  struct job *j = p;
  pthread_barrier_wait(j->start);
  do_job(j);
  return NULL;
}

struct rate {
  double wall, cpu; /* GFLOP/s */
};

/* Rates of `threads` threads running f at once; the calling thread is one
 * of them, so threads == 1 creates none. */
static struct rate run(kernel_fn f, long iters, int threads) {
  pthread_t tid[MAX_THREADS];
  struct job jobs[MAX_THREADS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, threads);
  for (int t = 0; t < threads; ++t)
    jobs[t] = (struct job){f, iters, &start, 0, 0};
  for (int t = 1; t < threads; ++t)
    if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0) {
      perror("peak_flops: pthread_create");
      exit(1);
    }
  pthread_barrier_wait(&start);
  double t0 = now();
  do_job(&jobs[0]);
  for (int t = 1; t < threads; ++t)
    pthread_join(tid[t], NULL);
  double dt = now() - t0;
  pthread_barrier_destroy(&start);
  struct rate r = {0, 0};
  for (int t = 0; t < threads; ++t) {
    r.wall += jobs[t].flops / dt * 1e-9;
    r.cpu += jobs[t].flops / jobs[t].cpu_s * 1e-9;
  }
  return r;
}

static struct rate best_of(kernel_fn f, int threads) {
  run(f, ITERS / 4, threads); /* warm up */
  struct rate best = {0, 0};
  for (int r = 0; r < TRIALS; ++r) {
    struct rate g = run(f, ITERS, threads);
    best.wall = g.wall > best.wall ? g.wall : best.wall;
    best.cpu = g.cpu > best.cpu ? g.cpu : best.cpu;
  }
  return best;
}

static void report(const char *isa, int threads, struct rate r,
                   struct rate *peak) {
  printf("%s %d %.1f %.1f\n", isa, threads, r.wall, r.cpu);
  peak->wall = r.wall > peak->wall ? r.wall : peak->wall;
  peak->cpu = r.cpu > peak->cpu ? r.cpu : peak->cpu;
}

int main(int argc, char **argv) {
  int counts[64], n = 0;
  for (int i = 1; i < argc && n < 64; ++i) {
    counts[n] = atoi(argv[i]);
    if (counts[n] < 1 || counts[n] > MAX_THREADS) {
      fprintf(stderr, "peak_flops: bad thread count '%s'\n", argv[i]);
      return 2;
    }
    ++n;
  }
  if (n == 0)
    counts[n++] = 1;
  for (int i = 0; i < n; ++i) {
    int t = counts[i];
    struct rate peak = {0, 0};
#if defined(__AVX2__) && defined(__FMA__)
    report("avx2", t, best_of(fma_avx2, t), &peak);
#endif
#if defined(__AVX512F__)
    report("avx512", t, best_of(fma_avx512, t), &peak);
#endif
    if (peak.cpu == 0) {
      fprintf(stderr, "peak_flops: built without AVX2+FMA or AVX-512F\n");
      return 1;
    }
    printf("peak %d %.1f %.1f\n", t, peak.wall, peak.cpu);
    fflush(stdout);
  }
  return 0;
}
