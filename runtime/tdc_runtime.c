/*===- tdc_runtime.c - the thread team of compiled models -----------------===*
 *
 * Parallel loops of a compiled model are lowered through MLIR's OpenMP
 * dialect, so the generated code calls the few entry points of the LLVM
 * OpenMP runtime ABI that OpenMPIRBuilder emits for `omp.parallel` +
 * `omp.wsloop` (static and dynamic schedules). tdc renames those calls
 * from `__kmpc_*` to `tdc_kmpc_*` (so they never bind to a libomp in the
 * same process) and
 * links this file into every shared library it builds, with hidden
 * visibility: the library stays self-contained (libc only; pthreads are
 * part of glibc's libc).
 *
 * The team: the calling thread plus N-1 workers created on the first
 * parallel loop that asks for more than one thread (none at all with one
 * thread). tdc schedules its loops dynamically: threads claim chunks
 * (see the dispatch functions below), and a region that only claims
 * chunks is elastic: a worker that has not started it by the time the
 * others ran out of chunks skips it. Which thread computes an iteration
 * never changes what it computes.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TDC_RT __attribute__((visibility("hidden")))

enum { kMaxThreads = 256, kMaxArgs = 4 };
/* How long an idle thread spins before it sleeps: long enough to bridge
 * the serial code between two parallel loops of a model (fills, small
 * convolutions, transposes: up to a few hundred us). A sleeping worker
 * starts the next loop 50-100 us late; with a 0.1 ms spin that cost
 * dilated_context's 2-thread run about 4%. */
static const long kSpinNanos = 2000 * 1000;

typedef struct ident ident_t;
typedef void (*microtask_t)(int32_t *, int32_t *, ...);

/* The calling thread's place in the team running the current loop. */
typedef struct {
  int32_t tid, nth;
  unsigned start;  /* workers: the last region start seen */
  unsigned region; /* the region being run (team.start when it began) */
  unsigned loops;  /* dynamically scheduled loops started in it */
  /* A team of one: the single chunk of its current dynamic loop. */
  int alone_pending;
  int claimed_static; /* TDC_SCHEDULE=static: its range was handed out */
  int64_t alone_lower, alone_upper, alone_incr;
} thread_state;

/* A dynamically scheduled loop being run by the team (two alternate: a
 * thread may set up loop k+1 while another still leaves loop k's
 * barrier). Iterations are numbered 0..trip-1. */
typedef struct {
  _Atomic uint64_t key;  /* loop identity + 1; kSettingUp while written */
  _Atomic uint64_t next; /* first iteration nobody has claimed */
  uint64_t trip, min_chunk;
  int64_t lower, incr;
  int nth;
  char pad[64];
} dispatch_slot;
static const uint64_t kSettingUp = 1ull << 63;
/* The gate of the current region: region << 32 | kGateClosed | kGateElastic
 * | nth << kGateNthShift | workers that entered (elastic regions). Workers
 * decide from one snapshot of it whether the region they woke for is still
 * the current one and whether they take part. */
static const uint64_t kGateClosed = 1ull << 31, kGateElastic = 1ull << 30;
static const int kGateNthShift = 20;
static const uint64_t kGateNthMask = 0x3ff, kGateCount = (1ull << 20) - 1;

static struct {
  /* The parallel region being run; written by the master before it bumps
   * `start`. */
  microtask_t fn;
  int argc;
  void *args[kMaxArgs];
  atomic_uint start;     /* bumped once per region (and at shutdown) */
  atomic_int pending;    /* workers still in the region */
  _Atomic uint64_t gate; /* see kGateClosed */
  atomic_int finished;   /* workers that entered and are done */
  atomic_uint barriers;  /* completed barriers */
  atomic_int arrived;    /* threads at the current barrier */
  atomic_int sleepers;   /* threads sleeping on `wake` */
  atomic_int shutdown;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  /* Serializes regions: a thread that cannot take it runs its loop alone. */
  pthread_mutex_t owner;
  pthread_t workers[kMaxThreads];
  thread_state worker_state[kMaxThreads];
  int num_workers;
  dispatch_slot dispatch[2];
} team = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .owner = PTHREAD_MUTEX_INITIALIZER};

static pthread_key_t state_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int default_threads = 1;
static int available_cpus = 1;       /* sched_getaffinity, read once */
static atomic_int requested_threads; /* 0: the default */

static pthread_key_t scratch_key; /* frees a thread's scratch at its exit */
static void free_scratch(void *p);

static void init_once(void) {
  pthread_key_create(&state_key, NULL);
  pthread_key_create(&scratch_key, free_scratch);
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
  cpu_set_t set;
  available_cpus = sched_getaffinity(0, sizeof set, &set) == 0
                       ? CPU_COUNT(&set)
                       : (int)sysconf(_SC_NPROCESSORS_ONLN);
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

/* A task's scratch memory: a buffer of the calling thread, kept for its
 * next tasks (and runs) so that it is still in the thread's cache, grown
 * when a task needs more, freed when the thread exits. The temporaries a
 * task of a parallel loop allocates for itself are views of it
 * (tdc-task-scratch); a thread runs one task at a time. Thread-specific
 * data rather than __thread, which would make the library need the dynamic
 * loader's __tls_get_addr. A task cannot report a failure to the caller,
 * so running out of memory here stops the process with a message. */
typedef struct {
  void *buf;
  int64_t bytes;
} scratch_t;

static void free_scratch(void *p) {
  scratch_t *s = p;
  free(s->buf);
  free(s);
}

static void scratch_out_of_memory(int64_t bytes) {
  fprintf(stderr,
          "tdc runtime: out of memory for %lld bytes of a task's "
          "temporaries\n",
          (long long)bytes);
  abort();
}

TDC_RT void *tdc_rt_task_scratch(int64_t bytes) {
  pthread_once(&once, init_once);
  scratch_t *s = pthread_getspecific(scratch_key);
  if (s && bytes <= s->bytes)
    return s->buf;
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s || pthread_setspecific(scratch_key, s) != 0)
      scratch_out_of_memory(bytes);
  }
  void *p = NULL;
  if (posix_memalign(&p, 64, (size_t)bytes) != 0)
    scratch_out_of_memory(bytes);
  free(s->buf);
  s->buf = p;
  s->bytes = bytes;
  return p;
}

TDC_RT int tdc_rt_get_num_threads(void) {
  pthread_once(&once, init_once);
  int n = atomic_load(&requested_threads);
  return n ? n : default_threads;
}

/* More threads in the team than CPUs to run them. */
static int oversubscribed(void) {
  return tdc_rt_get_num_threads() > available_cpus;
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

/* Step i of a spin wait: pause, and when the team has more threads than
 * the CPUs this process may use, give the CPU away at every step after the
 * first 1024 (the thread waited for may need this CPU to run at all).
 * Otherwise never yield: a yielding thread hands its CPU to any other
 * runnable process, whatever their priorities, for a whole time slice
 * (milliseconds), and with one busy process next to it a 2-thread MLP ran
 * 4.6 -> 8.0 ms. Returns 0 once the spin time is spent. */
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
  if (oversubscribed())
    sched_yield();
  else
    cpu_relax();
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
    /* The team may have moved on past an elastic region this worker did
     * not enter (the gate then names a later region: look again). */
    uint64_t gate = atomic_load(&team.gate);
    if ((unsigned)(gate >> 32) != seen)
      continue;
    /* Worker w is thread w + 1 of the team; the others sit this one out. */
    int nth = (int)((gate >> kGateNthShift) & kGateNthMask);
    if (self->tid >= nth)
      continue;
    int elastic = (gate & kGateElastic) != 0;
    if (elastic) {
      /* Enter unless the master closed the gate (or moved on). */
      int entered = 0;
      while ((unsigned)(gate >> 32) == seen && !(gate & kGateClosed))
        if (atomic_compare_exchange_weak(&team.gate, &gate, gate + 1)) {
          entered = 1;
          break;
        }
      if (!entered)
        continue;
    }
    /* The region cannot end without this worker now, so its parameters
     * stay as they are until it is done. */
    self->nth = nth;
    self->region = seen;
    self->loops = 0;
    invoke(team.fn, team.argc, team.args, self->tid);
    if (elastic) {
      atomic_fetch_add(&team.finished, 1);
      wake_all();
    } else if (atomic_fetch_sub(&team.pending, 1) == 1) {
      wake_all();
    }
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
  thread_state alone = {.tid = 0, .nth = 1};
  pthread_setspecific(state_key, &alone);
  invoke(fn, argc, args, 0);
  pthread_setspecific(state_key, outer);
}

/* Waits until *word == target: spins, then sleeps on `team.wake`. */
static void wait_count(atomic_int *word, int target) {
  long deadline = 0;
  for (unsigned i = 0; atomic_load(word) != target; ++i)
    if (!backoff(i, &deadline))
      break;
  if (atomic_load(word) != target) {
    pthread_mutex_lock(&team.lock);
    atomic_fetch_add(&team.sleepers, 1);
    while (atomic_load(word) != target)
      pthread_cond_wait(&team.wake, &team.lock);
    atomic_fetch_sub(&team.sleepers, 1);
    pthread_mutex_unlock(&team.lock);
  }
}

static int static_schedule(void);

/* Runs `fn` on the team. Elastic regions (redirected by tdc's code
 * generator: they only claim chunks of dynamic loops) wait only for the
 * workers that entered them: once the master has run out of chunks it
 * closes the gate, and a worker that arrives later skips the region. */
static void fork_team(int elastic, int32_t argc, microtask_t fn,
                      void *const *args) {
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
  /* Only the team's owner bumps `start`. */
  unsigned region = atomic_load(&team.start) + 1;
  team.fn = fn;
  team.argc = argc;
  for (int i = 0; i < argc; ++i)
    team.args[i] = args[i];
  atomic_store(&team.pending, nth - 1);
  atomic_store(&team.finished, 0);
  atomic_store(&team.gate, (uint64_t)region << 32 |
                               (elastic ? kGateElastic : 0) |
                               (uint64_t)nth << kGateNthShift);
  atomic_fetch_add(&team.start, 1);
  wake_all();

  thread_state master = {.tid = 0, .nth = nth, .region = region};
  pthread_setspecific(state_key, &master);
  invoke(fn, argc, args, 0);
  pthread_setspecific(state_key, NULL);

  /* Join: every worker (`pending` reaching 0), or in an elastic region
   * those that entered before the gate closed. */
  if (elastic) {
    uint64_t gate = atomic_fetch_or(&team.gate, kGateClosed);
    wait_count(&team.finished, (int)(gate & kGateCount));
  } else {
    wait_count(&team.pending, 0);
  }
  pthread_mutex_unlock(&team.owner);
}

#define READ_ARGS(args, argc, fn)                                              \
  void *args[kMaxArgs];                                                        \
  do {                                                                         \
    va_list ap;                                                                \
    va_start(ap, fn);                                                          \
    for (int i = 0; i < argc && i < kMaxArgs; ++i)                             \
      args[i] = va_arg(ap, void *);                                            \
    va_end(ap);                                                                \
    if (argc > kMaxArgs)                                                       \
      abort();                                                                 \
  } while (0)

TDC_RT void tdc_kmpc_fork_call(ident_t *loc, int32_t argc, microtask_t fn,
                               ...) {
  (void)loc;
  READ_ARGS(args, argc, fn);
  fork_team(0, argc, fn, args);
}

/* Same ABI as __kmpc_fork_call; TDC_SCHEDULE=static needs every thread to
 * run its share, so the region is not elastic then. */
TDC_RT void tdc_rt_fork_call_elastic(ident_t *loc, int32_t argc, microtask_t fn,
                                     ...) {
  (void)loc;
  READ_ARGS(args, argc, fn);
  fork_team(!static_schedule(), argc, fn, args);
}

static thread_state *current(void) {
  pthread_once(&once, init_once);
  static thread_state alone = {.tid = 0, .nth = 1};
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

/* Thread tid's share of `trip` iterations split into nth contiguous
 * ranges whose sizes differ by at most one, the larger ones first. */
static void static_share(uint64_t trip, uint64_t nth, uint64_t tid,
                         uint64_t *first, uint64_t *count) {
  uint64_t small = trip / nth, extra = trip % nth;
  *first = tid * small + (tid < extra ? tid : extra);
  *count = small + (tid < extra);
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
    uint64_t first, count;                                                     \
    static_share(trip, nth, tid, &first, &count);                              \
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

/* Dynamic schedules (kmp_sch_dynamic_chunked and guided; tdc emits
 * dynamic for every parallel loop): threads claim chunks of the iteration
 * space from a shared counter, so a thread that loses its core for a
 * while (a 2-core machine running anything else) leaves its share to the
 * others instead of holding up the whole loop, as a static split must.
 * Chunks are guided: a 1/(kChunksPerThread * nth) share of what is left,
 * at least `chunk` iterations, so early chunks are long and contiguous
 * (cache locality like a static split) while a stalled thread holds at
 * most a quarter of its fair share, and the tail is fine-grained. Which
 * thread runs an iteration never changes what the iteration computes
 * (tdc never splits a reduction across tasks), so results do not depend
 * on it. TDC_SCHEDULE=static (read once) gives each thread its static
 * range instead, for comparison. */
enum { kChunksPerThread = 4 };

static int static_schedule(void) {
  static atomic_int mode; /* 0 unknown, 1 dynamic, 2 static */
  int m = atomic_load(&mode);
  if (!m) {
    const char *env = getenv("TDC_SCHEDULE");
    m = env && !strcmp(env, "static") ? 2 : 1;
    atomic_store(&mode, m);
  }
  return m == 2;
}

static void dispatch_init(int64_t lower, int64_t upper, int64_t incr,
                          int64_t chunk) {
  thread_state *s = current();
  uint64_t trip = 0;
  if (incr > 0 && upper >= lower)
    trip = (uint64_t)(upper - lower) / (uint64_t)incr + 1;
  else if (incr < 0 && lower >= upper)
    trip = (uint64_t)(lower - upper) / (uint64_t)(-incr) + 1;
  if (s->nth == 1) {
    s->alone_pending = trip > 0;
    s->alone_lower = lower;
    s->alone_upper = lower + (int64_t)(trip - 1) * incr;
    s->alone_incr = incr;
    return;
  }
  dispatch_slot *d = &team.dispatch[s->loops & 1];
  uint64_t key = (((uint64_t)s->region << 32) | s->loops) + 1;
  ++s->loops;
  s->claimed_static = 0;
  /* The first thread to arrive sets the loop up; the others wait for it
   * (a few stores). The slot's previous loop (two loops ago) is over:
   * every thread has passed the barrier that ended it. */
  for (unsigned i = 0;; ++i) {
    uint64_t seen = atomic_load(&d->key);
    if (seen == key)
      return;
    if (seen == (key | kSettingUp)) {
      long deadline = 0;
      backoff(i, &deadline);
      continue;
    }
    if (atomic_compare_exchange_weak(&d->key, &seen, key | kSettingUp)) {
      d->trip = trip;
      d->min_chunk = chunk < 1 ? 1 : (uint64_t)chunk;
      d->lower = lower;
      d->incr = incr;
      d->nth = s->nth;
      atomic_store(&d->next, 0);
      atomic_store(&d->key, key);
      return;
    }
  }
}

/* Claims the next chunk [*lower, *upper] (inclusive, in loop values);
 * returns 0 when the loop has no iterations left. */
static int dispatch_next(int32_t *last, int64_t *lower, int64_t *upper,
                         int64_t *stride) {
  thread_state *s = current();
  if (s->nth == 1) {
    if (!s->alone_pending)
      return 0;
    s->alone_pending = 0;
    *lower = s->alone_lower;
    *upper = s->alone_upper;
    *stride = s->alone_incr;
    if (last)
      *last = 1;
    return 1;
  }
  dispatch_slot *d = &team.dispatch[(s->loops - 1) & 1];
  uint64_t first, count;
  if (static_schedule()) {
    /* One claim per thread: its static range (as kmp_sch_static). */
    if (s->claimed_static)
      return 0;
    s->claimed_static = 1;
    static_share(d->trip, (uint64_t)d->nth, (uint64_t)s->tid, &first, &count);
    if (count == 0)
      return 0;
  } else {
    first = atomic_load(&d->next);
    for (;;) {
      if (first >= d->trip)
        return 0;
      uint64_t left = d->trip - first;
      uint64_t parts = kChunksPerThread * (uint64_t)d->nth;
      count = (left + parts - 1) / parts;
      if (count < d->min_chunk)
        count = d->min_chunk;
      if (count > left)
        count = left;
      if (atomic_compare_exchange_weak(&d->next, &first, first + count))
        break;
    }
  }
  *lower = d->lower + (int64_t)first * d->incr;
  *upper = d->lower + (int64_t)(first + count - 1) * d->incr;
  *stride = d->incr;
  if (last)
    *last = first + count == d->trip;
  return 1;
}

#define DISPATCH(SUFFIX, T, ST)                                                \
  TDC_RT void tdc_kmpc_dispatch_init_##SUFFIX(ident_t *loc, int32_t gtid,      \
                                              int32_t sched, T lower, T upper, \
                                              ST incr, ST chunk) {             \
    (void)loc;                                                                 \
    (void)gtid;                                                                \
    (void)sched;                                                               \
    dispatch_init((int64_t)lower, (int64_t)upper, (int64_t)incr,               \
                  (int64_t)chunk);                                             \
  }                                                                            \
  TDC_RT int32_t tdc_kmpc_dispatch_next_##SUFFIX(ident_t *loc, int32_t gtid,   \
                                                 int32_t *last, T *lower,      \
                                                 T *upper, ST *stride) {       \
    (void)loc;                                                                 \
    (void)gtid;                                                                \
    int64_t lo, hi, st;                                                        \
    if (!dispatch_next(last, &lo, &hi, &st))                                   \
      return 0;                                                                \
    *lower = (T)lo;                                                            \
    *upper = (T)hi;                                                            \
    *stride = (ST)st;                                                          \
    return 1;                                                                  \
  }

DISPATCH(4, int32_t, int32_t)
DISPATCH(4u, uint32_t, int32_t)
DISPATCH(8, int64_t, int64_t)
DISPATCH(8u, uint64_t, int64_t)

/* Newer OpenMPIRBuilder versions end a dynamic loop with this call. */
TDC_RT void tdc_kmpc_dispatch_deinit(ident_t *loc, int32_t gtid) {
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
