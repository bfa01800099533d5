#!/bin/sh
# make check: the faces (src/cli, src/tui) reach everything through the
# engine. They may include engine/, event/, util/ and their own headers, and
# store/job.h (the job record, a plain value type), but no repository, no
# SQL and no SSH. Lower layers never include the faces or the engine.
set -u
src=${srcdir:-.}/src
status=0
bad=$(grep -n '#include "\(store\|ssh\|remote\|notify\)/' "$src"/cli/*.cc "$src"/cli/*.h "$src"/tui/*.cc "$src"/tui/*.h |
  grep -v '#include "store/job.h"')
if [ -n "$bad" ]; then
  echo "FAIL: a face includes a lower layer directly (ask the engine instead):"
  echo "$bad"
  status=1
fi
# Nor do they take the engine's database or connections (engine/engine.h).
inner=$(grep -n '\(engine\|engine_\)\.\(db\|ssh\)()' "$src"/cli/*.cc "$src"/cli/*.h "$src"/tui/*.cc "$src"/tui/*.h "$src"/main.cc)
if [ -n "$inner" ]; then
  echo "FAIL: a face takes the engine's database or connections (ask the engine instead):"
  echo "$inner"
  status=1
fi
for layer in remote store ssh notify event util; do
  up=$(grep -n '#include "\(cli\|tui\|engine\)/' "$src/$layer"/*.cc "$src/$layer"/*.h 2>/dev/null)
  if [ -n "$up" ]; then
    echo "FAIL: $layer includes a layer above it:"
    echo "$up"
    status=1
  fi
done
# The UI's host controller draws nothing: it marks what changed through
# tui/views.h, so it builds and is tested without curses.
draw=$(grep -n '#include' "$src"/tui/host_controller.h "$src"/tui/host_controller.cc "$src"/tui/views.h "$src"/tui/model.h |
  grep 'curses\|"tui/' | grep -v '"tui/\(host_controller\|views\|model\|host_view\|job_list\|log_view\)\.h"')
if [ -n "$draw" ]; then
  echo "FAIL: the host controller includes curses or a drawing part of the UI:"
  echo "$draw"
  status=1
fi
[ $status = 0 ] && echo "ok: faces -> engine -> remote/store/ssh/notify -> event/util"
exit $status
