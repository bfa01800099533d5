#include "config.h"

#include "notify/sender.h"

#include <sys/select.h>

#include <algorithm>
#include <exception>
#include <vector>

namespace notify {

struct Sender::Request {
    std::string url, body;
    std::function<void(DeliveryResult)> done;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    char error[CURL_ERROR_SIZE] = {};
    int attempts = 0;
    bool active = false;          // in the multi handle now
    event::TimePoint retry_at{};  // !active: when to try again
    DeliveryResult result;
    bool over = false;
};

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// Once per process, before any other libcurl call (not thread-safe, so not lazily from threads).
void init_curl_once() {
    static bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    (void)done;
}

}  // namespace

Sender::Sender(event::Loop& loop, Options options) : loop_(loop), options_(options) {
    init_curl_once();
    multi_ = curl_multi_init();
    loop_.add(this);
}

Sender::~Sender() {
    loop_.remove(this);
    for (auto& r : requests_) {
        if (r->active) curl_multi_remove_handle(multi_, r->easy);
        curl_easy_cleanup(r->easy);
        curl_slist_free_all(r->headers);
    }
    curl_multi_cleanup(multi_);
}

void Sender::post(std::string url, std::string json, std::function<void(DeliveryResult)> done) {
    auto r = std::make_unique<Request>();
    r->url = std::move(url);
    r->body = std::move(json);
    r->done = std::move(done);
    r->headers = curl_slist_append(nullptr, "Content-Type: application/json");
    Request& ref = *r;
    requests_.push_back(std::move(r));
    start(ref);
}

void Sender::start(Request& r) {
    if (r.easy) curl_easy_cleanup(r.easy);
    r.easy = curl_easy_init();
    CURL* e = r.easy;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r.headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r.error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // the loop owns the signals
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout).count()));
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_PRIVATE, &r);
    r.error[0] = '\0';
    ++r.attempts;
    r.active = true;
    curl_multi_add_handle(multi_, e);
}

void Sender::interests(std::vector<event::Interest>& out) {
    if (requests_.empty()) return;
    fd_set rd, wr, ex;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    int maxfd = -1;
    if (curl_multi_fdset(multi_, &rd, &wr, &ex, &maxfd) != CURLM_OK) return;
    for (int fd = 0; fd <= maxfd; ++fd) {
        bool r = FD_ISSET(fd, &rd), w = FD_ISSET(fd, &wr);
        if (r || w) out.push_back({fd, r, w});
    }
}

event::Duration Sender::wait_time(event::TimePoint now) {
    if (requests_.empty()) return event::Duration::max();
    event::Duration wait = event::Duration::max();
    bool any_active = false;
    for (const auto& r : requests_) {
        if (r->active) any_active = true;
        else wait = std::min(wait, r->retry_at > now ? r->retry_at - now : event::Duration::zero());
    }
    if (any_active) {
        long ms = -1;
        curl_multi_timeout(multi_, &ms);
        // -1: curl set no timer; it still wants a look now and then (its
        // resolver thread, say), as libcurl's documentation advises.
        auto curl_wait = std::chrono::milliseconds(ms < 0 ? 100 : ms);
        wait = std::min<event::Duration>(wait, curl_wait);
    }
    return wait;
}

void Sender::tick(event::TimePoint now, const event::Readiness&) {
    if (requests_.empty()) return;
    for (auto& r : requests_)
        if (!r->active && !r->over && r->retry_at <= now) start(*r);
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Request* r = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&r));
        CURLcode code = msg->data.result;
        curl_multi_remove_handle(multi_, msg->easy_handle);
        if (r) finished(*r, code, now);
    }
    // Callbacks last, and off the list first: one may post again.
    std::vector<std::unique_ptr<Request>> over;
    for (auto it = requests_.begin(); it != requests_.end();) {
        if ((*it)->over) {
            over.push_back(std::move(*it));
            it = requests_.erase(it);
        } else {
            ++it;
        }
    }
    // Each callback on its own: one that throws (a busy database while it
    // records its delivery) must not cost the others theirs. The first error
    // then goes on to the loop's guard.
    std::exception_ptr first_error;
    for (auto& r : over) {
        curl_easy_cleanup(r->easy);
        r->easy = nullptr;
        curl_slist_free_all(r->headers);
        r->headers = nullptr;
        r->result.attempts = r->attempts;
        if (!r->done) continue;
        try {
            r->done(r->result);
        } catch (...) {
            if (!first_error) first_error = std::current_exception();
        }
    }
    if (first_error) std::rethrow_exception(first_error);
}

void Sender::finished(Request& r, CURLcode code, event::TimePoint now) {
    r.active = false;
    long status = 0;
    curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &status);
    r.result.http_status = status;
    if (code == CURLE_OK && status >= 200 && status < 300) {
        r.result.ok = true;
        r.result.error.clear();
        r.over = true;
        return;
    }
    if (code != CURLE_OK) r.result.error = r.error[0] ? r.error : curl_easy_strerror(code);
    else r.result.error = "HTTP " + std::to_string(status);
    if (r.attempts >= options_.max_attempts) {
        r.over = true;
        return;
    }
    r.retry_at = now + options_.first_backoff * (1 << std::min(r.attempts - 1, 10));
}

}  // namespace notify
