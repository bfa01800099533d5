# Homebrew formula for rj (issue 27): builds a release tarball (`make dist`)
# and runs its `make check` as the test. Until rj has a public release URL,
# put the tarball's address and `shasum -a 256` below, or install from a
# local tarball:  brew install --formula ./contrib/homebrew/rj.rb
# (after editing url to "file:///path/to/rj-0.1.0.tar.gz").
# What is still unverified on a real Mac: docs/ARCHITECTURE.md, "macOS".
class Rj < Formula
  desc "Run long jobs on your own machines in tmux over SSH, with a terminal UI"
  homepage "https://example.invalid/rj"
  url "https://example.invalid/rj/releases/rj-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000" # set at release

  depends_on "pkg-config" => :build
  depends_on "boost"
  depends_on "curl"
  # 1.11 or later signs RSA keys with rsa-sha2-256/512, so RSA keys work too.
  depends_on "libssh2"
  depends_on "ncurses"
  depends_on "openssl@3"
  depends_on "re2"
  depends_on "sqlite"
  depends_on "yaml-cpp"
  depends_on "tmux" => :test

  # The tests use Catch2 v2's single header; Homebrew's catch2 is v3.
  resource "catch2" do
    url "https://github.com/catchorg/Catch2/releases/download/v2.13.10/catch.hpp"
    sha256 "3725c0f0a75f376a5005dde31ead0feb8f7da7507644c201b814443de8355170"
  end

  # The same tarball again, unpacked in the test: `make check` needs the sources.
  resource "testsuite" do
    url "https://example.invalid/rj/releases/rj-0.1.0.tar.gz"
    sha256 "0000000000000000000000000000000000000000000000000000000000000000" # same as above
  end

  def install
    (buildpath/"catch2/catch2").install resource("catch2")
    # configure finds the keg-only ncurses, curl, sqlite and openssl itself
    # (through brew --prefix); Homebrew's superenv sets PKG_CONFIG_PATH too.
    system "./configure", "--prefix=#{prefix}", "--with-catch2=#{buildpath}/catch2", "--disable-silent-rules"
    system "make"
    system "make", "install"
    (pkgshare/"catch2/catch2").install buildpath/"catch2/catch2/catch.hpp"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/rj --version")
    resource("testsuite").stage do
      system "./configure", "--with-catch2=#{pkgshare}/catch2"
      system "make", "check"
    end
  end
end
