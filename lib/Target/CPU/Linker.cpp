//===- Linker.cpp - object -> self-contained shared library ---------------===//
//
// The system C compiler driver links the object together with tdc's thread
// team runtime (runtime/tdc_runtime.c, compiled when tdc was built and
// embedded here); the library depends only on libc and libm (the generated
// code calls malloc/free and libm functions, the runtime pthreads, which
// glibc has in libc).
//
//===----------------------------------------------------------------------===//
#include "tdc/Target/CPU/CodeGen.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include "tdc/Target/CPU/RuntimeObject.inc"

using namespace llvm;

namespace tdc {

bool writeRuntimeObject(const std::string &path, std::string &error) {
  std::error_code ec;
  {
    raw_fd_ostream out(path + ".tmp", ec, sys::fs::OF_None);
    if (!ec) {
      out.write(reinterpret_cast<const char *>(kRuntimeObject),
                sizeof kRuntimeObject);
      out.close();
      ec = out.error();
    }
  }
  if (!ec)
    ec = sys::fs::rename(path + ".tmp", path);
  if (ec) {
    error = path + ": " + ec.message();
    sys::fs::remove(path + ".tmp");
    return false;
  }
  return true;
}

bool linkSharedLibrary(const std::string &objectPath,
                       const std::string &libraryPath, std::string &error) {
  std::string driver;
  for (const char *name : {"cc", "gcc", "clang"}) {
    if (auto p = sys::findProgramByName(name)) {
      driver = *p;
      break;
    }
  }
  if (driver.empty()) {
    error = "no C compiler driver (cc, gcc or clang) found to link the "
            "shared library; use --emit=obj and link it yourself";
    return false;
  }
  std::string tmp = libraryPath + ".tmp";
  std::string runtime = libraryPath + ".rt.o";
  if (!writeRuntimeObject(runtime, error))
    return false;
  SmallVector<StringRef> args = {
      driver, "-shared", "-o", tmp, objectPath, runtime, "-Wl,--no-undefined",
      "-lm"};
  std::string msg;
  int rc = sys::ExecuteAndWait(driver, args, std::nullopt, {}, 0, 0, &msg);
  sys::fs::remove(runtime);
  if (rc != 0) {
    error =
        "linking " + libraryPath + " failed" + (msg.empty() ? "" : ": " + msg);
    sys::fs::remove(tmp);
    return false;
  }
  if (auto ec = sys::fs::rename(tmp, libraryPath)) {
    error = libraryPath + ": " + ec.message();
    sys::fs::remove(tmp);
    return false;
  }
  return true;
}

} // namespace tdc
