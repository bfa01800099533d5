noinst_LIBRARIES += src/remote/librjremote.a
src_remote_librjremote_a_SOURCES =
