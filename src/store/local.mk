noinst_LIBRARIES += src/store/librjstore.a
src_store_librjstore_a_SOURCES =
