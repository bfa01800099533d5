#!/bin/sh
# Every external command the remote scripts (src/remote/sh/*.sh) call must
# be listed in docs/ARCHITECTURE.md, "External commands on the remote side",
# with the flags it relies on and its Linux/macOS/busybox notes: a new
# command (maybe GNU-only) cannot slip in unlisted, and neither can a new
# option of a listed one (`sed -i`, `date -d`, `grep -P`): each option word
# after a command must be in that command's "flags and forms" cell.
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
    if (!cmdpos) {
      if (expect_in && w == "in") { expect_in = 0; patmode = 1 }
      else if (curcmd != "" && w ~ /^-[A-Za-z0-9-]/) print "F\t" FILENAME "\t" curcmd "\t" w   # an option of the command
      else if (curcmd == "xargs" && w !~ /^[0-9]+$/) curcmd = ""   # the command xargs runs: its options are its own
      return
    }
    if (skipnext) { skipnext = 0; return }
    if (w ~ /^[A-Za-z_][A-Za-z0-9_]*=/) return               # assignment: a command may follow
    if (w ~ /^[0-9]*[<>]/) { if (w ~ /^[0-9]*[<>]+&?$/) skipnext = 1; return }  # redirection
    curcmd = ""
    if (w == "case") { cmdpos = 0; expect_in = 1; casedepth++; return }
    if (w == "for") { cmdpos = 0; return }
    if (w ~ /^(if|then|else|elif|while|until|do|!|\{)$/) return
    if (w ~ /^(fi|done|esac|\})$/) { if (w == "esac") casedepth--; cmdpos = 0; return }
    cmdpos = 0
    if (w ~ /^[a-z][a-z0-9_.-]*$/) { print "C\t" FILENAME "\t" w; curcmd = w }
  }
  function flush() { word_end(wd); wd = "" }
  FNR == 1 { curcmd = ""; st = "n"; sp = 0; wd = ""; cmdpos = 1; patmode = 0; expect_in = 0; casedepth = 0; hd = ""; skipnext = 0 }
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
        if (c2 == "$(" && substr(line, i, 3) != "$((") { stk[++sp] = "d"; ccs[sp] = curcmd; st = "n"; cmdpos = 1; wd = ""; i += 2; continue }
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
      if (c2 == "$(") { flush(); stk[++sp] = "n"; ccs[sp] = curcmd; cmdpos = 1; i += 2; continue }
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
      if (c == "(") { flush(); stk[++sp] = "n"; ccs[sp] = curcmd; cmdpos = 1; i++; continue }
      if (c == ")") { flush(); if (sp > 0) { curcmd = ccs[sp]; st = stk[sp--] } cmdpos = 0; i++; continue }
      if (c == "<" || c == ">") { flush(); if (cmdpos) skipnext = 1; while (substr(line, i, 1) ~ /[<>&0-9]/) i++; continue }
      wd = wd c; i++
    }
    if (st == "n") { flush(); if (!cont) { cmdpos = 1; skipnext = 0 } }
    if (hd != "") st = "h"
  }' "$srcdir"/src/remote/sh/*.sh)

# The scripts own functions: NAME() { ... }.
funcs=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)()[[:space:]]*{.*/\1/p' "$srcdir"/src/remote/sh/*.sh | sort -u)
builtins="alias bg break cd command continue echo eval exec exit export false fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait"

cmds=$(printf '%s\n' "$used" | awk -F'\t' '$1 == "C" { print $2 "\t" $3 }')
bad=$(printf '%s\n' "$cmds" | sort -u -k2,2 | while IFS='	' read -r file cmd; do
  [ -n "$cmd" ] || continue
  case " $builtins " in *" $cmd "*) continue ;; esac
  if printf '%s\n' "$funcs" | grep -qx -- "$cmd"; then continue; fi
  if printf '%s\n' "$listed" | grep -qx -- "$cmd"; then continue; fi
  echo "remote-commands: ${file#"$srcdir"/} calls '$cmd', which $doc does not list under 'External commands on the remote side'"
done)
if [ -n "$bad" ]; then printf '%s\n' "$bad" >&2; exit 1; fi

# Flags: every option word a script passes to a listed command (`sed -i`,
# `date -d`, `grep -P` ...) must be in that command's "flags and forms" cell.
# A cell token is a word starting with - (after a space, backtick, slash,
# comma or bracket, so `+%Y-%m-%d` gives none). A used option matches a
# token exactly, by its name before '=', as -X followed by a number (-n1
# for `-n N`), or as a cluster of single letters each listed (-rf).
allowed=$(awk '
  /^## External commands on the remote side/ { on = 1; next }
  on && /^## / { exit }
  on && /^\| `/ {
    n = split($0, cell, /[ \t]*\|[ \t]*/)
    names = cell[2]; flags = " " cell[3]
    while (match(names, /`[^`]+`/)) {
      c = substr(names, RSTART + 1, RLENGTH - 2); names = substr(names, RSTART + RLENGTH)
      f = flags
      while (match(f, /[ `\/(\[]--?[A-Za-z0-9][^ `\/)\]]*/)) {
        t = substr(f, RSTART + 1, RLENGTH - 1); f = substr(f, RSTART + RLENGTH); sub(/,$/, "", t)
        print c "\t" t; sub(/=.*/, "", t); print c "\t" t
      }
    }
  }' "$doc" | sort -u)
badflags=$(printf '%s\n' "$used" | awk -F'\t' -v allowed="$allowed" -v listed="$listed" -v builtins=" $builtins " -v doc="$doc" -v srcdir="$srcdir/" '
  BEGIN {
    n = split(allowed, a, "\n"); for (i = 1; i <= n; i++) ok[a[i]] = 1
    n = split(listed, a, "\n"); for (i = 1; i <= n; i++) known[a[i]] = 1
  }
  $1 != "F" { next }
  {
    file = $2; cmd = $3; w = $4
    gsub(/["\047]/, "", w)
    if (index(builtins, " " cmd " ")) next
    if (!(cmd in known)) next   # a function of the scripts (an unlisted command was reported above)
    if ((cmd "\t" w) in ok) next
    nm = w; sub(/=.*/, "", nm); if ((cmd "\t" nm) in ok) next
    if (w ~ /^-[A-Za-z][0-9][0-9,+-]*$/ && ((cmd "\t" substr(w, 1, 2)) in ok)) next
    if (w ~ /^-[A-Za-z][A-Za-z]+$/) {
      all = 1
      for (k = 2; k <= length(w); k++) if (!((cmd "\t-" substr(w, k, 1)) in ok)) all = 0
      if (all) next
    }
    f = file; if (index(f, srcdir) == 1) f = substr(f, length(srcdir) + 1)
    if (!seen[f cmd w]++) print "remote-commands: " f " calls \047" cmd " " w "\047, but " doc " does not list " w " among " cmd "\047s flags (if GNU, macOS and busybox all have it, add it there)"
  }')
if [ -n "$badflags" ]; then printf '%s\n' "$badflags" >&2; exit 1; fi
n=$(printf '%s\n' "$cmds" | cut -f2 | sort -u | wc -l)
nf=$(printf '%s\n' "$used" | awk -F'\t' '$1 == "F"' | cut -f3,4 | sort -u | wc -l)
echo "remote-commands: ok ($((n)) distinct command words and $((nf)) distinct command options checked against the table)"
