noinst_LIBRARIES += src/event/librjevent.a
src_event_librjevent_a_SOURCES = \
	src/event/source.h \
	src/event/loop.h \
	src/event/loop.cc
tests_unit_tests_SOURCES += tests/unit/test_event_loop.cc
