//===- Verify.cpp - run ONNX backend-test directories ---------------------===//
//
// Each test is compiled and run in a forked child (crash isolation, timeouts,
// parallelism); the child reports one status line through a pipe.
//
//===----------------------------------------------------------------------===//
#include "tdc/Driver/Verify.h"
#include "tdc/Driver/Compiler.h"
#include "tdc/Driver/ModelLibrary.h"
#include "tdc/Support/Signature.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace tdc {

namespace {

enum class Status { Pass, Fail, Skip };
const char *statusName(Status s) {
  return s == Status::Pass ? "PASS" : s == Status::Fail ? "FAIL" : "SKIP";
}

struct Outcome {
  Status status = Status::Fail;
  std::string message;
};

std::vector<std::string> listSorted(const std::string &dir,
                                    const std::string &prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    if (name.rfind(prefix, 0) == 0)
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool readIndexed(const std::string &dir, const std::string &prefix,
                 std::vector<std::pair<std::string, Tensor>> &out,
                 std::string &error) {
  for (int i = 0;; ++i) {
    std::string path = dir + "/" + prefix + std::to_string(i) + ".pb";
    if (!llvm::sys::fs::exists(path))
      return true;
    Tensor t;
    if (!readTensorProtoFile(path, t, error))
      return false;
    // Inputs are matched to the model's runtime inputs by position.
    out.push_back({"", std::move(t)});
  }
}

Outcome verifyOne(const std::string &dir, const VerifyOptions &opts,
                  const std::string &workDir) {
  std::string model = dir + "/model.onnx";
  std::vector<std::string> inputNames;
  std::string err;
  if (!onnxRuntimeInputNames(model, inputNames, err))
    return {Status::Fail, err};
  auto sets = listSorted(dir, "test_data_set_");
  if (sets.empty())
    return {Status::Fail, "no test_data_set_* directories"};

  CompileOptions copts;
  copts.input = model;
  copts.output = workDir + "/model.so";
  copts.codegen.optLevel = opts.optLevel;
  copts.derive = opts.derive;
  copts.verifyDerivation = opts.verifyDerivation;
  copts.writeHeader = false;
  std::unique_ptr<ModelLibrary> lib;
  std::vector<std::string> bound;

  // Compile before touching the test data: a model with unsupported types
  // is skipped without parsing data that tdc cannot represent.
  CompileResult first = compileModel(copts);
  if (!first.ok && first.needConstantInputs.empty())
    return {first.unsupported ? Status::Skip : Status::Fail, first.error};
  if (first.ok) {
    lib = ModelLibrary::load(copts.output, "tdc_model", err);
    if (!lib)
      return {Status::Fail, err};
  }

  for (const auto &set : sets) {
    std::vector<std::pair<std::string, Tensor>> inputs, expected;
    if (!readIndexed(set, "input_", inputs, err) ||
        !readIndexed(set, "output_", expected, err))
      return {err.find("unsupported") != std::string::npos ? Status::Skip
                                                           : Status::Fail,
              err};
    if (inputs.size() != inputNames.size())
      return {Status::Fail, "test data has " + std::to_string(inputs.size()) +
                                " inputs, model has " +
                                std::to_string(inputNames.size())};
    std::map<std::string, Tensor> byName;
    for (size_t i = 0; i < inputs.size(); ++i)
      byName[inputNames[i]] = inputs[i].second;

    if (!lib) {
      // Inputs that must be constant (shapes, axes, pads...) are bound to
      // this data set's values; the model is specialized on them.
      for (;;) {
        copts.import.boundInputs.clear();
        for (const auto &b : bound)
          copts.import.boundInputs[b] = byName[b];
        CompileResult r = compileModel(copts);
        if (r.ok)
          break;
        bool progress = false;
        for (const auto &n : r.needConstantInputs)
          if (byName.count(n) &&
              std::find(bound.begin(), bound.end(), n) == bound.end()) {
            bound.push_back(n);
            progress = true;
          }
        if (!progress)
          return {r.unsupported ? Status::Skip : Status::Fail, r.error};
      }
      lib = ModelLibrary::load(copts.output, "tdc_model", err);
      if (!lib)
        return {Status::Fail, err};
    }
    std::vector<Tensor> runInputs;
    for (const auto &s : lib->signature().inputs)
      runInputs.push_back(byName[s.name]);
    std::vector<Tensor> outputs;
    if (!lib->run(runInputs, outputs, err))
      return {Status::Fail, err};
    if (outputs.size() < expected.size())
      return {Status::Fail, "model has fewer outputs than the test data"};
    for (size_t i = 0; i < expected.size(); ++i) {
      std::string why;
      if (!allClose(outputs[i], expected[i].second, opts.rtol, opts.atol,
                    why)) {
        std::string setName = llvm::sys::path::filename(set).str();
        return {Status::Fail, setName + " output " + std::to_string(i) + " ('" +
                                  lib->signature().outputs[i].name +
                                  "'): " + why};
      }
    }
    if (!bound.empty())
      lib.reset(); // the next data set may bind other values
  }
  std::string note;
  for (const auto &b : bound)
    note += (note.empty() ? "inputs bound at compile time: " : ", ") + b;
  return {Status::Pass, note};
}

std::string testName(const std::string &dir) {
  llvm::SmallString<256> d(dir);
  while (d.size() > 1 && d.back() == '/')
    d.pop_back();
  std::string name = llvm::sys::path::filename(d).str();
  std::string parent =
      llvm::sys::path::filename(llvm::sys::path::parent_path(d)).str();
  return parent.empty() ? name : parent + "/" + name;
}

struct Running {
  pid_t pid;
  int fd;
  size_t index;
  std::string buffer;
  std::chrono::steady_clock::time_point start;
};

} // namespace

int runVerify(const VerifyOptions &opts) {
  std::vector<std::string> dirs;
  bool badDirs = false;
  for (const auto &d : opts.dirs) {
    if (llvm::sys::fs::exists(d + "/model.onnx")) {
      dirs.push_back(d);
      continue;
    }
    std::fprintf(stderr,
                 "tdc verify: %s: no model.onnx (not an ONNX backend-test "
                 "directory)\n",
                 d.c_str());
    badDirs = true;
  }
  std::vector<Outcome> outcomes(dirs.size());

  llvm::SmallString<128> work;
  if (llvm::sys::fs::createUniqueDirectory("tdc-verify", work)) {
    std::fprintf(stderr, "tdc verify: cannot create a temporary directory\n");
    return 1;
  }
  std::vector<Running> running;
  size_t next = 0, done = 0;
  auto report = [&](size_t i) {
    const Outcome &o = outcomes[i];
    if (opts.quiet || opts.json)
      return;
    std::printf("%s %s%s%s\n", statusName(o.status), testName(dirs[i]).c_str(),
                o.message.empty() ? "" : ": ", o.message.c_str());
    std::fflush(stdout);
  };
  while (done < dirs.size()) {
    while (running.size() < std::max(1u, opts.jobs) && next < dirs.size()) {
      int fds[2];
      if (pipe(fds) != 0)
        return 1;
      std::string sub = std::string(work) + "/" + std::to_string(next);
      llvm::sys::fs::create_directories(sub);
      pid_t pid = fork();
      if (pid == 0) {
        close(fds[0]);
        Outcome o = verifyOne(dirs[next], opts, sub);
        std::string line = std::string(statusName(o.status)) + "\t" + o.message;
        std::replace(line.begin(), line.end(), '\n', ' ');
        (void)!write(fds[1], line.data(), line.size());
        close(fds[1]);
        _exit(0);
      }
      close(fds[1]);
      running.push_back(
          {pid, fds[0], next, "", std::chrono::steady_clock::now()});
      ++next;
    }
    std::vector<pollfd> pfds;
    for (auto &r : running)
      pfds.push_back({r.fd, POLLIN, 0});
    poll(pfds.data(), pfds.size(), 200);
    for (size_t k = 0; k < running.size();) {
      Running &r = running[k];
      bool finished = false;
      if (pfds[k].revents & (POLLIN | POLLHUP)) {
        char buf[4096];
        ssize_t n = read(r.fd, buf, sizeof buf);
        if (n > 0)
          r.buffer.append(buf, n);
        else
          finished = true;
      }
      auto elapsed = std::chrono::steady_clock::now() - r.start;
      bool timedOut =
          !finished && elapsed > std::chrono::seconds(opts.timeoutSeconds);
      if (timedOut)
        kill(r.pid, SIGKILL);
      if (!finished && !timedOut) {
        ++k;
        continue;
      }
      int wstatus = 0;
      waitpid(r.pid, &wstatus, 0);
      close(r.fd);
      Outcome &o = outcomes[r.index];
      if (timedOut) {
        o = {Status::Fail,
             "timed out after " + std::to_string(opts.timeoutSeconds) + " s"};
      } else if (WIFSIGNALED(wstatus) || r.buffer.empty()) {
        o = {Status::Fail,
             "CRASH: the compiler or compiled code died (" +
                 std::string(WIFSIGNALED(wstatus) ? strsignal(WTERMSIG(wstatus))
                                                  : "no result") +
                 ")"};
      } else {
        size_t tab = r.buffer.find('\t');
        std::string st = r.buffer.substr(0, tab);
        o.status = st == "PASS"   ? Status::Pass
                   : st == "SKIP" ? Status::Skip
                                  : Status::Fail;
        o.message = tab == std::string::npos ? "" : r.buffer.substr(tab + 1);
      }
      llvm::sys::fs::remove_directories(std::string(work) + "/" +
                                        std::to_string(r.index));
      report(r.index);
      ++done;
      running.erase(running.begin() + k);
      pfds.erase(pfds.begin() + k);
    }
  }
  llvm::sys::fs::remove_directories(work);

  size_t pass = 0, fail = 0, skip = 0;
  for (const auto &o : outcomes)
    (o.status == Status::Pass   ? pass
     : o.status == Status::Fail ? fail
                                : skip)++;

  int rc = fail || badDirs ? 1 : 0;
  if (!opts.writeExpectations.empty()) {
    std::ofstream out(opts.writeExpectations);
    out << "# tdc verify expectations: <suite>/<test> PASS|FAIL|SKIP\n";
    std::vector<std::pair<std::string, Status>> rows;
    for (size_t i = 0; i < dirs.size(); ++i)
      rows.push_back({testName(dirs[i]), outcomes[i].status});
    std::sort(rows.begin(), rows.end());
    for (auto &[n, s] : rows)
      out << n << " " << statusName(s) << "\n";
  }
  if (!opts.expectations.empty()) {
    std::ifstream in(opts.expectations);
    if (!in) {
      std::fprintf(stderr, "tdc verify: cannot read %s\n",
                   opts.expectations.c_str());
      return 2;
    }
    std::map<std::string, std::string> expected;
    std::string name, st;
    while (in >> name) {
      if (name[0] == '#') {
        std::getline(in, name);
        continue;
      }
      in >> st;
      expected[name] = st;
    }
    std::vector<std::string> regressions, improvements;
    for (size_t i = 0; i < dirs.size(); ++i) {
      std::string n = testName(dirs[i]);
      auto it = expected.find(n);
      std::string now = statusName(outcomes[i].status);
      if (it != expected.end() && it->second == "PASS" && now != "PASS")
        regressions.push_back(n + " (" + now + ": " + outcomes[i].message +
                              ")");
      else if ((it == expected.end() || it->second != "PASS") && now == "PASS")
        improvements.push_back(n);
    }
    for (auto &n : improvements)
      std::printf("newly passing: %s\n", n.c_str());
    for (auto &n : regressions)
      std::printf("REGRESSION: %s\n", n.c_str());
    std::printf("%zu regressions, %zu newly passing (update %s)\n",
                regressions.size(), improvements.size(),
                opts.expectations.c_str());
    rc = regressions.empty() && !badDirs ? 0 : 1;
  }
  if (opts.json) {
    std::printf("{\"passed\":%zu,\"failed\":%zu,\"skipped\":%zu,\"tests\":[",
                pass, fail, skip);
    for (size_t i = 0; i < dirs.size(); ++i)
      std::printf("%s{\"name\":%s,\"status\":\"%s\",\"message\":%s}",
                  i ? "," : "", jsonQuote(testName(dirs[i])).c_str(),
                  statusName(outcomes[i].status),
                  jsonQuote(outcomes[i].message).c_str());
    std::printf("]}\n");
  } else {
    std::printf("%zu passed, %zu failed, %zu skipped\n", pass, fail, skip);
  }
  return rc;
}

} // namespace tdc
