noinst_LIBRARIES += src/engine/librjengine.a
src_engine_librjengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/engine.cc \
	src/engine/outcome.h src/engine/outcome.cc \
	src/engine/queries.h src/engine/queries.cc \
	src/engine/remote_jobs.h src/engine/remote_jobs.cc src/engine/remote_jobs_settings.cc \
	src/engine/host_check.h \
	src/engine/host_check.cc \
	src/engine/jobs.h \
	src/engine/job_facts.h src/engine/job_facts.cc \
	src/engine/job_state.h \
	src/engine/job_state.cc \
	src/engine/lifecycle.h \
	src/engine/lifecycle.cc \
	src/engine/job_start.h \
	src/engine/job_edits.cc \
	src/engine/submit.cc \
	src/engine/queues.cc \
	src/engine/code_diff.cc \
	src/engine/sync.cc \
	src/engine/host_clock.h src/engine/host_clock.cc \
	src/engine/notifications.h src/engine/notifications.cc \
	src/engine/kill.cc \
	src/engine/logs.cc \
	src/engine/host_info.cc \
	src/engine/prune.cc \
	src/engine/usage.cc \
	src/engine/placement.h src/engine/placement.cc \
	src/engine/dispatch.h src/engine/dispatch.cc \
	src/engine/laptop_submit.cc \
	src/engine/deferred.h src/engine/deferred.cc \
	src/engine/tick.h src/engine/tick.cc \
	src/engine/plan.h src/engine/plan_file.cc src/engine/plan_submit.cc \
	src/engine/acct.h src/engine/acct.cc \
	src/engine/progress.h src/engine/progress.cc \
	src/engine/slurm.h src/engine/slurm_submit.cc src/engine/slurm_state.cc src/engine/slurm_kill.cc src/engine/slurm_ctl.cc
tests_unit_tests_SOURCES += tests/unit/test_engine_verdict.cc tests/unit/test_engine_canned.cc tests/unit/test_placement.cc \
	tests/unit/test_plan_file.cc tests/unit/test_acct.cc tests/unit/test_slurm.cc tests/unit/test_lifecycle.cc
