noinst_LIBRARIES += src/util/librjutil.a
src_util_librjutil_a_SOURCES = src/util/error.h src/util/saturating.h src/util/duration.h src/util/duration.cc
src_util_librjutil_a_SOURCES += src/util/xdg.h src/util/xdg.cc src/util/strings.h src/util/strings.cc
src_util_librjutil_a_SOURCES += src/util/base64.h src/util/base64.cc
src_util_librjutil_a_SOURCES += src/util/shell_quote.h src/util/shell_quote.cc
src_util_librjutil_a_SOURCES += src/util/json.h src/util/json.cc
src_util_librjutil_a_SOURCES += src/util/terminal_text.h src/util/terminal_text.cc
src_util_librjutil_a_SOURCES += src/util/progress.h src/util/progress.cc
