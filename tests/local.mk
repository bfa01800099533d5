# Test sources that belong to no single layer.
tests_unit_tests_SOURCES += tests/unit/test_duration.cc
