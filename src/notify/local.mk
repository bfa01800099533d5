noinst_LIBRARIES += src/notify/librjnotify.a
# Job-end notifications: the message (pure) and libcurl's multi interface on the loop.
src_notify_librjnotify_a_SOURCES = \
	src/notify/message.h src/notify/message.cc \
	src/notify/sender.h src/notify/sender.cc
tests_unit_tests_SOURCES += tests/unit/test_notify.cc
