/* Memory bandwidth probe for benchmarks/run.sh, after STREAM's triad.
 *
 * Build: cc -O3 -march=native -pthread benchmarks/stream_triad.c -o
 * stream_triad Usage: stream_triad MIB_PER_ARRAY [THREADS ...]   (default
 * threads: 1)
 *
 * a[i] = b[i] + s * c[i] over three double arrays of MIB_PER_ARRAY MiB
 * each; the caller sizes them well beyond the last-level cache so that the
 * loop streams from DRAM. Bytes counted as STREAM does: 3 arrays x 8 bytes
 * per element (the write-allocate read of a is not counted). For T
 * threads, each thread owns a contiguous slice (first-touched by that
 * thread) and the rate is the total bytes over the wall time of the slowest
 * thread, best of TRIALS trials. Output, one line per thread count:
 *   triad T GB/s
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TRIALS 5
#define MAX_THREADS 256

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double *a, *b, *c;
static long n;

struct job {
  int index, threads;
  int init; /* first touch instead of triad */
  pthread_barrier_t *start;
};

static void slice(const struct job *j, long *lo, long *hi) {
  long per = (n + j->threads - 1) / j->threads;
  *lo = per * j->index;
  *hi = *lo + per < n ? *lo + per : n;
}

static void work(const struct job *j) {
  long lo, hi;
  slice(j, &lo, &hi);
  if (j->init) {
    for (long i = lo; i < hi; ++i) {
      a[i] = 1.0;
      b[i] = 2.0;
      c[i] = 0.5;
    }
    return;
  }
  const double s = 3.0;
  for (long i = lo; i < hi; ++i)
    a[i] = b[i] + s * c[i];
}

static void *worker(void *p) {
  struct job *j = p;
  pthread_barrier_wait(j->start);
  work(j);
  return NULL;
}

/* Seconds for one pass of `threads` threads (the caller is thread 0). */
static double pass(int threads, int init) {
  pthread_t tid[MAX_THREADS];
  struct job jobs[MAX_THREADS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, threads);
  for (int t = 0; t < threads; ++t)
    jobs[t] = (struct job){t, threads, init, &start};
  for (int t = 1; t < threads; ++t)
    if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0) {
      perror("stream_triad: pthread_create");
      exit(1);
    }
  pthread_barrier_wait(&start);
  double t0 = now();
  work(&jobs[0]);
  for (int t = 1; t < threads; ++t)
    pthread_join(tid[t], NULL);
  double dt = now() - t0;
  pthread_barrier_destroy(&start);
  return dt;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: stream_triad MIB_PER_ARRAY [THREADS ...]\n");
    return 2;
  }
  long mib = atol(argv[1]);
  if (mib < 1) {
    fprintf(stderr, "stream_triad: bad size '%s'\n", argv[1]);
    return 2;
  }
  n = mib * 1024 * 1024 / (long)sizeof(double);
  a = aligned_alloc(64, n * sizeof(double));
  b = aligned_alloc(64, n * sizeof(double));
  c = aligned_alloc(64, n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "stream_triad: cannot allocate 3 x %ld MiB\n", mib);
    return 1;
  }
  int counts[64], k = 0;
  for (int i = 2; i < argc && k < 64; ++i) {
    counts[k] = atoi(argv[i]);
    if (counts[k] < 1 || counts[k] > MAX_THREADS) {
      fprintf(stderr, "stream_triad: bad thread count '%s'\n", argv[i]);
      return 2;
    }
    ++k;
  }
  if (k == 0)
    counts[k++] = 1;
  /* First touch with the largest thread count, so that pages are spread
   * like the threads that stream them (matters on NUMA machines). */
  int most = 1;
  for (int i = 0; i < k; ++i)
    most = counts[i] > most ? counts[i] : most;
  pass(most, 1);
  for (int i = 0; i < k; ++i) {
    int t = counts[i];
    pass(t, 0); /* warm up */
    double best = 1e30;
    for (int r = 0; r < TRIALS; ++r) {
      double dt = pass(t, 0);
      if (dt < best)
        best = dt;
    }
    printf("triad %d %.1f\n", t, 3.0 * sizeof(double) * n / best * 1e-9);
    fflush(stdout);
  }
  /* Keep the result live. */
  double sum = 0;
  for (long i = 0; i < n; i += 4096)
    sum += a[i];
  if (sum < 0)
    printf("%f\n", sum);
  return 0;
}
