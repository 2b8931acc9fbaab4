/* Runs the model of make_threads_model.py (prefix tdc_model) and checks the
 * thread team: usage: threads_main OUT.bin [N]
 * Runs once with the thread count from the environment (or N, set through
 * the API) and writes the output bytes to OUT.bin; prints "threads T tasks
 * K" where K is the process's thread count after the run, so the caller
 * can check that one thread means no thread was created. Then runs again
 * with 1 thread and with 2 through the API and exits 1 unless all three
 * outputs are bit-identical.
 * threads_main --concurrent: 4 threads run the model 25 times each at once
 * (one gets the library's workspace, the others allocate their own) and
 * exits 1 unless every output equals a run made alone.
 * threads_main --contended: 4 team threads run the model 200 times while 2
 * other threads spin, so that workers often start a region late or never
 * (elastic regions let the others finish without them); exits 1 unless
 * every output equals a run made alone. */
#include "threads.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kIn = 16 * 64 * 64, kOut = 128 * 256 };

static int tasks(void) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

static float x[kIn], alone[kOut];

static void *run_repeatedly(void *arg) {
  (void)arg;
  static _Thread_local float y[kOut];
  const void *in[] = {x};
  void *out[] = {y};
  for (int r = 0; r < 25; ++r)
    if (tdc_model_run(in, out) != 0 || memcmp(y, alone, sizeof y) != 0)
      return (void *)1;
  return NULL;
}

static int concurrent(void) {
  const void *in[] = {x};
  void *out[] = {alone};
  tdc_model_set_num_threads(1);
  if (tdc_model_run(in, out) != 0)
    return 1;
  pthread_t t[4];
  for (int i = 0; i < 4; ++i)
    if (pthread_create(&t[i], NULL, run_repeatedly, NULL) != 0)
      return 1;
  int bad = 0;
  for (int i = 0; i < 4; ++i) {
    void *r;
    pthread_join(t[i], &r);
    bad |= r != NULL;
  }
  if (bad)
    fprintf(stderr, "concurrent runs gave different outputs\n");
  return bad;
}

static atomic_int spinning = 1;

static void *spin(void *arg) {
  (void)arg;
  while (atomic_load_explicit(&spinning, memory_order_relaxed))
    ;
  return NULL;
}

static int contended(void) {
  static float y[kOut];
  const void *in[] = {x};
  void *out[] = {alone}, *out2[] = {y};
  tdc_model_set_num_threads(1);
  if (tdc_model_run(in, out) != 0)
    return 1;
  pthread_t t[2];
  for (int i = 0; i < 2; ++i)
    if (pthread_create(&t[i], NULL, spin, NULL) != 0)
      return 1;
  tdc_model_set_num_threads(4);
  int bad = 0;
  for (int r = 0; r < 200 && !bad; ++r)
    bad = tdc_model_run(in, out2) != 0 || memcmp(y, alone, sizeof y) != 0;
  atomic_store(&spinning, 0);
  for (int i = 0; i < 2; ++i)
    pthread_join(t[i], NULL);
  if (bad)
    fprintf(stderr, "contended runs gave different outputs\n");
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  static float y[kOut], y1[kOut], y2[kOut];
  for (int i = 0; i < kIn; ++i)
    x[i] = (float)((i * 7919) % 2001 - 1000) / 1000.0f;
  if (strcmp(argv[1], "--concurrent") == 0)
    return concurrent();
  if (strcmp(argv[1], "--contended") == 0)
    return contended();
  if (argc > 2)
    tdc_model_set_num_threads(atoi(argv[2]));
  const void *in[] = {x};
  void *out[] = {y};
  if (tdc_model_run(in, out) != 0)
    return 1;
  printf("threads %d tasks %d\n", tdc_model_get_num_threads(), tasks());
  FILE *f = fopen(argv[1], "wb");
  if (!f || fwrite(y, sizeof y, 1, f) != 1 || fclose(f) != 0)
    return 1;
  void *out1[] = {y1}, *out2[] = {y2};
  tdc_model_set_num_threads(1);
  if (tdc_model_run(in, out1) != 0)
    return 1;
  tdc_model_set_num_threads(2);
  if (tdc_model_run(in, out2) != 0)
    return 1;
  if (memcmp(y, y1, sizeof y) || memcmp(y, y2, sizeof y)) {
    fprintf(stderr, "outputs differ between thread counts\n");
    return 1;
  }
  return 0;
}
