// The fuzz targets' corpora as regression tests in `make check` (plain g++,
// no libFuzzer): calls LLVMFuzzerTestOneInput on every file of each corpus
// directory given. A missing or empty directory fails: a test that checks
// nothing must not pass. A crash or violated invariant aborts, as under the
// fuzzer; the last file named on stderr is the one to look at.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 2;
    }
    for (int a = 1; a < argc; ++a) {
        std::string dir = argv[a];
        DIR* d = opendir(dir.c_str());
        if (!d) {
            std::fprintf(stderr, "%s: cannot open corpus directory %s\n", argv[0], dir.c_str());
            return 1;
        }
        std::vector<std::string> files;
        while (dirent* e = readdir(d)) {
            std::string path = dir + "/" + e->d_name;
            struct stat st;
            if (e->d_name[0] != '.' && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.push_back(path);
        }
        closedir(d);
        if (files.empty()) {
            std::fprintf(stderr, "%s: corpus directory %s has no files\n", argv[0], dir.c_str());
            return 1;
        }
        std::sort(files.begin(), files.end());
        for (const auto& path : files) {
            std::ifstream in(path, std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            if (!in) {
                std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
                return 1;
            }
            std::string bytes = ss.str();
            std::fprintf(stderr, "replay %s\n", path.c_str());
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        }
        std::fprintf(stderr, "%s: %zu inputs replayed\n", dir.c_str(), files.size());
    }
    return 0;
}
