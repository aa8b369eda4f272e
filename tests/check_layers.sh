#!/bin/sh
# Rejects any #include of a header from a layer above the including file's own
# (api -> queue/lock/pubsub -> engine), includes between sibling modules, and
# <ev.h> outside api/. Prints each offending line; exits 1 if there is one.
root=${1:-.}
cd "$root" || exit 2
status=0
allowed() {
  case "$1" in
    engine) echo "engine" ;;
    queue) echo "engine queue" ;;
    lock) echo "engine lock" ;;
    pubsub) echo "engine pubsub" ;;
    api) echo "engine queue lock pubsub api" ;;
  esac
}
for layer in engine queue lock pubsub api; do
  [ -d "$layer" ] || continue
  ok=$(allowed "$layer")
  for f in $(find "$layer" -name '*.[ch]'); do
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
      inc=$(printf '%s' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
      top=${inc%%/*}
      [ "$top" = "$inc" ] && { echo "$f:$line: include must name its layer folder"; echo x; continue; }
      case " $ok " in *" $top "*) ;; *) echo "$f:$line: $layer may not include $top/"; echo x ;; esac
    done
    if [ "$layer" != api ] && grep -n '#[[:space:]]*include[[:space:]]*<ev\.h>' "$f"; then
      echo "$f: <ev.h> is for api/ only"; echo x
    fi
  done
done > /tmp/taskkv_layers.$$
if grep -q '^x$' /tmp/taskkv_layers.$$; then grep -v '^x$' /tmp/taskkv_layers.$$; status=1; fi
rm -f /tmp/taskkv_layers.$$
[ $status -eq 0 ] && echo "layering ok"
exit $status
