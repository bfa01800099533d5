#include "config.h"

#include "engine/host_check.h"

#include <memory>

namespace engine {

namespace {
double ms_since(event::TimePoint t) {
    return std::chrono::duration<double, std::milli>(event::Clock::now() - t).count();
}
}  // namespace

void check_hosts(Engine& engine, const std::vector<std::string>& hosts, std::function<void(HostCheck)> each) {
    auto cb = std::make_shared<std::function<void(HostCheck)>>(std::move(each));
    for (const auto& host : hosts) {
        engine.ssh().reset_backoff(host);
        // First exec opens the connection; the second, on the open
        // connection, measures the round trip alone.
        engine.run_script(host, "echo rj-ok\n", std::chrono::seconds(30), [&engine, host, cb](RemoteReply first) {
            HostCheck c;
            c.host = host;
            if (!first.ok()) {
                c.fail(first);
                (*cb)(c);
                return;
            }
            c.connect_ms = std::chrono::duration<double, std::milli>(engine.ssh().session(host).connect_time()).count();
            auto start = event::Clock::now();
            engine.run_script(host, "echo rj-ok\n", std::chrono::seconds(30), [c, start, cb](RemoteReply second) mutable {
                c.reachable = second.ok();
                c.rtt_ms = ms_since(start);
                if (!second.ok()) {
                    c.fail(second);
                }
                (*cb)(c);
            });
        });
    }
}

}  // namespace engine
