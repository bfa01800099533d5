noinst_LIBRARIES += src/tui/librjtui.a
src_tui_librjtui_a_SOURCES =
