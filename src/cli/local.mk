noinst_LIBRARIES += src/cli/librjcli.a
src_cli_librjcli_a_SOURCES =
