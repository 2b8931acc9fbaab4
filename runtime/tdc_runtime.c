/*===- tdc_runtime.c - the thread team of compiled models -----------------===*
 *
 * Parallel loops of a compiled model are lowered through MLIR's OpenMP
 * dialect, so the generated code calls the few entry points of the LLVM
 * OpenMP runtime ABI that OpenMPIRBuilder emits for `omp.parallel` +
 * static `omp.wsloop`. tdc renames those calls from `__kmpc_*` to
 * `tdc_kmpc_*` (so they never bind to a libomp in the same process) and
 * links this file into every shared library it builds, with hidden
 * visibility: the library stays self-contained (libc only; pthreads are
 * part of glibc's libc).
 *
 * The team: the calling thread plus N-1 workers created on the first
 * parallel loop that asks for more than one thread (none at all with one
 * thread). Loops are split statically into contiguous, equal ranges, so
 * which thread computes an iteration never changes what it computes.
 * Idle workers spin briefly, then sleep on a condition variable. Nested
 * parallel loops, and loops started while another thread of the process
 * owns the team, run serially on the calling thread.
 *
 * Thread count: <prefix>_set_num_threads(n) (n >= 1; n <= 0 restores the
 * default), else TDC_NUM_THREADS (read once), else the number of CPUs this
 * process may run on (sched_getaffinity).
 *
 *===----------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define TDC_RT __attribute__((visibility("hidden")))

enum { kMaxThreads = 256, kMaxArgs = 4 };
/* How long an idle thread spins before it sleeps: long enough to bridge
 * the serial code between two parallel loops of a model. */
static const long kSpinNanos = 100 * 1000;

typedef struct ident ident_t;
typedef void (*microtask_t)(int32_t *, int32_t *, ...);

/* The calling thread's place in the team running the current loop. */
typedef struct {
  int32_t tid, nth;
  unsigned start; /* workers: the last region start seen */
} thread_state;

static struct {
  /* The parallel region being run; written by the master before it bumps
   * `start`. */
  microtask_t fn;
  int argc;
  void *args[kMaxArgs];
  int nth;
  atomic_uint start;    /* bumped once per region (and at shutdown) */
  atomic_int pending;   /* workers still in the region */
  atomic_uint barriers; /* completed barriers */
  atomic_int arrived;   /* threads at the current barrier */
  atomic_int sleepers;  /* threads sleeping on `wake` */
  atomic_int shutdown;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  /* Serializes regions: a thread that cannot take it runs its loop alone. */
  pthread_mutex_t owner;
  pthread_t workers[kMaxThreads];
  thread_state worker_state[kMaxThreads];
  int num_workers;
} team = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .owner = PTHREAD_MUTEX_INITIALIZER};

static pthread_key_t state_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int default_threads = 1;
static atomic_int requested_threads; /* 0: the default */

static void init_once(void) {
  pthread_key_create(&state_key, NULL);
  int n = 0;
  const char *env = getenv("TDC_NUM_THREADS");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (*end == 0 && v > 0)
      n = v > kMaxThreads ? kMaxThreads : (int)v;
  }
  if (n == 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
      n = CPU_COUNT(&set);
    else
      n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  }
  default_threads = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n;
}

TDC_RT void tdc_rt_set_num_threads(int n) {
  atomic_store(&requested_threads, n <= 0            ? 0
                                   : n > kMaxThreads ? kMaxThreads
                                                     : n);
}

/* Nanoseconds of a monotonic clock: the timers of --profile builds. */
TDC_RT int64_t tdc_profile_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The identity, out of the optimizer's sight: the generated code addresses
 * each temporary of its workspace from a pointer returned by this call, so
 * that the code generator sees unrelated bases, as it did with one malloc
 * per temporary (tdc-plan-buffers). */
TDC_RT void *tdc_rt_opaque_pointer(void *p) { return p; }

TDC_RT int tdc_rt_get_num_threads(void) {
  pthread_once(&once, init_once);
  int n = atomic_load(&requested_threads);
  return n ? n : default_threads;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static long now_nanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Step i of a spin wait: pause at first, then give the CPU away at every
 * step (on an oversubscribed machine the thread waited for may need this
 * CPU to run at all). Returns 0 once the spin time is spent. */
static int backoff(unsigned i, long *deadline) {
  if (i < 1024) {
    cpu_relax();
    return 1;
  }
  if ((i & 15) == 0) {
    long t = now_nanos();
    if (!*deadline)
      *deadline = t + kSpinNanos;
    else if (t > *deadline)
      return 0;
  }
  sched_yield();
  return 1;
}

/* Waits until *word != seen: spins, then sleeps on `team.wake`. Whoever
 * changes a watched word calls wake_all(). */
static void wait_change(atomic_uint *word, unsigned seen) {
  long deadline = 0;
  for (unsigned i = 0; atomic_load(word) == seen; ++i)
    if (!backoff(i, &deadline))
      break;
  if (atomic_load(word) == seen) {
    pthread_mutex_lock(&team.lock);
    atomic_fetch_add(&team.sleepers, 1);
    while (atomic_load(word) == seen)
      pthread_cond_wait(&team.wake, &team.lock);
    atomic_fetch_sub(&team.sleepers, 1);
    pthread_mutex_unlock(&team.lock);
  }
}

/* The sleepers count is incremented before a sleeper's last check of its
 * word and read after the word changed (both sequentially consistent), so
 * a sleeper is either seen here or sees the change itself. */
static void wake_all(void) {
  if (atomic_load(&team.sleepers) == 0)
    return;
  pthread_mutex_lock(&team.lock);
  pthread_cond_broadcast(&team.wake);
  pthread_mutex_unlock(&team.lock);
}

static void invoke(microtask_t fn, int argc, void *const *a, int32_t tid) {
  int32_t zero = 0;
  int32_t *g = &tid, *b = &zero;
  typedef void (*f0)(int32_t *, int32_t *);
  typedef void (*f1)(int32_t *, int32_t *, void *);
  typedef void (*f2)(int32_t *, int32_t *, void *, void *);
  typedef void (*f3)(int32_t *, int32_t *, void *, void *, void *);
  typedef void (*f4)(int32_t *, int32_t *, void *, void *, void *, void *);
  switch (argc) {
  case 0:
    ((f0)fn)(g, b);
    return;
  case 1:
    ((f1)fn)(g, b, a[0]);
    return;
  case 2:
    ((f2)fn)(g, b, a[0], a[1]);
    return;
  case 3:
    ((f3)fn)(g, b, a[0], a[1], a[2]);
    return;
  case 4:
    ((f4)fn)(g, b, a[0], a[1], a[2], a[3]);
    return;
  default:
    /* OpenMPIRBuilder passes the captured values in one aggregate. */
    abort();
  }
}

static void *worker_main(void *arg) {
  thread_state *self = arg;
  pthread_setspecific(state_key, self);
  /* Not team.start: the first region may have started already. */
  unsigned seen = self->start;
  for (;;) {
    wait_change(&team.start, seen);
    seen = atomic_load(&team.start);
    if (atomic_load(&team.shutdown))
      return NULL;
    /* Worker w is thread w + 1 of the team; the others sit this one out. */
    if (self->tid >= team.nth)
      continue;
    self->nth = team.nth;
    invoke(team.fn, team.argc, team.args, self->tid);
    if (atomic_fetch_sub(&team.pending, 1) == 1)
      wake_all();
  }
}

static void stop_workers(void);

static void forget_workers_in_child(void) {
  /* After fork() only the forking thread exists in the child. */
  team.num_workers = 0;
  atomic_store(&team.sleepers, 0);
  pthread_mutex_init(&team.lock, NULL);
  pthread_cond_init(&team.wake, NULL);
  pthread_mutex_init(&team.owner, NULL);
}

/* Creates workers up to `n` (called by the team owner). Returns how many
 * exist; fewer than asked when the system refuses threads. */
static int grow_team(int n) {
  static int registered;
  if (!registered) {
    pthread_atfork(NULL, NULL, forget_workers_in_child);
    registered = 1;
  }
  sigset_t all, old;
  sigfillset(&all);
  /* Workers block all signals: they belong to the application's threads. */
  pthread_sigmask(SIG_SETMASK, &all, &old);
  while (team.num_workers < n) {
    int w = team.num_workers;
    team.worker_state[w].tid = w + 1;
    team.worker_state[w].nth = 1;
    team.worker_state[w].start = atomic_load(&team.start);
    if (pthread_create(&team.workers[w], NULL, worker_main,
                       &team.worker_state[w]) != 0)
      break;
    ++team.num_workers;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return team.num_workers;
}

static void run_serial(microtask_t fn, int argc, void *const *args) {
  thread_state *outer = pthread_getspecific(state_key);
  thread_state alone = {0, 1, 0};
  pthread_setspecific(state_key, &alone);
  invoke(fn, argc, args, 0);
  pthread_setspecific(state_key, outer);
}

TDC_RT void tdc_kmpc_fork_call(ident_t *loc, int32_t argc, microtask_t fn,
                               ...) {
  (void)loc;
  void *args[kMaxArgs];
  va_list ap;
  va_start(ap, fn);
  for (int i = 0; i < argc && i < kMaxArgs; ++i)
    args[i] = va_arg(ap, void *);
  va_end(ap);
  if (argc > kMaxArgs)
    abort();
  int nth = tdc_rt_get_num_threads();
  if (nth == 1 || pthread_getspecific(state_key) != NULL ||
      pthread_mutex_trylock(&team.owner) != 0) {
    run_serial(fn, argc, args);
    return;
  }
  if (team.num_workers < nth - 1)
    nth = grow_team(nth - 1) + 1;
  if (nth == 1) {
    pthread_mutex_unlock(&team.owner);
    run_serial(fn, argc, args);
    return;
  }
  team.fn = fn;
  team.argc = argc;
  for (int i = 0; i < argc; ++i)
    team.args[i] = args[i];
  team.nth = nth;
  atomic_store(&team.pending, nth - 1);
  atomic_fetch_add(&team.start, 1);
  wake_all();

  thread_state master = {0, nth, 0};
  pthread_setspecific(state_key, &master);
  invoke(fn, argc, args, 0);
  pthread_setspecific(state_key, NULL);

  /* Join: `pending` reaching 0 is the last worker's signal. */
  long deadline = 0;
  for (unsigned i = 0; atomic_load(&team.pending) != 0; ++i)
    if (!backoff(i, &deadline))
      break;
  if (atomic_load(&team.pending) != 0) {
    pthread_mutex_lock(&team.lock);
    atomic_fetch_add(&team.sleepers, 1);
    while (atomic_load(&team.pending) != 0)
      pthread_cond_wait(&team.wake, &team.lock);
    atomic_fetch_sub(&team.sleepers, 1);
    pthread_mutex_unlock(&team.lock);
  }
  pthread_mutex_unlock(&team.owner);
}

static thread_state *current(void) {
  pthread_once(&once, init_once);
  static thread_state alone = {0, 1, 0};
  thread_state *s = pthread_getspecific(state_key);
  return s ? s : &alone;
}

TDC_RT int32_t tdc_kmpc_global_thread_num(ident_t *loc) {
  (void)loc;
  return current()->tid;
}

TDC_RT void tdc_kmpc_barrier(ident_t *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
  thread_state *s = current();
  if (s->nth == 1)
    return;
  /* `barriers` cannot move before this thread arrives. */
  unsigned seen = atomic_load(&team.barriers);
  if (atomic_fetch_add(&team.arrived, 1) == s->nth - 1) {
    atomic_store(&team.arrived, 0);
    atomic_fetch_add(&team.barriers, 1);
    wake_all();
    return;
  }
  wait_change(&team.barriers, seen);
}

/* Static schedules of the loop [*lower, *upper] (inclusive) by `incr`:
 * kmp_sch_static (34) gives thread t the t-th of nth contiguous ranges
 * whose sizes differ by at most one, the larger ones first;
 * kmp_sch_static_chunked (33) deals chunks round-robin. */
#define STATIC_INIT(NAME, T, ST)                                               \
  TDC_RT void NAME(ident_t *loc, int32_t gtid, int32_t sched, int32_t *last,   \
                   T *lower, T *upper, ST *stride, ST incr, ST chunk) {        \
    (void)loc;                                                                 \
    (void)gtid;                                                                \
    thread_state *s = current();                                               \
    uint64_t tid = (uint64_t)s->tid, nth = (uint64_t)s->nth;                   \
    uint64_t trip;                                                             \
    if (incr > 0)                                                              \
      trip = *upper < *lower                                                   \
                 ? 0                                                           \
                 : (uint64_t)(*upper - *lower) / (uint64_t)incr + 1;           \
    else                                                                       \
      trip = *lower < *upper                                                   \
                 ? 0                                                           \
                 : (uint64_t)(*lower - *upper) / (uint64_t)(-incr) + 1;        \
    if (trip == 0) {                                                           \
      *last = 0;                                                               \
      *stride = incr;                                                          \
      return;                                                                  \
    }                                                                          \
    if (sched == 33) {                                                         \
      uint64_t c = chunk < 1 ? 1 : (uint64_t)chunk;                            \
      ST span = (ST)(c * (uint64_t)incr);                                      \
      *stride = (ST)(span * (ST)nth);                                          \
      *lower = (T)(*lower + (T)(span * (ST)tid));                              \
      *upper = (T)(*lower + (T)(span - incr));                                 \
      *last = tid == ((trip - 1) / c) % nth;                                   \
      return;                                                                  \
    }                                                                          \
    if (sched != 34)                                                           \
      abort(); /* tdc only emits static schedules */                           \
    uint64_t small = trip / nth, extra = trip % nth;                           \
    uint64_t first = tid * small + (tid < extra ? tid : extra);                \
    uint64_t count = small + (tid < extra);                                    \
    *stride = (ST)(trip * (uint64_t)incr);                                     \
    *last = count > 0 && first + count == trip;                                \
    *lower = (T)(*lower + (T)(first * (uint64_t)incr));                        \
    *upper = (T)(*lower + (T)(count * (uint64_t)incr) - (T)incr);              \
  }

STATIC_INIT(tdc_kmpc_for_static_init_4, int32_t, int32_t)
STATIC_INIT(tdc_kmpc_for_static_init_4u, uint32_t, int32_t)
STATIC_INIT(tdc_kmpc_for_static_init_8, int64_t, int64_t)
STATIC_INIT(tdc_kmpc_for_static_init_8u, uint64_t, int64_t)

TDC_RT void tdc_kmpc_for_static_fini(ident_t *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
}

/* When the library is unloaded (dlclose, exit), its workers must be gone
 * before its code is. */
__attribute__((destructor)) static void stop_workers(void) {
  if (team.num_workers == 0)
    return;
  pthread_mutex_lock(&team.owner);
  atomic_store(&team.shutdown, 1);
  atomic_fetch_add(&team.start, 1);
  pthread_mutex_lock(&team.lock);
  pthread_cond_broadcast(&team.wake);
  pthread_mutex_unlock(&team.lock);
  for (int i = 0; i < team.num_workers; ++i)
    pthread_join(team.workers[i], NULL);
  team.num_workers = 0;
  pthread_mutex_unlock(&team.owner);
}
