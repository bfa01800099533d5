// known_hosts verification, fingerprints and base64, checked against keys
// and files made by the real ssh-keygen.
#include "config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ssh/known_hosts.h"
#include "util/base64.h"
#include "util/error.h"
#include "test_support.h"

using ssh::HostKeyStatus;
using ssh::KeyType;
using ssh::KnownHosts;

namespace {

using test_support::TempDir;

std::string capture(const std::string& cmd, int* status = nullptr) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    if (status) *status = rc;
    return out;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A key made by ssh-keygen: the .pub line's type and base64 body, the
// decoded blob, and the path of the .pub file.
struct RealKey {
    std::string type_name;
    std::string b64;
    std::string blob;
    std::string pub_path;
};

RealKey make_key(const TempDir& dir, const std::string& name, const std::string& type) {
    std::string path = dir.path() + "/" + name;
    int rc = 0;
    capture("ssh-keygen -q -t " + type + " -N '' -C test -f '" + path + "' </dev/null 2>&1", &rc);
    REQUIRE(rc == 0);
    std::istringstream pub(read_text(path + ".pub"));
    RealKey k;
    k.pub_path = path + ".pub";
    pub >> k.type_name >> k.b64;
    auto blob = util::base64_decode(k.b64);
    REQUIRE(blob.has_value());
    k.blob = *blob;
    return k;
}

// Three keys shared by the tests (ssh-keygen takes a moment each).
struct Keys {
    TempDir dir;
    RealKey ed1 = make_key(dir, "ed1", "ed25519");
    RealKey ed2 = make_key(dir, "ed2", "ed25519");
    RealKey ec = make_key(dir, "ec", "ecdsa");
};

const Keys& keys() {
    static Keys k;
    return k;
}

std::string line(const std::string& hosts, const RealKey& k) { return hosts + " " + k.type_name + " " + k.b64 + "\n"; }

// Hashes a host field independently of the code under test.
std::string hashed_field(const std::string& host, const std::string& salt) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha1(), salt.data(), int(salt.size()), reinterpret_cast<const unsigned char*>(host.data()), host.size(),
         mac, &len);
    return "|1|" + util::base64_encode(salt) + "|" +
           util::base64_encode(std::string(reinterpret_cast<const char*>(mac), len));
}

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[base64]") {
    using util::base64_encode;
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode(std::string("\xfb\xff\x00", 3)) == "+/8A");
}

TEST_CASE("base64 round-trips every byte value at every length remainder", "[base64]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += char(i);
    for (size_t n = 0; n <= all.size(); n += 1) {
        std::string part = all.substr(all.size() - n);
        auto back = util::base64_decode(util::base64_encode(part));
        REQUIRE(back.has_value());
        REQUIRE(*back == part);
    }
}

TEST_CASE("base64 decoding is strict", "[base64]") {
    using util::base64_decode;
    CHECK(base64_decode("") == std::string());
    CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
    CHECK(base64_decode("Zg==") == std::string("f"));
    for (const char* bad : {"Zg", "Zg=", "Z===", "====", "Zm9v\n", "Zm 9v", "Zm9v====", "Zg==Zg==", "Zm=v",
                            "=Zm9", "Zh==", "Zm9=", "Zm-_", "Zm9v!A==", "\xc3\xa9xyz"}) {
        INFO("input " << bad);
        CHECK_FALSE(base64_decode(bad).has_value());
    }
}

TEST_CASE("key type names map both ways and are read from key blobs", "[known_hosts]") {
    for (KeyType t : {KeyType::Ed25519, KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::EcdsaP521, KeyType::Rsa,
                      KeyType::Dss})
        CHECK(ssh::key_type_from_name(ssh::key_type_name(t)) == t);
    CHECK(ssh::key_type_name(KeyType::Ed25519) == "ssh-ed25519");
    CHECK(ssh::key_type_name(KeyType::EcdsaP256) == "ecdsa-sha2-nistp256");
    CHECK(ssh::key_type_from_name("rsa-sha2-512") == KeyType::Rsa);
    CHECK(ssh::key_type_from_name("sk-ssh-ed25519@openssh.com") == KeyType::Unknown);
    CHECK(ssh::key_type_from_name("") == KeyType::Unknown);
    CHECK(ssh::key_type_from_blob(keys().ed1.blob) == KeyType::Ed25519);
    CHECK(ssh::key_type_from_blob(keys().ec.blob) == KeyType::EcdsaP256);
    CHECK(ssh::key_type_from_blob("xx") == KeyType::Unknown);
}

TEST_CASE("SHA256 fingerprints equal ssh-keygen -lf", "[known_hosts]") {
    for (const RealKey* k : {&keys().ed1, &keys().ec}) {
        int rc = 0;
        std::string out = capture("ssh-keygen -l -E sha256 -f '" + k->pub_path + "'", &rc);
        REQUIRE(rc == 0);
        std::istringstream in(out);
        std::string bits, fp;
        in >> bits >> fp;
        CHECK(fp.rfind("SHA256:", 0) == 0);
        CHECK(ssh::fingerprint_sha256(k->blob) == fp);
    }
}

TEST_CASE("known_hosts: match, unknown host, changed key", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse("# comment\n\n" + line("gpu1.lab,10.0.0.5", k.ed1), "kh");
    CHECK(kh.warnings().empty());

    auto m = kh.check("gpu1.lab", 22, KeyType::Ed25519, k.ed1.blob);
    CHECK(m.status == HostKeyStatus::Match);
    CHECK(m.known_file == "kh");
    CHECK(m.known_line == 3);
    CHECK(kh.check("10.0.0.5", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("GPU1.Lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("gpu2.lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Unknown);

    auto c = kh.check("gpu1.lab", 22, KeyType::Ed25519, k.ed2.blob);
    CHECK(c.status == HostKeyStatus::Changed);
    CHECK(c.known_file == "kh");
    CHECK(c.known_line == 3);

    // The type may also come from the blob itself.
    CHECK(kh.check("gpu1.lab", 22, KeyType::Unknown, k.ed2.blob).status == HostKeyStatus::Changed);
}

TEST_CASE("known_hosts: a key of another type is not a mismatch", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse(line("box", k.ed1), "kh");
    CHECK(kh.check("box", 22, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Unknown);
    CHECK(kh.known_types("box", 22) == std::vector<KeyType>{KeyType::Ed25519});
    CHECK(kh.known_types("elsewhere", 22).empty());

    // With both types on file, each is checked against its own kind.
    auto both = KnownHosts::parse(line("box", k.ec) + line("box", k.ed1) + line("box", k.ed1), "kh");
    CHECK(both.check("box", 22, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Match);
    CHECK(both.check("box", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Changed);
    CHECK(both.known_types("box", 22) == std::vector<KeyType>{KeyType::EcdsaP256, KeyType::Ed25519});
}

TEST_CASE("known_hosts: [host]:port entries versus plain ones", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse(line("[box]:2222", k.ed1) + line("box", k.ed2), "kh");
    CHECK(kh.check("box", 2222, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("box", 2222, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Changed);
    CHECK(kh.check("box", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("box", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Changed);
    // A plain entry does not vouch for other ports, nor a port entry for 22.
    CHECK(kh.check("box", 2200, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Unknown);
    CHECK(kh.known_types("box", 2200).empty());
    CHECK(ssh::known_hosts_host_form("Box", 22) == "box");
    CHECK(ssh::known_hosts_host_form("box", 2222) == "[box]:2222");
}

TEST_CASE("known_hosts: wildcard and negated host patterns", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse(line("*.lab,!secret.lab", k.ed1) + line("[*.lab]:2222", k.ed2), "kh");
    CHECK(kh.check("gpu7.lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("secret.lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Unknown);
    CHECK(kh.check("gpu7.lab", 2222, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Match);
}

TEST_CASE("known_hosts: @revoked wins, @cert-authority is ignored", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse(line("box", k.ed1) + line("box", k.ec) + "@revoked * " + k.ec.type_name + " " +
                                    k.ec.b64 + "\n" + "@cert-authority *.lab " + k.ed2.type_name + " " + k.ed2.b64 +
                                    "\n",
                                "kh");
    CHECK(kh.warnings().empty());
    auto r = kh.check("box", 22, KeyType::EcdsaP256, k.ec.blob);
    CHECK(r.status == HostKeyStatus::Revoked);
    CHECK(r.known_line == 3);
    CHECK(kh.check("box", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    // A CA key is not a host key for the hosts it signs for.
    CHECK(kh.check("gpu.lab", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Unknown);
    CHECK(kh.known_types("gpu.lab", 22).empty());
    CHECK(kh.known_types("box", 22) == std::vector<KeyType>{KeyType::Ed25519, KeyType::EcdsaP256});
}

TEST_CASE("known_hosts: hashed entries made here", "[known_hosts]") {
    const Keys& k = keys();
    const std::string salt(20, '\x5a');
    auto kh = KnownHosts::parse(hashed_field("gpu1.lab", salt) + " " + k.ed1.type_name + " " + k.ed1.b64 + "\n" +
                                    hashed_field("[gpu1.lab]:2222", salt) + " " + k.ec.type_name + " " + k.ec.b64 +
                                    "\n",
                                "kh");
    CHECK(kh.warnings().empty());
    CHECK(kh.check("gpu1.lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("gpu1.lab", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Changed);
    CHECK(kh.check("gpu2.lab", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Unknown);
    CHECK(kh.check("gpu1.lab", 2222, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Match);
    CHECK(kh.known_types("gpu1.lab", 2222) == std::vector<KeyType>{KeyType::EcdsaP256});
}

TEST_CASE("known_hosts: entries hashed by ssh-keygen -H", "[known_hosts]") {
    const Keys& k = keys();
    TempDir dir;
    const std::string file = dir.path() + "/known_hosts";
    write_text(file, line("host.example", k.ed1) + line("[host.example]:2222", k.ec));
    int rc = 0;
    capture("ssh-keygen -H -f '" + file + "' >/dev/null 2>&1", &rc);
    REQUIRE(rc == 0);
    std::string text = read_text(file);
    CHECK(text.find("host.example") == std::string::npos);
    CHECK(text.rfind("|1|", 0) == 0);

    auto kh = KnownHosts::load({file});
    CHECK(kh.warnings().empty());
    CHECK(kh.check("host.example", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("host.example", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Changed);
    CHECK(kh.check("host.example", 2222, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("other.example", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Unknown);
}

TEST_CASE("known_hosts: bad lines are skipped with a warning, later lines still count", "[known_hosts]") {
    const Keys& k = keys();
    auto kh = KnownHosts::parse(line("first", k.ed1) +
                                    "this line is garbage\n"
                                    "|1|bm90IGEgc2FsdA==|AAAA ssh-ed25519 " +
                                    k.ed1.b64 + "\n" + "broken ssh-ed25519 AAAA!!!!\n" +
                                    "mislabelled ssh-ed25519 " + k.ec.b64 + "\n" + "@weird host " +
                                    k.ed1.type_name + " " + k.ed1.b64 + "\n" + "onlyhost\n" + line("last", k.ed1),
                                "kh");
    CHECK(kh.check("first", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("last", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("mislabelled", 22, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Unknown);
    REQUIRE(kh.warnings().size() == 6);
    CHECK(kh.warnings()[0].find("kh:2") != std::string::npos);
    CHECK(kh.warnings()[5].find("kh:7") != std::string::npos);
}

TEST_CASE("known_hosts: several files, missing ones are fine", "[known_hosts]") {
    const Keys& k = keys();
    TempDir dir;
    write_text(dir.path() + "/a", line("alpha", k.ed1));
    write_text(dir.path() + "/b", line("beta", k.ed2));
    auto kh = KnownHosts::load({dir.path() + "/missing", dir.path() + "/a", dir.path() + "/b"});
    CHECK(kh.warnings().empty());
    CHECK(kh.check("alpha", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    auto b = kh.check("beta", 22, KeyType::Ed25519, k.ed1.blob);
    CHECK(b.status == HostKeyStatus::Changed);
    CHECK(b.known_file == dir.path() + "/b");
    CHECK(b.known_line == 1);
}

TEST_CASE("known_hosts: append creates the file, then the key matches", "[known_hosts]") {
    const Keys& k = keys();
    TempDir dir;
    const std::string sshdir = dir.path() + "/home/.ssh";
    const std::string file = sshdir + "/known_hosts";
    KnownHosts::append(file, "NewHost", 22, KeyType::Ed25519, k.ed1.blob, false);
    KnownHosts::append(file, "newhost", 2222, KeyType::EcdsaP256, k.ec.blob, false);

    struct stat st {};
    REQUIRE(stat(sshdir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(read_text(file) == line("newhost", k.ed1) + line("[newhost]:2222", k.ec));

    auto kh = KnownHosts::load({file});
    CHECK(kh.warnings().empty());
    CHECK(kh.check("newhost", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("newhost", 2222, KeyType::EcdsaP256, k.ec.blob).status == HostKeyStatus::Match);

    // ssh-keygen finds what we wrote.
    int rc = 0;
    capture("ssh-keygen -F '[newhost]:2222' -f '" + file + "' >/dev/null 2>&1", &rc);
    CHECK(rc == 0);
}

TEST_CASE("known_hosts: append with hashing writes |1| lines that match", "[known_hosts]") {
    const Keys& k = keys();
    TempDir dir;
    const std::string file = dir.path() + "/known_hosts";
    // An existing file without a final newline must not get its last line glued to ours.
    write_text(file, "# keep me\n" + line("old", k.ed2).substr(0, line("old", k.ed2).size() - 1));
    KnownHosts::append(file, "secret.example", 22, KeyType::Ed25519, k.ed1.blob, true);
    KnownHosts::append(file, "secret.example", 2200, KeyType::Ed25519, k.ed1.blob, true);

    std::string text = read_text(file);
    CHECK(text.rfind("# keep me\n" + line("old", k.ed2), 0) == 0);
    CHECK(text.find("secret.example") == std::string::npos);
    std::istringstream lines(text);
    std::string l;
    std::vector<std::string> all;
    while (std::getline(lines, l)) all.push_back(l);
    REQUIRE(all.size() == 4);
    CHECK(all[2].rfind("|1|", 0) == 0);
    CHECK(all[3].rfind("|1|", 0) == 0);
    CHECK(all[2].substr(0, 32) != all[3].substr(0, 32));  // fresh salt each time

    auto kh = KnownHosts::load({file});
    CHECK(kh.warnings().empty());
    CHECK(kh.check("old", 22, KeyType::Ed25519, k.ed2.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("secret.example", 22, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("Secret.Example", 2200, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Match);
    CHECK(kh.check("secret.example", 2201, KeyType::Ed25519, k.ed1.blob).status == HostKeyStatus::Unknown);

    int rc = 0;
    capture("ssh-keygen -F secret.example -f '" + file + "' >/dev/null 2>&1", &rc);
    CHECK(rc == 0);
}

TEST_CASE("known_hosts: append refuses a blob that is not the named type", "[known_hosts]") {
    const Keys& k = keys();
    TempDir dir;
    const std::string file = dir.path() + "/known_hosts";
    CHECK_THROWS_AS(KnownHosts::append(file, "h", 22, KeyType::Ed25519, k.ec.blob, false), util::Error);
    CHECK_THROWS_AS(KnownHosts::append(file, "h", 22, KeyType::Unknown, "garbage", false), util::Error);
    CHECK_FALSE(std::filesystem::exists(file));
}
