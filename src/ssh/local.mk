noinst_LIBRARIES += src/ssh/librjssh.a
src_ssh_librjssh_a_SOURCES = \
	src/ssh/host_pattern.h \
	src/ssh/host_pattern.cc \
	src/ssh/destination.h \
	src/ssh/destination.cc \
	src/ssh/ssh_config.h \
	src/ssh/ssh_config.cc \
	src/ssh/known_hosts.h \
	src/ssh/known_hosts.cc \
	src/ssh/resolver.h \
	src/ssh/resolver.cc \
	src/ssh/transport.h \
	src/ssh/transport.cc \
	src/ssh/key_file.h \
	src/ssh/key_file.cc \
	src/ssh/authenticator.h \
	src/ssh/authenticator.cc \
	src/ssh/session.h \
	src/ssh/session.cc \
	src/ssh/session_exec.h \
	src/ssh/session_channels.cc \
	src/ssh/session_alive.cc \
	src/ssh/connections.h \
	src/ssh/connections.cc
tests_unit_tests_SOURCES += tests/unit/test_ssh_config.cc tests/unit/test_ssh_config_corpus.cc tests/unit/test_destination.cc
EXTRA_DIST += tests/data/ssh-configs
tests_unit_tests_SOURCES += tests/unit/test_known_hosts.cc
tests_unit_tests_SOURCES += tests/unit/test_resolver.cc
