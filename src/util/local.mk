noinst_LIBRARIES += src/util/librjutil.a
src_util_librjutil_a_SOURCES = src/util/error.h src/util/duration.h src/util/duration.cc
