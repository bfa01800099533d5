noinst_LIBRARIES += src/tui/librjtui.a
src_tui_librjtui_a_SOURCES = \
	src/tui/app.h src/tui/app.cc \
	src/tui/ui.h src/tui/ui.cc src/tui/ui_actions.cc src/tui/ui_remote.cc src/tui/ui_queues.cc \
	src/tui/model.h src/tui/model.cc \
	src/tui/keymap.h src/tui/keymap.cc \
	src/tui/layout.h src/tui/layout.cc \
	src/tui/theme.h src/tui/theme.cc \
	src/tui/text.h src/tui/text.cc \
	src/tui/pane.h src/tui/pane.cc \
	src/tui/header_pane.h src/tui/header_pane.cc \
	src/tui/hosts_pane.h src/tui/hosts_pane.cc \
	src/tui/queues_pane.h src/tui/queues_pane.cc \
	src/tui/jobs_pane.h src/tui/jobs_pane.cc \
	src/tui/detail_pane.h src/tui/detail_pane.cc \
	src/tui/function_bar.h src/tui/function_bar.cc \
	src/tui/form.h src/tui/form.cc \
	src/tui/job_form.h src/tui/job_form.cc \
	src/tui/dialog.h src/tui/dialog.cc \
	src/tui/help.h src/tui/help.cc \
	src/tui/job_list.h src/tui/job_list.cc \
	src/tui/log_view.h src/tui/log_view.cc \
	src/tui/host_view.h src/tui/host_view.cc \
	src/tui/job_format.h src/tui/job_format.cc
