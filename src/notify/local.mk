noinst_LIBRARIES += src/notify/librjnotify.a
src_notify_librjnotify_a_SOURCES =
