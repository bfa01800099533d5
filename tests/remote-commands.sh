#!/bin/sh
# Every external command the remote scripts (src/remote/sh/*.sh) call must
# be listed in docs/ARCHITECTURE.md, "External commands on the remote side",
# with the flags it relies on and its Linux/macOS/busybox notes: a new
# command (maybe GNU-only) cannot slip in unlisted.
#
# A small lexer in awk finds the words in command position: at a line start
# and after ; | & ( $( { ! and the keywords if then else elif while until do,
# skipping quoted text, comments, here-documents, ${...}, $((...)) and case
# patterns. Builtins, the scripts' own functions (NAME() {) and commands
# named by a variable ("$rj_git") are not external commands.
set -eu
: "${srcdir:=.}"
doc=$srcdir/docs/ARCHITECTURE.md
[ -f "$doc" ] || { echo "remote-commands: $doc not found" >&2; exit 1; }

listed=$(awk '
  /^## External commands on the remote side/ { on = 1; next }
  on && /^## / { exit }
  on && /^\| `/ {
    cell = $0; sub(/^\| /, "", cell); sub(/ \|.*/, "", cell)
    while (match(cell, /`[^`]+`/)) { print substr(cell, RSTART + 1, RLENGTH - 2); cell = substr(cell, RSTART + RLENGTH) }
  }' "$doc")
[ -n "$listed" ] || { echo "remote-commands: no table under 'External commands on the remote side' in $doc" >&2; exit 1; }

used=$(awk '
  function word_end(w) {
    if (w == "") return
    if (patmode) return
    if (!cmdpos) { if (expect_in && w == "in") { expect_in = 0; patmode = 1 }; return }
    if (skipnext) { skipnext = 0; return }
    if (w ~ /^[A-Za-z_][A-Za-z0-9_]*=/) return               # assignment: a command may follow
    if (w ~ /^[0-9]*[<>]/) { if (w ~ /^[0-9]*[<>]+&?$/) skipnext = 1; return }  # redirection
    if (w == "case") { cmdpos = 0; expect_in = 1; casedepth++; return }
    if (w == "for") { cmdpos = 0; return }
    if (w ~ /^(if|then|else|elif|while|until|do|!|\{)$/) return
    if (w ~ /^(fi|done|esac|\})$/) { if (w == "esac") casedepth--; cmdpos = 0; return }
    cmdpos = 0
    if (w ~ /^[a-z][a-z0-9_.-]*$/) print FILENAME "\t" w
  }
  function flush() { word_end(wd); wd = "" }
  FNR == 1 { st = "n"; sp = 0; wd = ""; cmdpos = 1; patmode = 0; expect_in = 0; casedepth = 0; hd = ""; skipnext = 0 }
  {
    line = $0
    if (st == "h") { t = line; if (hdtab) sub(/^\t+/, "", t); if (t == hd) { st = "n"; hd = "" } next }
    n = length(line); i = 1; cont = 0
    while (i <= n) {
      c = substr(line, i, 1); c2 = substr(line, i, 2)
      if (st == "s") { if (c == "\047") st = stk[sp--]; i++; continue }
      if (st == "d") {
        if (c == "\\") { i += 2; continue }
        if (c == "\"") { st = stk[sp--]; i++; continue }
        if (c2 == "$(" && substr(line, i, 3) != "$((") { stk[++sp] = "d"; st = "n"; cmdpos = 1; wd = ""; i += 2; continue }
        i++; continue
      }
      # st == "n"
      if (patmode) {
        if (c == "\047") { stk[++sp] = "n"; st = "s"; i++; continue }
        if (c == "\"") { stk[++sp] = "n"; st = "d"; i++; continue }
        if (c == ")") { patmode = 0; cmdpos = 1; i++; continue }
        nx = substr(line, i + 4, 1); pv = i > 1 ? substr(line, i - 1, 1) : " "
        if (substr(line, i, 4) == "esac" && (nx == "" || nx ~ /[ \t;)]/) && pv ~ /[ \t;]/) { patmode = 0; casedepth--; cmdpos = 0; i += 4; continue }
        i++; continue
      }
      if (c == "\\") { if (i == n) cont = 1; wd = wd substr(line, i, 2); i += 2; continue }
      if (c == "#" && wd == "") break
      if (c == "\047") { stk[++sp] = "n"; st = "s"; wd = wd "\047"; i++; continue }
      if (c == "\"") { stk[++sp] = "n"; st = "d"; wd = wd "\""; i++; continue }
      if (c2 == "${") { d = 0; while (i <= n) { ch = substr(line, i, 1); if (ch == "{") d++; if (ch == "}") { d--; if (d == 0) break } i++ } wd = wd "$"; i++; continue }
      if (substr(line, i, 3) == "$((") { d = 0; while (i <= n) { ch = substr(line, i, 1); if (ch == "(") d++; if (ch == ")") { d--; if (d == 0) break } i++ } wd = wd "$"; i++; continue }
      if (c2 == "$(") { flush(); stk[++sp] = "n"; cmdpos = 1; i += 2; continue }
      if (c2 == "<<" && substr(line, i, 3) != "<<<") {
        flush(); i += 2; hdtab = 0
        if (substr(line, i, 1) == "-") { hdtab = 1; i++ }
        while (substr(line, i, 1) == " ") i++
        t = ""; while (i <= n && substr(line, i, 1) !~ /[ \t;|&<>)]/) { t = t substr(line, i, 1); i++ }
        gsub(/[\047"\\]/, "", t); hd = t; continue
      }
      if (c == " " || c == "\t") { flush(); i++; continue }
      if (c2 == ";;") { flush(); if (casedepth > 0) patmode = 1; i += 2; continue }
      if (c == ";" || c == "|" || c == "&") { flush(); cmdpos = 1; skipnext = 0; i++; continue }
      if (c == "(") { flush(); stk[++sp] = "n"; cmdpos = 1; i++; continue }
      if (c == ")") { flush(); if (sp > 0) st = stk[sp--]; cmdpos = 0; i++; continue }
      if (c == "<" || c == ">") { flush(); if (cmdpos) skipnext = 1; while (substr(line, i, 1) ~ /[<>&0-9]/) i++; continue }
      wd = wd c; i++
    }
    if (st == "n") { flush(); if (!cont) { cmdpos = 1; skipnext = 0 } }
    if (hd != "") st = "h"
  }' "$srcdir"/src/remote/sh/*.sh)

# The scripts own functions: NAME() { ... }.
funcs=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)()[[:space:]]*{.*/\1/p' "$srcdir"/src/remote/sh/*.sh | sort -u)
builtins="alias bg break cd command continue echo eval exec exit export false fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait"

bad=$(printf '%s\n' "$used" | sort -u -k2,2 | while IFS='	' read -r file cmd; do
  [ -n "$cmd" ] || continue
  case " $builtins " in *" $cmd "*) continue ;; esac
  if printf '%s\n' "$funcs" | grep -qx -- "$cmd"; then continue; fi
  if printf '%s\n' "$listed" | grep -qx -- "$cmd"; then continue; fi
  echo "remote-commands: ${file#"$srcdir"/} calls '$cmd', which $doc does not list under 'External commands on the remote side'"
done)
if [ -n "$bad" ]; then printf '%s\n' "$bad" >&2; exit 1; fi
n=$(printf '%s\n' "$used" | cut -f2 | sort -u | wc -l)
echo "remote-commands: ok ($((n)) distinct command words checked against the table)"
