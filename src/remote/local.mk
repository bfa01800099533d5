noinst_LIBRARIES += src/remote/librjremote.a
src_remote_librjremote_a_SOURCES = \
	src/remote/protocol.h \
	src/remote/scripts.h \
	src/remote/scripts.cc \
	src/remote/build.cc \
	src/remote/foreign.h \
	src/remote/foreign.cc \
	src/remote/parse.cc \
	src/remote/build_support.h \
	src/remote/slurm.h \
	src/remote/slurm_build.cc \
	src/remote/slurm_parse.cc

# The programs rj runs on hosts are real POSIX sh files, embedded at build
# time (contrib/embed-sh) and checked with shellcheck by `make check`.
RJ_REMOTE_SH = src/remote/sh/prelude.sh src/remote/sh/snapshot.sh src/remote/sh/sampler.sh src/remote/sh/wrapper.sh src/remote/sh/submit.sh \
	src/remote/sh/facts.sh src/remote/sh/sync.sh src/remote/sh/kill.sh src/remote/sh/log.sh \
	src/remote/sh/host_info.sh src/remote/sh/cleanup.sh src/remote/sh/remove.sh src/remote/sh/usage.sh \
	src/remote/sh/queue_lib.sh src/remote/sh/runner.sh src/remote/sh/enqueue.sh src/remote/sh/queue_ctl.sh src/remote/sh/diff.sh \
	src/remote/sh/hostfacts_lib.sh src/remote/sh/free.sh src/remote/sh/foreign.sh \
	src/remote/sh/slurm_submit.sh src/remote/sh/slurm_sync.sh src/remote/sh/slurm_kill.sh src/remote/sh/slurm_ctl.sh src/remote/sh/slurm_info.sh
nodist_src_remote_librjremote_a_SOURCES = src/remote/sh_embedded.cc
BUILT_SOURCES += src/remote/sh_embedded.cc
CLEANFILES += src/remote/sh_embedded.cc
EXTRA_DIST += $(RJ_REMOTE_SH) contrib/embed-sh tests/shellcheck-remote.sh
src/remote/sh_embedded.cc: $(RJ_REMOTE_SH) $(top_srcdir)/contrib/embed-sh
	$(AM_V_GEN)$(MKDIR_P) src/remote && \
	(cd $(srcdir) && $(SHELL) contrib/embed-sh $(abs_builddir)/$@ $(RJ_REMOTE_SH))
TESTS += tests/shellcheck-remote.sh

tests_unit_tests_SOURCES += \
	tests/unit/test_shell_quote.cc \
	tests/unit/test_remote_support.h \
	tests/unit/test_remote_support.cc \
	tests/unit/test_remote_parse.cc \
	tests/unit/test_remote_jobs.cc \
	tests/unit/test_remote_log.cc \
	tests/unit/test_remote_roundtrip.cc tests/unit/test_remote_usage.cc tests/unit/test_remote_sampler.cc tests/unit/test_remote_queue.cc \
	tests/unit/test_remote_macos.cc
tests_unit_tests_SOURCES += tests/unit/test_remote_claims.cc tests/unit/test_remote_foreign.cc
