//===- Linker.cpp - object -> self-contained shared library ---------------===//
//
// The system C compiler driver links the object; the library depends only on
// libc and libm (the generated code calls malloc/free and libm functions).
//
//===----------------------------------------------------------------------===//
#include "tdc/Target/CPU/CodeGen.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

using namespace llvm;

namespace tdc {

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
  SmallVector<StringRef> args = {
      driver, "-shared", "-o", tmp, objectPath, "-Wl,--no-undefined", "-lm"};
  std::string msg;
  int rc = sys::ExecuteAndWait(driver, args, std::nullopt, {}, 0, 0, &msg);
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
