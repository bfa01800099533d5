// Tests whose precondition is missing (not root, no iptables, no busybox):
// in CI (CI=true) that is a failure, since CI must run every test; elsewhere
// the test warns, returns, and is listed as SKIPPED when the program ends,
// so a run that could not check something never reads as all-passed.
#pragma once

#include <string>

namespace testing_support {

// true: `what` is available, go on. false: skipped here (the caller returns).
// Under CI=true it FAILs the test case instead of returning false.
bool precondition(bool available, const std::string& what);

}  // namespace testing_support
