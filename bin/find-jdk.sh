# Sourced by .ci/run and ./mailroom-local: sets JAVA_HOME to the newest JDK 21+ it finds
# (JAVA_HOME first, then /usr/lib/jvm/*), and prints nothing. Returns 1 when there is none.
_mailroom_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1; }
mailroom_find_jdk() {
  local best="" best_major=0 candidate major
  for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(_mailroom_java_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
  done
  [ -n "$best" ] || return 1
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
