noinst_LIBRARIES += src/cli/librjcli.a
src_cli_librjcli_a_SOURCES = \
	src/cli/batch.h \
	src/cli/batch.cc \
	src/cli/command.h \
	src/cli/commands.cc \
	src/cli/table.h \
	src/cli/table.cc \
	src/cli/cmd_hosts.cc \
	src/cli/cmd_help.cc \
	src/cli/cmd_run.cc \
	src/cli/cmd_status.cc \
	src/cli/cmd_list.cc \
	src/cli/cmd_log.cc \
	src/cli/cmd_jobs.cc \
	src/cli/cmd_queue.cc \
	src/cli/cmd_diff.cc \
	src/cli/cmd_import.cc \
	src/cli/cmd_acct.cc \
	src/cli/cmd_hosts_ops.cc \
	src/cli/cmd_tick.cc \
	src/cli/cmd_plan.cc \
	src/cli/cmd_deferred.cc \
	src/cli/cmd_free.cc \
	src/cli/batch_ops.h \
	src/cli/batch_ops.cc \
	src/cli/dropin.h \
	src/cli/cmd_completion.cc \
	src/cli/dropin.cc \
	src/cli/job_format.h \
	src/cli/job_format.cc
