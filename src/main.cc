// rj: parse argv and dispatch. `-b` selects the batch face, otherwise the full-screen UI.
#include "config.h"

#include <cstdio>

int main(int, char**) {
    std::puts("rj " PACKAGE_VERSION);
    return 0;
}
