# Fuzz targets (tests/fuzz/fuzz_*.cc, libFuzzer entry points). Here they are
# built with the normal compiler into replay programs that run each checked-in
# corpus as a regression test; tests/fuzz/run-fuzzers builds them with clang's
# libFuzzer and sanitizers and fuzzes a fixed number of inputs from a fixed
# seed (the CI gate), tests/fuzz/explore for as long as asked (exploration).
RJ_FUZZ_TARGETS = sync journal replies probe slurm ssh_config known_hosts config plan duration script clock
FUZZ_REPLAY_BINS = tests/fuzz/replay_sync tests/fuzz/replay_journal tests/fuzz/replay_replies tests/fuzz/replay_probe tests/fuzz/replay_slurm tests/fuzz/replay_ssh_config tests/fuzz/replay_known_hosts tests/fuzz/replay_config tests/fuzz/replay_plan tests/fuzz/replay_duration tests/fuzz/replay_script tests/fuzz/replay_clock
check_PROGRAMS += $(FUZZ_REPLAY_BINS)
tests_fuzz_replay_sync_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_sync.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_sync_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_journal_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_journal.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_journal_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_replies_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_replies.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_replies_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_probe_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_probe.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_probe_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_slurm_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_slurm.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_slurm_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_ssh_config_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_ssh_config.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_ssh_config_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_known_hosts_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_known_hosts.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_known_hosts_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_config_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_config.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_config_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_plan_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_plan.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_plan_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_duration_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_duration.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_duration_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_script_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_script.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_script_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
tests_fuzz_replay_clock_SOURCES = tests/fuzz/replay_main.cc tests/fuzz/fuzz_clock.cc tests/fuzz/fuzz_support.h
tests_fuzz_replay_clock_LDADD = $(RJ_LIBS) $(RJ_EXTERNAL_LIBS)
TESTS += tests/fuzz/replay-corpora.sh
EXTRA_DIST += tests/fuzz/replay-corpora.sh tests/fuzz/run-fuzzers tests/fuzz/explore tests/fuzz/fuzz-build.sh
# The seed corpora, one folder per target. A folder is fine here: nothing is
# built into it (run-fuzzers fuzzes copies in its own build folder).
EXTRA_DIST += tests/fuzz/corpus
CLEANFILES += tests/fuzz/replay_*.err
