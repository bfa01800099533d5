noinst_LIBRARIES += src/cli/librjcli.a
src_cli_librjcli_a_SOURCES = \
	src/cli/batch.h \
	src/cli/batch.cc \
	src/cli/command.h \
	src/cli/commands.cc \
	src/cli/table.h \
	src/cli/table.cc \
	src/cli/cmd_hosts.cc
