# Test sources that belong to no single layer.
tests_unit_tests_SOURCES += tests/unit/test_duration.cc tests/unit/test_host_times.cc
tests_unit_tests_SOURCES += tests/precondition.h tests/precondition.cc
tests_integration_tests_SOURCES += tests/precondition.h tests/precondition.cc

# Real-SSH test hosts (tests/harness/testhosts) and the tests of that harness.
tests_integration_tests_SOURCES += tests/harness/test_hosts.cc tests/harness/test_hosts.h
tests_integration_tests_SOURCES += tests/integration/test_harness.cc
tests_integration_tests_SOURCES += tests/integration/test_ssh_session.cc tests/integration/test_ssh_waits.cc
tests_unit_tests_SOURCES += tests/unit/test_json.cc tests/unit/test_table.cc tests/unit/test_terminal_text.cc
tests_unit_tests_SOURCES += tests/unit/test_cli_await.cc

# The full-screen UI: unit-level tests and the real rj driven inside tmux (tests/tui).
tests_integration_tests_SOURCES += tests/tui/tui_session.h tests/tui/tui_session.cc
tests_integration_tests_SOURCES += tests/tui/test_tui_units.cc tests/tui/test_tui.cc
# The interface's NO_COLOR, color, --mouse, --config and -F, by what the terminal receives (issue 29).
tests_integration_tests_SOURCES += tests/tui/test_tui_options.cc
tests_integration_tests_SOURCES += tests/integration/test_hosts_command.cc

# Jobs end to end through the real rj binary (issue 3).
tests_integration_tests_SOURCES += tests/integration/rj_runner.cc tests/integration/rj_runner.h
tests_integration_tests_SOURCES += tests/integration/test_jobs_lifecycle.cc
tests_integration_tests_SOURCES += tests/integration/test_jobs_faults.cc
tests_integration_tests_SOURCES += tests/integration/test_jobs_log.cc tests/integration/test_queues.cc tests/integration/test_code.cc \
	tests/integration/test_pools.cc tests/integration/test_plans.cc
tests_integration_tests_SOURCES += tests/integration/test_kill_race.cc tests/integration/test_runner_idle.cc
tests_integration_tests_SOURCES += tests/integration/test_jobs_quoting.cc
tests_integration_tests_SOURCES += tests/integration/test_jobs_cli.cc
# Commands and flags no other test exercised, and the guard that every flag has a test (issue 29).
tests_integration_tests_SOURCES += tests/integration/test_untested_cli.cc
# Any host ssh reaches (issue 28).
tests_integration_tests_SOURCES += tests/integration/test_any_host.cc
tests_integration_tests_SOURCES += tests/integration/test_dropin.cc tests/integration/test_import.cc
EXTRA_DIST += tests/data/remote-jobs-readme-commands.txt
# A sanitizer report fails a test (issue 29; compiled in only by tests/sanitize/run-sanitized).
tests_integration_tests_SOURCES += tests/integration/test_sanitizer_pipeline.cc
tests_integration_tests_SOURCES += tests/integration/test_integrity.cc
# Hostile and unusual hosts (issue 11).
tests_integration_tests_SOURCES += tests/integration/test_hostile.cc
tests_integration_tests_SOURCES += tests/integration/test_notify.cc

# SLURM clusters as hosts (issue 12): a real single-node SLURM (tests/harness/slurm-cluster).
tests_integration_tests_SOURCES += tests/harness/slurm_cluster.h tests/harness/slurm_cluster.cc
tests_integration_tests_SOURCES += tests/integration/test_slurm.cc
EXTRA_DIST += tests/harness/slurm-cluster

# The layers, checked: faces reach lower layers only through the engine.
TESTS += tests/layering.sh
EXTRA_DIST += tests/layering.sh
# No Linux-only call outside src/util/portable.cc (issue 27: macOS laptops).
TESTS += tests/portability.sh
EXTRA_DIST += tests/portability.sh
# The POSIX fallbacks (what macOS runs) built and tested on Linux, in a clone
# of HEAD (tests/posix/run-fallbacks, by hand; .ci/run's sanitized build has
# the fallbacks too); a Homebrew formula.
EXTRA_DIST += tests/posix/run-fallbacks contrib/homebrew/rj.rb
# contrib/install-deps on macOS, against fakes of brew and curl.
TESTS += tests/install-deps-macos.sh
EXTRA_DIST += tests/install-deps-macos.sh
.PHONY: check-fallbacks
check-fallbacks:
	$(SHELL) $(top_srcdir)/tests/posix/run-fallbacks
tests_integration_tests_SOURCES += tests/integration/test_acct.cc
tests_unit_tests_SOURCES += tests/unit/test_progress.cc
# Patterns on RE2 (issue 22): refusals, linear time, --grep read alike by rj and grep -E.
tests_unit_tests_SOURCES += tests/unit/test_regex.cc
tests_integration_tests_SOURCES += tests/integration/test_patterns.cc

# macOS hosts (issue 11): fakes of uname, sysctl and vm_stat that print real macOS output.
EXTRA_DIST += tests/harness/macos-fakes/uname tests/harness/macos-fakes/sysctl tests/harness/macos-fakes/vm_stat
tests_integration_tests_SOURCES += tests/integration/test_macos.cc
# Every external command of the remote scripts is listed in docs/ARCHITECTURE.md.
TESTS += tests/remote-commands.sh
EXTRA_DIST += tests/remote-commands.sh
# The benchmarks' measure: a failed run fails it, never a fast figure.
TESTS += tests/bench-measure.sh
EXTRA_DIST += tests/bench-measure.sh tests/bench/measure.sh
# The fault suite (issue 11): hosts and clients dying mid-operation, a laptop
# that sleeps, a storm of concurrent commands.
tests_integration_tests_SOURCES += tests/integration/test_faults_host.cc
tests_integration_tests_SOURCES += tests/integration/test_faults_client.cc tests/tui/test_tui_faults.cc
