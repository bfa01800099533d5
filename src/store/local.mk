noinst_LIBRARIES += src/store/librjstore.a
src_store_librjstore_a_SOURCES = \
	src/store/database.h src/store/database.cc \
	src/store/migrations.h src/store/migrations.cc \
	src/store/job.h src/store/job.cc \
	src/store/host_state.h \
	src/store/job_repo.h src/store/job_repo.cc \
	src/store/remote_jobs_db.h src/store/remote_jobs_db.cc \
	src/store/host_repo.h src/store/host_repo.cc \
	src/store/journal_repo.h src/store/journal_repo.cc \
	src/store/job_event_repo.h src/store/job_event_repo.cc \
	src/store/notify_repo.h src/store/notify_repo.cc \
	src/store/deferred_repo.h src/store/deferred_repo.cc \
	src/store/probe_repo.h src/store/probe_repo.cc \
	src/store/config_file.h src/store/config_file.cc
tests_unit_tests_SOURCES += \
	tests/unit/test_support.h \
	tests/unit/test_store_database.cc \
	tests/unit/test_store_migrations.cc \
	tests/unit/test_probe_history.cc \
	tests/unit/test_store_jobs.cc \
	tests/unit/test_store_hosts.cc \
	tests/unit/test_store_xdg.cc \
	tests/unit/test_config.cc
