// Fuzz target: the script builder. Any bytes in -> either the one clear
// error for a NUL byte (no shell string can hold one, and argv cannot carry
// it: rj refuses it with util::UsageError rather than cutting the text
// short) or a script that /bin/sh accepts (`sh -n`) and that, run, gives
// back exactly the input bytes. First byte picks:
//   0: util::shell_quote (and shell_quote_if_needed): `printf %s QUOTED`
//   1: remote::submit_script: the input, split at 0x1e, is the command,
//      workdir, description and one env value; the script's data section
//      (everything before the shared prelude) is run and prints them back.
// This target runs /bin/sh for every input, so it is slower than the rest.
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "fuzz_support.h"
#include "remote/protocol.h"
#include "remote/scripts.h"
#include "util/error.h"
#include "util/shell_quote.h"

namespace {

// A file of this process, made once.
std::string temp_file(const char* what) {
    std::string tmpl = std::string("/tmp/rj-fuzz-") + what + "-XXXXXX";
    int fd = mkstemp(tmpl.data());
    FUZZ_CHECK(fd >= 0);
    close(fd);
    return tmpl;
}

// Runs /bin/sh on the script text `script` (written to a file of this
// process); returns the exit status and stdout. The shell writes its output
// to a file, read once it has exited: read from a pipe, the number of reads
// (and so the coverage libFuzzer counts) would depend on how the shell's
// writes and ours interleave, and the CI gate's runs would differ.
//
// Outside coverage: the child's pid, compared here, differs from run to run,
// and libFuzzer would mutate inputs with the values it saw compared.
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
std::pair<int, std::string> run_sh(const std::string& script, bool syntax_only) {
    static const std::string path = temp_file("script");
    static const std::string out_path = temp_file("out");
    {
        int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        size_t done = 0;
        while (done < script.size()) {
            ssize_t n = write(fd, script.data() + done, script.size() - done);
            FUZZ_CHECK(n > 0);
            done += static_cast<size_t>(n);
        }
        close(fd);
    }
    int outfd = open(out_path.c_str(), O_RDWR | O_TRUNC | O_CLOEXEC);
    FUZZ_CHECK(outfd >= 0);
    pid_t pid = fork();
    FUZZ_CHECK(pid >= 0);
    if (pid == 0) {
        dup2(outfd, 1);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 2);
        if (syntax_only) execl("/bin/sh", "sh", "-n", path.c_str(), static_cast<char*>(nullptr));
        else execl("/bin/sh", "sh", path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    struct stat st;
    FUZZ_CHECK(fstat(outfd, &st) == 0);
    std::string out(static_cast<size_t>(st.st_size), '\0');
    FUZZ_CHECK(pread(outfd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    close(outfd);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

void quote(const std::string& in) {
    std::string q;
    try {
        q = util::shell_quote(in);
    } catch (const util::UsageError&) {
        FUZZ_CHECK(in.find('\0') != std::string::npos);  // the only refusal
        return;
    }
    FUZZ_CHECK(in.find('\0') == std::string::npos);
    std::string script = "printf %s " + q + "\nprintf '\\0'\nprintf %s " + util::shell_quote_if_needed(in) + "\n";
    FUZZ_CHECK(run_sh(script, true).first == 0);
    auto [rc, out] = run_sh(script, false);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(out == in + std::string(1, '\0') + in);
}

void submit(const std::string& in) {
    auto f = fuzz::split(in, '\x1e');
    f.resize(4);  // fields past the fourth are not used
    bool nul = false;
    for (const auto& x : f) nul = nul || x.find('\0') != std::string::npos;
    remote::JobSpec spec;
    spec.id = 42;
    spec.command = f[0];
    spec.workdir = f[1];
    spec.description = f[2];
    spec.env = {{"FUZZ_VAR", f[3]}};
    std::string script;
    try {
        script = remote::submit_script(spec);
    } catch (const util::UsageError&) {
        // Refused: a NUL byte somewhere, or no command at all.
        FUZZ_CHECK(nul || spec.command.empty());
        return;
    }
    FUZZ_CHECK(!nul && !spec.command.empty());
    FUZZ_CHECK(run_sh(script, true).first == 0);
    // The data section: the assignments before the shared prelude.
    size_t prelude = script.find(remote::sh::prelude);
    FUZZ_CHECK(prelude != std::string::npos);
    std::string data = script.substr(0, prelude);
    data += "\nprintf '%s\\0' \"$RJ_COMMAND\" \"$RJ_WORKDIR\" \"$RJ_DESC\"\n"
            "eval \"$RJ_ENVTEXT\"\nprintf '%s' \"$FUZZ_VAR\"\n";
    auto [rc, out] = run_sh(data, false);
    FUZZ_CHECK(rc == 0);
    std::string want = f[0] + '\0' + f[1] + '\0' + f[2] + '\0' + f[3];
    FUZZ_CHECK(out == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0 || size > 4096) return 0;
    std::string in = fuzz::bytes(data + 1, size - 1);
    if (data[0] % 2 == 0) quote(in);
    else submit(in);
    return 0;
}
