noinst_LIBRARIES += src/event/librjevent.a
src_event_librjevent_a_SOURCES =
