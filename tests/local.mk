# Test sources that belong to no single layer.
tests_unit_tests_SOURCES += tests/unit/test_duration.cc

# Real-SSH test hosts (tests/harness/testhosts) and the tests of that harness.
tests_integration_tests_SOURCES += tests/harness/test_hosts.cc tests/harness/test_hosts.h
tests_integration_tests_SOURCES += tests/integration/test_harness.cc
tests_integration_tests_SOURCES += tests/integration/test_ssh_session.cc
tests_unit_tests_SOURCES += tests/unit/test_json.cc tests/unit/test_table.cc
