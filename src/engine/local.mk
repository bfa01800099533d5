noinst_LIBRARIES += src/engine/librjengine.a
src_engine_librjengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/engine.cc \
	src/engine/host_check.h \
	src/engine/host_check.cc
