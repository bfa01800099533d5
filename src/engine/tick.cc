#include "config.h"

#include "engine/tick.h"

#include <algorithm>
#include <map>
#include <memory>

namespace engine {

std::vector<std::string> hosts_with_work(Engine& engine) {
    std::vector<std::string> hosts = hosts_to_sync(engine);
    for (const auto& h : hosts_with_deferred(engine))
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    return hosts;
}

int TickReport::unreachable() const {
    int n = 0;
    for (const auto& r : hosts) n += r.reached ? 0 : 1;
    return n;
}

namespace {

// One tick in flight: what it has gathered, and how much is still out.
struct Tick {
    Engine& engine;
    TickRequest request;
    std::function<void(TickReport)> done;
    std::map<std::string, SyncReport> synced;
    std::map<std::string, std::vector<DeferredDone>> deferred;
    size_t hosts_left = 0;
    size_t deferred_left = 0;
    bool past_hosts = false;  // steps 3 and 4 began (they run once)
    TickReport report;
};

void finish(const std::shared_ptr<Tick>& t) {
    TickReport& report = t->report;
    report.notified = t->request.digest ? send_digest(t->engine) : std::vector<int64_t>{};
    t->done(std::move(report));
}

// Steps 3 and 4, once every host answered and every deferred operation finished.
void after_hosts(const std::shared_ptr<Tick>& t) {
    if (t->hosts_left > 0 || t->deferred_left > 0 || t->past_hosts) return;
    t->past_hosts = true;
    TickReport& report = t->report;
    for (const auto& host : t->request.hosts) {
        SyncReport& r = t->synced[host];
        for (int64_t id : r.ended) report.ended.push_back({id, host});
        if (r.started > 0) report.started.push_back({host, r.started});
        for (auto& d : t->deferred[host])
            if (!d.still_waiting) report.deferred.push_back(std::move(d));
        report.hosts.push_back(std::move(r));
    }
    if (!t->request.dispatch) return finish(t);
    dispatch(t->engine, [t](DispatchReport d) {
        t->report.dispatched = true;
        t->report.dispatch = std::move(d);
        finish(t);
    });
}

}  // namespace

void tick(Engine& engine, TickRequest request, std::function<void(TickReport)> done) {
    auto t = std::make_shared<Tick>(Tick{engine, std::move(request), std::move(done), {}, {}, 0, 0, false, {}});
    t->hosts_left = t->request.hosts.size();
    if (t->request.hosts.empty()) {
        if (t->request.on_synced) t->request.on_synced();
        return after_hosts(t);
    }
    sync_hosts(engine, t->request.hosts, [t](SyncReport r) {
        std::string host = r.host;
        bool carry_out = r.reached && t->request.deferred && deferred_for_host_count(t->engine, host) > 0;
        if (carry_out) ++t->deferred_left;  // before this host counts as answered
        --t->hosts_left;
        if (t->request.on_host) t->request.on_host(r);
        t->synced[host] = std::move(r);
        if (carry_out)
            carry_out_deferred(t->engine, host, [t, host](std::vector<DeferredDone> ops) {
                if (t->request.on_deferred) t->request.on_deferred(host, ops);
                t->deferred[host] = std::move(ops);
                --t->deferred_left;
                after_hosts(t);
            });
        if (t->hosts_left == 0 && t->request.on_synced) t->request.on_synced();
        after_hosts(t);
    });
}

}  // namespace engine
