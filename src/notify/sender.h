// Webhook deliveries through libcurl's multi interface, as one event::Source
// on rj's loop: curl's sockets join the same pselect() as SSH's and the
// keyboard, so a slow or dead webhook never blocks anything (no
// curl_easy_perform). A failed POST (connection refused, DNS, timeout, an
// HTTP status outside 2xx) is tried again after a backoff that doubles, a
// bounded number of times; then its callback gets the last error.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <list>
#include <memory>
#include <string>

#include "event/loop.h"

namespace notify {

struct DeliveryResult {
    bool ok = false;
    long http_status = 0;  // 0: no HTTP answer
    int attempts = 0;
    std::string error;     // !ok: what went wrong the last time ("HTTP 500", "could not connect")
};

class Sender : public event::Source {
public:
    struct Options {
        int max_attempts = 4;
        event::Duration first_backoff = std::chrono::seconds(1);  // then 2 s, 4 s, ...
        event::Duration timeout = std::chrono::seconds(10);       // one attempt, connecting included
    };
    Sender(event::Loop& loop, Options options);
    explicit Sender(event::Loop& loop) : Sender(loop, Options{}) {}
    ~Sender() override;
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // POSTs `json` to `url`; `done` runs once, from the loop, when it was
    // delivered or the last attempt failed.
    void post(std::string url, std::string json, std::function<void(DeliveryResult)> done);
    // Deliveries not finished yet (waiting to retry included).
    size_t in_flight() const { return requests_.size(); }

    void interests(std::vector<event::Interest>& out) override;
    event::Duration wait_time(event::TimePoint now) override;
    void tick(event::TimePoint now, const event::Readiness& ready) override;

private:
    struct Request;
    void start(Request& r);
    void finished(Request& r, CURLcode code, event::TimePoint now);

    event::Loop& loop_;
    Options options_;
    CURLM* multi_ = nullptr;
    std::list<std::unique_ptr<Request>> requests_;
};

}  // namespace notify
