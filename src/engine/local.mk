noinst_LIBRARIES += src/engine/librjengine.a
src_engine_librjengine_a_SOURCES =
