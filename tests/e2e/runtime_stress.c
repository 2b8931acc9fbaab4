/* Stress test of runtime/tdc_runtime.c on its own (linked with it): a
 * thread team of 4 on a machine whose cores are also busy with 2 spinning
 * threads runs, alternately, elastic regions (a dynamically scheduled loop
 * whose late workers may skip it) and ordinary ones (static shares, a
 * barrier, then a dynamic loop), 1000 of each. Every iteration of every
 * loop must run exactly once. Exits 1 on a lost or repeated iteration. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct ident ident_t;
typedef void (*microtask_t)(int32_t *, int32_t *, ...);
void tdc_kmpc_fork_call(ident_t *, int32_t, microtask_t, ...);
void tdc_rt_fork_call_elastic(ident_t *, int32_t, microtask_t, ...);
void tdc_kmpc_dispatch_init_8(ident_t *, int32_t, int32_t, int64_t, int64_t,
                              int64_t, int64_t);
int32_t tdc_kmpc_dispatch_next_8(ident_t *, int32_t, int32_t *, int64_t *,
                                 int64_t *, int64_t *);
void tdc_kmpc_for_static_init_8(ident_t *, int32_t, int32_t, int32_t *,
                                int64_t *, int64_t *, int64_t *, int64_t,
                                int64_t);
void tdc_kmpc_barrier(ident_t *, int32_t);
void tdc_rt_set_num_threads(int);

enum { kIters = 97 };
static atomic_int hits[2][kIters];

/* A dynamic loop over [0, kIters) as OpenMPIRBuilder emits it (1-based
 * inclusive bounds), counting each iteration into hits[slot]. */
static void dynamic_loop(int32_t gtid, int slot) {
  tdc_kmpc_dispatch_init_8(NULL, gtid, 35, 1, kIters, 1, 1);
  int32_t last;
  int64_t lo, hi, st;
  while (tdc_kmpc_dispatch_next_8(NULL, gtid, &last, &lo, &hi, &st))
    for (int64_t i = lo; i <= hi; ++i)
      atomic_fetch_add(&hits[slot][i - 1], 1);
}

static void elastic_region(int32_t *gtid, int32_t *btid, void *arg) {
  (void)btid;
  (void)arg;
  dynamic_loop(*gtid, 0);
}

static void ordinary_region(int32_t *gtid, int32_t *btid, void *arg) {
  (void)btid;
  (void)arg;
  int32_t last;
  int64_t lo = 0, hi = kIters - 1, st = 1;
  tdc_kmpc_for_static_init_8(NULL, *gtid, 34, &last, &lo, &hi, &st, 1, 1);
  for (int64_t i = lo; i <= hi; ++i)
    atomic_fetch_add(&hits[0][i], 1);
  tdc_kmpc_barrier(NULL, *gtid);
  dynamic_loop(*gtid, 1);
  tdc_kmpc_barrier(NULL, *gtid);
}

static atomic_int spinning = 1;
static void *spin(void *arg) {
  (void)arg;
  while (atomic_load_explicit(&spinning, memory_order_relaxed))
    ;
  return NULL;
}

static int check(int slot, const char *what, int round) {
  for (int i = 0; i < kIters; ++i) {
    int h = atomic_exchange(&hits[slot][i], 0);
    if (h != 1) {
      fprintf(stderr, "round %d, %s: iteration %d ran %d times\n", round, what,
              i, h);
      return 1;
    }
  }
  return 0;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; ++i)
    pthread_create(&t[i], NULL, spin, NULL);
  tdc_rt_set_num_threads(4);
  int bad = 0;
  for (int r = 0; r < 1000 && !bad; ++r) {
    tdc_rt_fork_call_elastic(NULL, 1, (microtask_t)elastic_region, NULL);
    bad |= check(0, "elastic region", r);
    tdc_kmpc_fork_call(NULL, 1, (microtask_t)ordinary_region, NULL);
    bad |= check(0, "static loop", r) || check(1, "dynamic loop", r);
  }
  atomic_store(&spinning, 0);
  for (int i = 0; i < 2; ++i)
    pthread_join(t[i], NULL);
  if (!bad)
    printf("runtime stress: 2000 regions, every iteration once\n");
  return bad;
}
