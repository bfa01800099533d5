noinst_LIBRARIES += src/ssh/librjssh.a
src_ssh_librjssh_a_SOURCES =
