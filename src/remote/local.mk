noinst_LIBRARIES += src/remote/librjremote.a
src_remote_librjremote_a_SOURCES = \
	src/remote/protocol.h \
	src/remote/scripts.h \
	src/remote/scripts.cc \
	src/remote/scripts_ops.cc \
	src/remote/build.cc \
	src/remote/parse.cc
tests_unit_tests_SOURCES += \
	tests/unit/test_shell_quote.cc \
	tests/unit/test_remote_support.h \
	tests/unit/test_remote_support.cc \
	tests/unit/test_remote_parse.cc \
	tests/unit/test_remote_jobs.cc \
	tests/unit/test_remote_log.cc \
	tests/unit/test_remote_roundtrip.cc tests/unit/test_remote_usage.cc
