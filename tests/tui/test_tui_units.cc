// Unit-level tests of the UI's parts that need no terminal: the keymap against
// the man page, the virtualised job list over 100 000 jobs, form parsing,
// text fitting and the layout.
#include "config.h"

#include <catch2/catch.hpp>

#include "tui/log_view.h"

#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "cli/job_format.h"
#include "engine/engine.h"
#include "engine/job_facts.h"
#include "event/loop.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "tui/detail_pane.h"
#include "tui/host_controller.h"
#include "tui/job_form.h"
#include "tui/job_format.h"
#include "tui/job_list.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/text.h"
#include "tui/tui_session.h"
#include "util/error.h"

namespace {

struct TempDb {
    std::string dir;
    TempDb() {
        char tmpl[] = "/tmp/rj-tui-db-XXXXXX";
        dir = mkdtemp(tmpl);
    }
    ~TempDb() { std::system(("rm -rf '" + dir + "'").c_str()); }
    std::string path() const { return dir + "/rj.db"; }
    // An engine on this database whose ssh config names `ssh_config_hosts` (all at 127.0.0.1).
    engine::EngineOptions engine_options(const std::vector<std::string>& ssh_config_hosts) const {
        std::ofstream config(dir + "/ssh_config");
        for (const auto& h : ssh_config_hosts) config << "Host " << h << "\n  HostName 127.0.0.1\n";
        engine::EngineOptions eo;
        eo.db_path = path();
        eo.ssh_config_path = dir + "/ssh_config";
        eo.config_path = path() + ".no-config";
        return eo;
    }
};

}  // namespace

TEST_CASE("the man page's INTERACTIVE COMMANDS and the keymap list the same keys", "[tui]") {
    auto man = testing_support::man_interactive_keys(std::string(RJ_SRCDIR) + "/man/rj.1");
    std::set<std::string> man_entries(man.begin(), man.end()), table_entries, man_names, table_names;
    for (const auto& b : tui::bindings()) {
        table_entries.insert(b.names);
        for (const auto& n : tui::key_names(b)) table_names.insert(n);
    }
    for (const auto& e : man) {
        std::string entry = e;
        size_t start = 0;
        while (start <= entry.size()) {
            size_t comma = entry.find(',', start);
            std::string n = entry.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            n.erase(0, n.find_first_not_of(' '));
            man_names.insert(n);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    for (const auto& e : table_entries) {
        INFO("keymap entry '" << e << "' is missing from man/rj.1 INTERACTIVE COMMANDS");
        CHECK(man_entries.count(e) == 1);
    }
    for (const auto& e : man_entries) {
        INFO("man/rj.1 lists '" << e << "', which the keymap does not have");
        CHECK(table_entries.count(e) == 1);
    }
    CHECK(man_names == table_names);
    CHECK(man.size() == tui::bindings().size());
}

TEST_CASE("every key of the keymap has exactly one meaning per pane", "[tui]") {
    for (tui::Context c : {tui::InHosts, tui::InQueues, tui::InJobs, tui::InDetail}) {
        std::set<std::pair<int, bool>> seen;
        for (const auto& b : tui::bindings()) {
            if (!(b.contexts & c)) continue;
            for (const auto& k : b.keys) {
                INFO("binding " << b.names << " in context " << c);
                CHECK(seen.insert({k.code, k.fn}).second);
            }
        }
    }
    // k kills in the Jobs pane and moves up in the Hosts pane.
    CHECK(tui::find_binding({'k', false}, tui::InJobs)->action == tui::Action::Kill);
    CHECK(tui::find_binding({'k', false}, tui::InHosts)->action == tui::Action::Up);
    // The queue keys work where their target is selected, and nowhere else.
    CHECK(tui::find_binding({'S', false}, tui::InQueues)->action == tui::Action::QueueStart);
    CHECK(tui::find_binding({'T', false}, tui::InQueues)->action == tui::Action::QueueStop);
    CHECK(tui::find_binding({'S', false}, tui::InJobs) == nullptr);
    for (tui::Context c : {tui::InJobs, tui::InDetail}) {
        CHECK(tui::find_binding({'N', false}, c)->action == tui::Action::StartNow);
        CHECK(tui::find_binding({'h', false}, c)->action == tui::Action::HoldToggle);
        CHECK(tui::find_binding({'m', false}, c)->action == tui::Action::Move);
    }
    CHECK(tui::find_binding({'h', false}, tui::InQueues) == nullptr);
}

TEST_CASE("the job list pages through 100000 jobs loading only what is shown", "[tui]") {
    TempDb tmp;
    store::Database db(tmp.path());
    {
        store::Transaction tx(db);
        store::JobRepo repo(db);
        for (int i = 0; i < 100000; ++i) {
            store::Job j;
            j.host = i % 2 ? "alpha" : "beta";
            j.command = "job " + std::to_string(i + 1);
            j.status = i % 3 ? store::status::completed : store::status::failed;
            repo.insert(j);
        }
        tx.commit();
    }
    event::Loop loop;
    engine::EngineOptions eo;
    eo.db_path = tmp.path();
    eo.ssh_config_path = tmp.path() + ".no-ssh-config";
    eo.config_path = tmp.path() + ".no-config";
    engine::Engine engine(loop, eo);
    tui::JobList list(engine);
    list.set_height(20);
    list.set_filter({});
    REQUIRE(list.size() == 100000);
    REQUIRE(list.selected());
    CHECK(list.selected()->id == 100000);  // newest first

    uint64_t q0 = list.queries();
    list.end();
    REQUIRE(list.selected());
    CHECK(list.selected()->id == 1);
    CHECK(list.top() == 100000 - 20);
    for (int64_t i = list.top(); i < list.top() + 20; ++i) REQUIRE(list.at(i));
    CHECK(list.at(list.top())->id == 20);
    CHECK(list.queries() - q0 < 40);  // a bisection of counts, not a scan of rows

    // Scrolling up from the bottom stays exact across window boundaries.
    for (int i = 0; i < 130; ++i) list.step(-1);
    CHECK(list.selected()->id == 131);
    list.page(-3);
    CHECK(list.selected()->id == 191);
    list.home();
    CHECK(list.selected()->id == 100000);

    // Jump to a job by id, in a filtered list.
    store::JobFilter failed;
    failed.statuses = {store::status::failed};
    failed.host = "beta";
    list.set_filter(failed);
    // Row i (id i + 1) is on beta when i is even and failed when i % 3 == 0: ids 1, 7, 13, ...
    CHECK(list.size() == 16667);
    CHECK(list.selected()->id == 99997);
    REQUIRE(list.select_id(60001));
    CHECK(list.cursor() == 6666);  // ids 60007 ... 99997 come before it
    CHECK(list.selected()->id == 60001);
    CHECK_FALSE(list.select_id(60002));  // on alpha: not in this list
    CHECK(list.selected()->id == 60001);
}

TEST_CASE("the new-job form splits and joins environments like a shell", "[tui]") {
    using tui::split_words;
    CHECK(split_words("A=1 B=two") == std::vector<std::string>{"A=1", "B=two"});
    CHECK(split_words("  A='x y'  B=\"q \\\"z\\\"\" C=a\\ b") ==
          std::vector<std::string>{"A=x y", "B=q \"z\"", "C=a b"});
    CHECK(split_words("").empty());
    CHECK_THROWS_AS(split_words("A='open"), util::UsageError);
    std::vector<std::pair<std::string, std::string>> env = {
        {"A", "plain"}, {"B", "two words"}, {"C", "it's"}, {"D", ""}, {"E", "$HOME `x`"}};
    auto words = split_words(tui::join_env(env));
    REQUIRE(words.size() == env.size());
    for (size_t i = 0; i < env.size(); ++i) CHECK(words[i] == env[i].first + "=" + env[i].second);
}

TEST_CASE("the new-job form's Queue and GPUs fields make a queued request, checked as the host would", "[tui]") {
    TempDb tmp;
    event::Loop loop;
    engine::Engine engine(loop, tmp.engine_options({"alpha"}));
    auto fields = tui::job_form_fields({}, {"alpha"});
    fields[tui::FHost].value = "alpha";
    fields[tui::FCommand].value = "true";

    auto plain = tui::job_form_request(fields, engine);
    REQUIRE(plain);
    CHECK_FALSE(plain->queue.enabled);  // empty Queue: run now, as before

    fields[tui::FQueue].value = " gpu-1 ";
    fields[tui::FGpus].value = "2";
    auto queued = tui::job_form_request(fields, engine);
    REQUIRE(queued);
    CHECK(queued->queue.enabled);
    CHECK(queued->queue.name == "gpu-1");
    CHECK(queued->queue.gpus == 2);

    for (const char* bad : {"two words", "a/b", "x$(id)"}) {
        fields[tui::FQueue].value = bad;
        INFO(bad);
        CHECK_FALSE(tui::job_form_request(fields, engine));
        CHECK_FALSE(fields[tui::FQueue].error.empty());
    }
    CHECK(tui::queue_name_problem(std::string(32, 'q')).empty());
    CHECK_FALSE(tui::queue_name_problem(std::string(33, 'q')).empty());

    fields[tui::FQueue].value = "";
    CHECK_FALSE(tui::job_form_request(fields, engine));  // GPUs without a queue
    CHECK_FALSE(fields[tui::FGpus].error.empty());
    fields[tui::FQueue].value = "default";
    fields[tui::FGpus].value = "65";
    CHECK_FALSE(tui::job_form_request(fields, engine));
    fields[tui::FGpus].value = "";

    // R on a queued job: back into its queue, keeping what the form does not show.
    store::Job job;
    job.host = "alpha";
    job.command = "train";
    job.queue = "gpu";
    job.priority = 7;
    job.gpus = 1;
    job.array_spec = "1-3";
    auto again = engine::request_from_job(job);
    auto refilled = tui::job_form_fields(again, {"alpha"});
    CHECK(refilled[tui::FQueue].value == "gpu");
    CHECK(refilled[tui::FGpus].value == "1");
    auto resubmit = tui::job_form_request(refilled, engine, again);
    REQUIRE(resubmit);
    CHECK(resubmit->queue.name == "gpu");
    CHECK(resubmit->queue.priority == 7);
    CHECK(resubmit->queue.array == "1-3");
}

TEST_CASE("the Queues pane's rows: each host's reported queues, default first, or its implicit default", "[tui]") {
    tui::Model m;
    m.hosts.resize(2);
    m.hosts[0].name = "alpha";
    m.hosts[1].name = "beta";
    auto rows = tui::queue_rows(m);
    REQUIRE(rows.size() == 3);  // All, and one implicit default per host
    CHECK(rows[1].name(m) == "default");
    CHECK(rows[1].state(m) == nullptr);

    auto q = [](std::string name, std::string state, int slots, int waiting, int held, int running) {
        engine::QueueState s;
        s.host = "alpha";
        s.name = std::move(name);
        s.state = std::move(state);
        s.slots = slots;
        s.waiting = waiting;
        s.held = held;
        s.running = running;
        return s;
    };
    // Two remote directories each report "gpu": one row, counts added, the live runner's state.
    CHECK(m.hosts[0].set_queues({q("gpu", "stopped", 1, 2, 0, 0), q("default", "running", 4, 1, 1, 2),
                                 q("gpu", "running", 2, 1, 0, 1)}));
    REQUIRE(m.hosts[0].queues.size() == 2);
    CHECK(m.hosts[0].queues[0].name == "default");
    const engine::QueueState* gpu = m.hosts[0].queue("gpu");
    REQUIRE(gpu);
    CHECK(gpu->state == "running");
    CHECK(gpu->slots == 2);
    CHECK(gpu->waiting == 3);
    CHECK(gpu->running == 1);
    CHECK_FALSE(m.hosts[0].set_queues({q("gpu", "stopped", 1, 2, 0, 0), q("default", "running", 4, 1, 1, 2),
                                       q("gpu", "running", 2, 1, 0, 1)}));  // nothing new: no redraw

    rows = tui::queue_rows(m);
    REQUIRE(rows.size() == 4);  // All, alpha/default, alpha/gpu, beta's implicit default
    CHECK(tui::find_queue_row(m, 0, "gpu") == 2);
    CHECK(tui::first_queue_row(m, 1) == 3);
    CHECK(tui::first_queue_row(m, -1) == 0);
    CHECK(rows[3].name(m) == "default");
    CHECK(rows[3].state(m) == nullptr);

    // A queue start/stop answers for its queue: the others stay.
    CHECK(m.hosts[0].merge_queues({q("gpu", "draining", 2, 0, 0, 1)}));
    CHECK(m.hosts[0].queues.size() == 2);
    CHECK(m.hosts[0].queue("gpu")->state == "draining");
    CHECK(m.hosts[0].queue("default")->running == 2);
}

TEST_CASE("text is cut to columns without splitting characters, and made safe to draw", "[tui]") {
    // The UI runs under the user's locale; these cases need a UTF-8 one.
    std::string saved = std::setlocale(LC_ALL, nullptr);
    REQUIRE(std::setlocale(LC_ALL, "C.UTF-8"));
    CHECK(tui::fit("abc", 5) == "abc  ");
    CHECK(tui::fit("abcdef", 4) == "abc…");
    CHECK(tui::display_width(tui::fit("ääääää", 4)) == 4);
    CHECK(tui::fit("日本語", 4, false) == "日…");
    CHECK(tui::sanitize("a\tb") == "a       b");
    CHECK(tui::sanitize("\x1b[31mred\x1b[0m") == "red");
    CHECK(tui::sanitize("10%\r50%\r100%") == "100%");
    CHECK(tui::sanitize(std::string("bell\x07")) == "bell");
    // \r overwrites from the line's start, as a terminal does.
    CHECK(tui::sanitize("epoch 1 loss 0.51\repoch 2") == "epoch 2 loss 0.51");
    CHECK(tui::sanitize("äöü\rx") == "xöü");
    std::setlocale(LC_ALL, saved.c_str());
}

TEST_CASE("the log view's open line stays bounded: \\r redraws collapse, endless lines are cut", "[tui]") {
    tui::LogView v;
    v.reset(1);
    v.append("first\n");
    // A progress bar redrawn 100000 times without a newline.
    for (int i = 0; i < 100000; ++i) v.append("\r" + std::to_string(i % 100) + "% |" + std::string(i % 50, '#'));
    REQUIRE(v.line_count() == 2);
    CHECK(v.line(1).size() < 200);
    CHECK(v.line(1).substr(0, 4) == "99% ");
    // The line goes on and never ends: it is shown cut, in bounded pieces, at
    // the documented bound (docs/RELIABILITY.md: "cuts an endless line at
    // 64 KiB"), written here as the docs say it rather than read from the code.
    constexpr size_t kDocumentedCut = 64 * 1024;
    constexpr size_t kAppend = 1000;
    for (int i = 0; i < 200; ++i) v.append(std::string(kAppend, 'z'));
    CHECK(v.line_count() >= 4);
    CHECK(v.line(1).find("[cut]") != std::string::npos);
    CHECK(v.line(1).size() >= kDocumentedCut);  // cut at 64 KiB, not before
    // At most one append past the bound, plus the " [cut]" mark.
    for (size_t i = 0; i < v.line_count(); ++i) CHECK(v.line(i).size() <= kDocumentedCut + kAppend + 6);
}

TEST_CASE("the layout fills 80x24 and 200x60 without overlaps", "[tui]") {
    for (auto [rows, cols] : {std::pair{24, 80}, std::pair{60, 200}, std::pair{30, 100}}) {
        for (int hosts : {0, 1, 3, 12}) {
            tui::Layout l = tui::compute_layout(rows, cols, hosts);
            INFO(cols << "x" << rows << " with " << hosts << " hosts");
            REQUIRE_FALSE(l.too_small);
            CHECK(l.header.h >= 1);
            CHECK(l.header.h <= std::max(1, hosts));
            CHECK(l.hosts.y == l.header.h);
            CHECK(l.queues.y == l.hosts.y + l.hosts.h);
            CHECK(l.jobs.x == l.hosts.w);
            CHECK(l.jobs.x + l.jobs.w == cols);
            CHECK(l.detail.y == l.jobs.y + l.jobs.h);
            CHECK(l.queues.y + l.queues.h == l.detail.y);
            CHECK(l.detail.y + l.detail.h == l.message.y);
            CHECK(l.message.y + 1 == l.fbar.y);
            CHECK(l.fbar.y == rows - 1);
            CHECK(l.jobs.h - 3 >= 4);  // room for rows of jobs
            CHECK(l.detail.h >= 5);
        }
    }
    CHECK(tui::compute_layout(10, 30, 1).too_small);
}

TEST_CASE("Details show which code a job ran, sanitised, and nothing when it recorded none", "[tui]") {
    store::Job job;
    job.id = 7;
    job.host = "gpu1";
    job.command = "python train.py";
    job.status = store::status::completed;
    auto find = [](const std::vector<std::pair<std::string, std::string>>& lines, const std::string& key) {
        for (const auto& [k, v] : lines)
            if (k == key) return v;
        return std::string("<none>");
    };
    auto plain = tui::detail_lines(job, 0, 80, nullptr, nullptr);
    CHECK(find(plain, "Code:") == "<none>");

    job.code.commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    job.code.branch = "main\x1b]0;pwned\x07";
    job.code.root = "/home/me/repo";
    job.code.subdir = "exp/";
    job.code.files = 3;
    job.code.untracked = 1;
    job.gpu_models = "NVIDIA A100-SXM4-80GB";
    job.from_job = 5;
    job.exact = true;
    auto lines = tui::detail_lines(job, 0, 80, nullptr, nullptr);
    std::string code = find(lines, "Code:");
    CHECK(code.rfind("a1b2c3d on main", 0) == 0);
    CHECK(code.find("3 files changed, 1 untracked") != std::string::npos);
    CHECK(code.find('\x1b') == std::string::npos);  // a hostile branch name cannot reach the terminal
    CHECK(find(lines, "Repository:") == "/home/me/repo (exp/)");
    CHECK(find(lines, "GPU models:") == "NVIDIA A100-SXM4-80GB");
    CHECK(find(lines, "Exact rerun:") == "job 5 (on its recorded code)");
}

TEST_CASE("an engine error about one input is named as the form names it, not by a CLI flag", "[tui]") {
    auto gpus = util::UsageError::in("gpus", "must be between 0 and 64");
    CHECK(tui::form_error_text(gpus) == "GPUs: must be between 0 and 64");
    auto env = util::UsageError::in("env", "'X' has no '='", "write environment variables as NAME=VALUE");
    CHECK(tui::form_error_text(env) == "Environment: 'X' has no '=' — write environment variables as NAME=VALUE");
    CHECK(tui::form_error_text(util::Error("plain")) == "plain");
}

namespace {

// The screen's side of Views, counted instead of drawn.
struct CountingViews : tui::Views {
    std::map<tui::View, int> marks;
    int relayouts = 0;
    void mark(tui::View v) override { ++marks[v]; }
    void mark_all() override {}
    void relayout() override { ++relayouts; }
    void bell() override {}
};

}  // namespace

TEST_CASE("the host controller runs without a terminal: hosts, the job list, queues and messages reach the model", "[tui]") {
    TempDb tmp;
    event::Loop loop;
    engine::Engine engine(loop, tmp.engine_options({"alpha", "beta"}));
    tui::Model model;
    model.jobs = std::make_unique<tui::JobList>(engine);
    CountingViews views;
    tui::HostController hosts(engine, model, views);
    REQUIRE(model.hosts.size() == 2);
    CHECK(model.hosts[0].name == "alpha");

    hosts.apply_filter();
    CHECK(model.jobs->size() == 0);
    CHECK_FALSE(model.detail_job);

    // A job recorded by another rj: a reload shows it and selects it into the details.
    {
        store::Database db(tmp.path());
        store::JobRepo repo(db);
        store::Job j;
        j.host = "beta";
        j.command = "sleep 1";
        j.status = store::status::queued;
        repo.insert(j);
    }
    views.marks.clear();
    hosts.reload_jobs();
    CHECK(model.jobs->size() == 1);
    REQUIRE(model.detail_job);
    CHECK(model.detail_job->host == "beta");
    CHECK(model.hosts[1].waiting == 1);
    CHECK(views.marks[tui::View::Jobs] == 1);
    CHECK(views.marks[tui::View::Detail] == 1);
    CHECK(views.marks[tui::View::Queues] == 1);

    // New queues keep the selected queue selected.
    engine::QueueState gpu;
    gpu.name = "gpu";
    gpu.state = "running";
    engine::QueueState cpu = gpu;
    cpu.name = "cpu";
    hosts.set_host_queues("beta", {gpu}, false);
    model.queue_cursor = tui::find_queue_row(model, 1, "gpu");
    hosts.set_host_queues("beta", {cpu}, true);
    CHECK(tui::selected_queue_row(model).name(model) == "gpu");

    // A job on a host the list did not have adds a meter line.
    hosts.ensure_host("gamma");
    CHECK(model.hosts.size() == 3);
    CHECK(views.relayouts == 1);

    views.marks.clear();
    hosts.message("hello");
    hosts.message("hello");
    CHECK(model.message == "hello");
    CHECK(views.marks[tui::View::Message] == 1);  // the same message again draws nothing
}

TEST_CASE("rj -b show and the Details pane print the same facts in the same order", "[tui]") {
    store::Job job;
    job.id = 12;
    job.host = "gpu1";
    job.command = "python train.py\necho done";
    job.workdir = "~/exp";
    job.description = "bert \x1b[31mbase";
    job.env = {{"A", "1"}, {"B", "2"}};
    job.status = store::status::failed;
    job.exit_code = 3;
    job.created_at = 1700000000;
    job.started_at = 1700000010;
    job.ended_at = 1700000070;
    job.cpu_user_s = 1.5;
    job.queue = "gpu";
    job.priority = 2;
    job.gpus = 1;
    job.gpu_alloc = "0";
    job.after_ok = {7};
    job.error = "boom";
    job.session_prefix = "rj-c-";
    job.remote_dir = "~/.cache/rj/c/gpu1";

    auto facts = engine::job_facts(job, 1700000100);
    std::vector<std::string> labels;
    for (const auto& f : facts) labels.push_back(f.label);
    CHECK(labels == std::vector<std::string>{"Id", "Host", "Status", "Command", "Directory", "Description",
                                             "Environment", "Environment", "Queue", "GPUs", "After", "Created",
                                             "Started", "Ended", "Ran for", "CPU time", "Error", "Session", "Files"});
    CHECK(facts[2].value == "failed, exit code 3");
    CHECK(facts[14].value == "1m00s");

    // The batch face: one aligned, lower-case "label: value" line per fact, control bytes escaped.
    std::string shown = cli::fact_lines(facts);
    CHECK(shown.rfind("id:           12\nhost:         gpu1\nstatus:       failed, exit code 3\n", 0) == 0);
    CHECK(shown.find("environment:  A=1\nenvironment:  B=2\n") != std::string::npos);
    CHECK(shown.find('\x1b') == std::string::npos);

    // The interface: the same facts after its title's (id, host), a label once per run, sanitised and wrapped.
    auto lines = tui::detail_lines(job, 1700000100, 80, nullptr, nullptr);
    std::vector<std::string> ui_labels;
    for (const auto& [label, text] : lines)
        if (!label.empty()) ui_labels.push_back(label.substr(0, label.size() - 1));
    std::vector<std::string> expected(labels.begin() + 2, labels.end());
    expected.erase(std::find(expected.begin(), expected.end(), "Environment"));  // said once for both variables
    CHECK(ui_labels == expected);
    for (const auto& [label, text] : lines) CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("the Jobs pane's progress cell: a bar, the percentage and the time left; a stalled job says so", "[tui][progress]") {
    store::Job job;
    job.id = 3;
    job.status = store::status::running;
    job.started_at = 1000;
    CHECK(tui::job_progress(job, 1600, 23).empty());  // no fraction: nothing
    job.live.fraction = 0.5;
    job.live.fraction_at = 1600;
    CHECK(tui::job_progress(job, 1600, 23) == "[#####-----] 50% 10m00s");
    CHECK(tui::display_width(tui::job_progress(job, 1600, 16)) <= 16);
    std::string narrow = tui::job_progress(job, 1600, 8);  // no room for a bar: cut
    CHECK(narrow.rfind("50% 10m", 0) == 0);
    CHECK(tui::display_width(narrow) == 8);
    job.status = store::status::completed;
    job.live.fraction = 1.0;
    CHECK(tui::job_progress(job, 1600, 23) == "[##########] 100%");

    job.status = store::status::running;
    CHECK(tui::job_status_label(job).find("running") != std::string::npos);
    job.live.stalled_since = 1500;
    CHECK(tui::job_status_label(job).find("stalled") != std::string::npos);
    CHECK(tui::job_status_role(job) != tui::status_role(store::status::running));
    job.status = store::status::completed;  // an ended job is not stalled
    CHECK(tui::job_status_label(job).find("completed") != std::string::npos);
}

TEST_CASE("the host's GPU table: per GPU its use, temperature and rj jobs; an offline host's last probe with its age",
          "[tui]") {
    tui::HostView h;
    h.name = "gpu1";
    CHECK(tui::gpu_table_lines(h, 1000).empty());  // no probe yet
    engine::HostInfo info;
    engine::GpuInfo g0{0, "NVIDIA A100\x1b[2J", 91, 30000, 81920};
    g0.temperature_c = 61;
    g0.jobs = {{7, 20000}, {9, 100}};
    g0.other_procs = 1;
    engine::GpuInfo g1{1, "NVIDIA A100", -1, 0, 0};
    info.gpus = {g0, g1};
    h.record(info, 1000);
    auto lines = tui::gpu_table_lines(h, 1000);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "GPUs of gpu1");
    CHECK(lines[1].rfind("GPU NAME", 0) == 0);
    CHECK(lines[2].find("91%") != std::string::npos);
    CHECK(lines[2].find("30000/81920") != std::string::npos);
    CHECK(lines[2].find("61C") != std::string::npos);
    CHECK(lines[2].find("7, 9 +1 other") != std::string::npos);
    CHECK(lines[2].find('\x1b') == std::string::npos);  // the host's name made safe
    CHECK(lines[3].find(" - ") != std::string::npos);
    h.went_offline("connection refused", 1300);
    auto offline = tui::gpu_table_lines(h, 1720);
    REQUIRE_FALSE(offline.empty());
    CHECK(offline[0] == "GPUs of gpu1 (offline; last probe 12m00s ago)");
    CHECK(offline.size() == 4);  // the last probe's rows stay
}

TEST_CASE("the Jobs pane marks a running job's GPUs and their use, as the last sync saw them", "[tui]") {
    store::Job job;
    job.command = "python train.py";
    job.status = store::status::running;
    CHECK(tui::job_title(job) == "python train.py");
    job.live.gpus = "0,3";
    job.live.gpu_util = 87;
    CHECK(tui::job_title(job) == "[GPU 0,3 87%] python train.py");
    job.status = store::status::completed;  // only while it runs
    CHECK(tui::job_title(job) == "python train.py");
}

TEST_CASE("a host's stored probe history draws load, memory and GPU sparklines, a column a minute, gaps blank", "[tui]") {
    tui::HostView h;
    h.name = "gpu1";
    int64_t now = 1000 * 60 + 30;
    CHECK(tui::history_lines(h, now, 80, true).empty());  // no history: nothing drawn
    h.probes = {{1000 - 2, 0.0, 0.5, 1.0}, {1000, 1.0, 0.5, -1}};  // minute 999: no probe
    auto lines = tui::history_lines(h, now, 40, false);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "last 24 min, a column a minute");
    CHECK(lines[1] == "load " + std::string(21, ' ') + "_ # 100%");
    CHECK(lines[2] == "mem  " + std::string(21, ' ') + "= = 50%");
    CHECK(lines[3] == "gpu  " + std::string(21, ' ') + "#   100%");
    CHECK(tui::sparkline({0.0, 0.5, 0.99}, 3, true) == "▁▅█");
}
