//===- Tune.cpp - the `tdc tune` command ----------------------------------===//
//
// Coordinate descent over the schedule knobs of the model's heaviest op
// signatures: each candidate is compiled into the whole model (so that it
// is measured where it runs, next to its neighbours and with the thread
// team) and kept when the model gets faster by a margin. The model's
// outputs are compared with the untuned library's on every candidate, so a
// knob that breaks a schedule is rejected, not recorded.
//
//===----------------------------------------------------------------------===//
#include "tdc/Driver/Tune.h"
#include "tdc/Driver/ModelLibrary.h"
#include "tdc/Transforms/ScheduleKnobs.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace tdc {

namespace {

struct OpKey {
  std::string key;
  int64_t work = 0, count = 0;
};

/// A derivation program whose search found a derived alternative.
struct DeriveKey {
  std::string key;
  bool derived = false; // what the cost model chose
  double gain = 0;      // estimated seconds saved
};

bool readDeriveKeys(const std::string &path, std::vector<DeriveKey> &out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(line);
    if (!v) {
      llvm::consumeError(v.takeError());
      return false;
    }
    const llvm::json::Object *o = v->getAsObject();
    DeriveKey k;
    k.key = o->getString("key").value_or("").str();
    k.derived = o->getBoolean("derived").value_or(false);
    k.gain = o->getNumber("cost_before").value_or(0) -
             o->getNumber("cost_after").value_or(0);
    out.push_back(k);
  }
  return true;
}

bool readKeys(const std::string &path, std::vector<OpKey> &out,
              std::string &error) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(line);
    if (!v) {
      error = "internal error: bad key list: " + llvm::toString(v.takeError());
      return false;
    }
    const llvm::json::Object *o = v->getAsObject();
    OpKey k;
    k.key = o->getString("key").value_or("").str();
    k.work = o->getInteger("work").value_or(0);
    k.count = o->getInteger("count").value_or(0);
    out.push_back(k);
  }
  return true;
}

/// A compiled library, timed, with its outputs.
struct Measured {
  bool ok = false;
  double ms = 0;
  std::vector<Tensor> outputs;
  std::string error;
};

Measured measure(const TuneOptions &t, const std::string &libPath) {
  Measured m;
  std::unique_ptr<ModelLibrary> lib =
      ModelLibrary::load(libPath, t.compile.codegen.symbolPrefix, m.error);
  if (!lib)
    return m;
  lib->setNumThreads(t.threads);
  std::vector<Tensor> inputs = randomInputs(lib->signature(), 0);
  for (const auto &s : lib->signature().outputs)
    m.outputs.emplace_back(s.dtype, s.shape);
  std::vector<const void *> in;
  std::vector<void *> out;
  for (auto &x : inputs)
    in.push_back(x.data.data());
  for (auto &x : m.outputs)
    out.push_back(x.data.data());
  for (int i = 0; i < t.warmup; ++i)
    lib->runRaw(in.data(), out.data());
  // The minimum: other processes only ever add time.
  m.ms = 1e30;
  for (int i = 0; i < std::max(1, t.runs); ++i) {
    auto s = std::chrono::steady_clock::now();
    lib->runRaw(in.data(), out.data());
    m.ms = std::min(m.ms, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - s)
                              .count());
  }
  m.ok = true;
  return m;
}

/// Outputs equal up to float rounding (schedules reorder sums).
bool sameOutputs(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].numElements() != b[i].numElements())
      return false;
    for (int64_t e = 0, n = a[i].numElements(); e < n; ++e) {
      double x = a[i].getDouble(e), y = b[i].getDouble(e);
      if (!(std::fabs(x - y) <= 1e-4 + 1e-3 * std::fabs(y)) &&
          !(std::isnan(x) && std::isnan(y)))
        return false;
    }
  }
  return true;
}

/// Candidate values of each knob (0, the analytic choice, is the start).
const std::vector<std::pair<const char *, std::vector<int64_t>>> kCandidates = {
    {"rows", {4, 6, 8}},
    {"kc", {128, 512}},
    {"nc", {128, 512}},
    {"tasks", {2, 4, 16}}};

int64_t &field(ScheduleKnobs &k, const std::string &name) {
  if (name == "rows")
    return k.rows;
  if (name == "kc")
    return k.kc;
  if (name == "nc")
    return k.nc;
  return k.tasks;
}

std::string describe(const ScheduleKnobs &k) {
  std::string s;
  ScheduleKnobs c = k;
  for (const char *n : {"rows", "kc", "nc", "tasks"})
    if (int64_t v = field(c, n))
      s += (s.empty() ? "" : " ") + std::string(n) + "=" + std::to_string(v);
  return s.empty() ? "analytic" : s;
}

class Progress {
public:
  Progress(int total, bool quiet)
      : total(total), tty(!quiet && isatty(fileno(stderr))), quiet(quiet) {}
  void step(const std::string &what) {
    ++done;
    if (tty) {
      int width = 30, filled = total ? width * done / total : width;
      std::fprintf(
          stderr, "\r[%s%s] %d/%d %-60.60s", std::string(filled, '#').c_str(),
          std::string(width - filled, ' ').c_str(), done, total, what.c_str());
      std::fflush(stderr);
    } else if (!quiet) {
      std::fprintf(stderr, "tune: %d/%d %s\n", done, total, what.c_str());
    }
  }
  void finish() {
    if (tty)
      std::fprintf(stderr, "\n");
  }

private:
  int total, done = 0;
  bool tty, quiet;
};

} // namespace

int runTune(const TuneOptions &t) {
  auto fail = [](const std::string &msg) {
    std::fprintf(stderr, "%s\n", msg.c_str());
    return 1;
  };
  ScheduleRecords records;
  std::string error;
  if (llvm::sys::fs::exists(t.records) &&
      !readScheduleRecords(t.records, records, error))
    return fail("tdc tune: " + error);
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("tdc-tune", dir))
    return fail("tdc tune: cannot create a temporary directory");
  std::string tmp(dir);
  auto cleanup = [&] { llvm::sys::fs::remove_directories(tmp); };
  int serial = 0;
  // Compile with `recs` (written to a file of its own) and measure.
  auto trial = [&](const ScheduleRecords &recs, std::string *keysOut,
                   Measured &m, std::string *deriveKeysOut = nullptr) -> bool {
    CompileOptions o = t.compile;
    o.emit = EmitKind::Lib;
    o.writeHeader = false;
    // dlopen caches by path: every library gets its own.
    o.output = tmp + "/trial" + std::to_string(serial) + ".so";
    o.records = tmp + "/records" + std::to_string(serial++) + ".jsonl";
    if (!writeScheduleRecords(o.records, recs, error))
      return false;
    if (keysOut)
      o.listScheduleKeys = *keysOut;
    if (deriveKeysOut)
      o.listDeriveKeys = *deriveKeysOut;
    CompileResult r = compileModel(o);
    if (!r.ok) {
      error = r.error;
      return false;
    }
    m = measure(t, o.output);
    llvm::sys::fs::remove(o.output);
    if (!m.ok)
      error = m.error;
    return m.ok;
  };

  std::string keysPath = tmp + "/keys.jsonl";
  std::string deriveKeysPath = tmp + "/derive-keys.jsonl";
  Measured base, start;
  if (!trial({}, &keysPath, base, &deriveKeysPath)) {
    cleanup();
    return fail(error);
  }
  std::vector<OpKey> keys;
  if (!readKeys(keysPath, keys, error)) {
    cleanup();
    return fail("tdc tune: " + error);
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const OpKey &a, const OpKey &b) {
                     return a.work * a.count > b.work * b.count;
                   });
  if ((int)keys.size() > t.maxOps)
    keys.resize(t.maxOps);
  // Derivation decisions to measure: the largest estimated gains first.
  std::vector<DeriveKey> deriveKeys;
  if (llvm::sys::fs::exists(deriveKeysPath) &&
      !readDeriveKeys(deriveKeysPath, deriveKeys)) {
    cleanup();
    return fail("tdc tune: internal error: bad derivation key list");
  }
  std::stable_sort(
      deriveKeys.begin(), deriveKeys.end(),
      [](const DeriveKey &a, const DeriveKey &b) { return a.gain > b.gain; });
  if ((int)deriveKeys.size() > t.maxOps)
    deriveKeys.resize(t.maxOps);
  // Records of ops this model does not have are kept as they are.
  start = base;
  if (!records.empty() && !trial(records, nullptr, start)) {
    cleanup();
    return fail(error);
  }
  double best = start.ms;
  int total = 0;
  for (auto &c : kCandidates)
    total += (int)c.second.size();
  Progress progress(total * (int)keys.size() + (int)deriveKeys.size(), t.json);
  // Time the model with `next`: its time when it compiled, ran and
  // computed the untuned outputs, else nothing (the progress says why).
  auto tryCandidate = [&](const ScheduleRecords &next,
                          const std::string &what) -> std::optional<double> {
    Measured m;
    if (!trial(next, nullptr, m)) {
      progress.step(what + ": failed");
      if (!t.json)
        std::fprintf(stderr, "\ntdc tune: candidate %s failed: %s\n",
                     what.c_str(), error.c_str());
      return std::nullopt;
    }
    if (!sameOutputs(m.outputs, base.outputs)) {
      progress.step(what + ": wrong outputs, rejected");
      return std::nullopt;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, ": %.3f ms (best %.3f)", m.ms, best);
    progress.step(what + buf);
    return m.ms;
  };
  // First the derivation decisions (they change which ops there are):
  // each program the search derived is tried kept, each it kept derived.
  for (size_t di = 0; di < deriveKeys.size(); ++di) {
    const DeriveKey &k = deriveKeys[di];
    ScheduleRecords next = records;
    bool current = records.count(k.key) && records[k.key].derive >= 0
                       ? records[k.key].derive == 1
                       : k.derived;
    next[k.key].derive = current ? 0 : 1;
    std::string what = "derivation " + std::to_string(di + 1) + ": " +
                       (current ? "keep" : "derive");
    std::optional<double> ms = tryCandidate(next, what);
    if (ms && *ms < best * (1 - t.minGain)) {
      best = *ms;
      next[k.key].ms = *ms;
      next[k.key].defaultMs = base.ms;
      records = next;
    }
  }
  for (size_t ki = 0; ki < keys.size(); ++ki) {
    const OpKey &k = keys[ki];
    ScheduleRecord rec =
        records.count(k.key) ? records[k.key] : ScheduleRecord{};
    for (const auto &[name, values] : kCandidates)
      for (int64_t v : values) {
        ScheduleKnobs cand = rec.knobs;
        if (field(cand, name) == v) {
          progress.step("op " + std::to_string(ki + 1) + ": " + name + "=" +
                        std::to_string(v) + " (current)");
          continue;
        }
        field(cand, name) = v;
        ScheduleRecords next = records;
        next[k.key].knobs = cand;
        std::string what =
            "op " + std::to_string(ki + 1) + ": " + describe(cand);
        std::optional<double> ms = tryCandidate(next, what);
        if (ms && *ms < best * (1 - t.minGain)) {
          best = *ms;
          rec.knobs = cand;
          rec.ms = *ms;
          rec.defaultMs = base.ms;
          records[k.key] = rec;
        }
      }
  }
  progress.finish();
  // A win found once may be noise (other processes): confirm it by timing
  // the tuned and the untuned model in turns; keep the records only when
  // the tuned one is still faster.
  bool confirmed = true;
  double tunedMs = best, untunedMs = base.ms;
  if (best < start.ms) {
    double sumTuned = 0, sumUntuned = 0;
    for (int round = 0; round < 3 && confirmed; ++round) {
      Measured a, b;
      if (!trial({}, nullptr, a) || !trial(records, nullptr, b)) {
        confirmed = false;
        break;
      }
      sumUntuned += a.ms;
      sumTuned += b.ms;
    }
    confirmed = confirmed && sumTuned < sumUntuned * (1 - t.minGain);
    tunedMs = sumTuned / 3;
    untunedMs = sumUntuned / 3;
  } else {
    confirmed = false;
  }
  cleanup();
  if (!confirmed) {
    ScheduleRecords kept;
    if (llvm::sys::fs::exists(t.records) &&
        !readScheduleRecords(t.records, kept, error))
      return fail("tdc tune: " + error);
    records = kept;
    tunedMs = untunedMs = start.ms;
  }
  best = tunedMs;
  base.ms = untunedMs;
  if (!writeScheduleRecords(t.records, records, error))
    return fail("tdc tune: " + error);
  if (t.json) {
    llvm::json::Array ops;
    for (const OpKey &k : keys) {
      auto found = records.find(k.key);
      ops.push_back(llvm::json::Object{
          {"key", k.key},
          {"multiply_adds", k.work * k.count},
          {"schedule", found == records.end()
                           ? std::string("analytic")
                           : describe(found->second.knobs)}});
    }
    llvm::json::Array derivations;
    for (const DeriveKey &k : deriveKeys) {
      auto found = records.find(k.key);
      bool derived = found != records.end() && found->second.derive >= 0
                         ? found->second.derive == 1
                         : k.derived;
      derivations.push_back(llvm::json::Object{
          {"key", k.key}, {"derived", derived}, {"estimated", k.derived}});
    }
    std::string s;
    llvm::raw_string_ostream os(s);
    os << llvm::json::Value(
        llvm::json::Object{{"records", t.records},
                           {"derivations", std::move(derivations)},
                           {"default_ms", base.ms},
                           {"tuned_ms", best},
                           {"confirmed", confirmed},
                           {"ops", std::move(ops)}});
    std::printf("%s\n", s.c_str());
  } else {
    if (confirmed)
      std::printf("tuned %zu op signatures: %.3f ms untuned -> %.3f ms "
                  "tuned (mean of 3 alternating rounds, each the fastest of "
                  "%d runs); records in %s\n",
                  keys.size(), base.ms, best, t.runs, t.records.c_str());
    else
      std::printf("tuned %zu op signatures: no candidate made the model "
                  "faster by %.0f%% when re-timed; %s left as it was\n",
                  keys.size(), t.minGain * 100, t.records.c_str());
    for (const DeriveKey &k : deriveKeys) {
      auto found = records.find(k.key);
      bool derived = found != records.end() && found->second.derive >= 0
                         ? found->second.derive == 1
                         : k.derived;
      std::printf("  %s: %s%s\n", k.key.c_str(), derived ? "derived" : "kept",
                  derived == k.derived ? " (as estimated)" : " (measured)");
    }
    for (const OpKey &k : keys) {
      auto found = records.find(k.key);
      std::printf("  %s  x%lld: %s\n", k.key.c_str(), (long long)k.count,
                  found == records.end()
                      ? "analytic"
                      : describe(found->second.knobs).c_str());
    }
  }
  return 0;
}

} // namespace tdc
