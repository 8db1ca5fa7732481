# shellcheck shell=sh
# Sourced by ./mvnw (and through it by every project script): makes JAVA_HOME point at a JDK 21 or newer.
# NiFi 2.x needs Java 21+. Order: JAVA_HOME when it is 21+, then the `java` on PATH, then the usual
# JDK install folders (the newest JDK found wins). Fails with what to install when there is none.

optsync_jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  "$1/bin/java" -version 2>&1 | sed -n 's/^[^"]* version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

optsync_select_jdk() {
  optsync_want=21
  if [ -n "${JAVA_HOME-}" ]; then
    optsync_major=$(optsync_jdk_major "$JAVA_HOME" || :)
    if [ -n "$optsync_major" ] && [ "$optsync_major" -ge "$optsync_want" ]; then
      return 0
    fi
    echo "optsync: JAVA_HOME=$JAVA_HOME is not a JDK $optsync_want+ (found '${optsync_major:-none}'); looking for another JDK." >&2
  fi
  optsync_best=""
  optsync_best_major=0
  optsync_path_java=$(command -v java 2>/dev/null || :)
  if [ -n "$optsync_path_java" ]; then
    optsync_path_java=$(readlink -f "$optsync_path_java" 2>/dev/null || printf %s "$optsync_path_java")
    optsync_path_home=${optsync_path_java%/bin/java}
  else
    optsync_path_home=""
  fi
  for optsync_candidate in "$optsync_path_home" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$optsync_candidate" ] && [ -d "$optsync_candidate" ] || continue
    optsync_major=$(optsync_jdk_major "$optsync_candidate" || :)
    [ -n "$optsync_major" ] || continue
    if [ "$optsync_major" -ge "$optsync_want" ] && [ "$optsync_major" -gt "$optsync_best_major" ]; then
      optsync_best=$optsync_candidate
      optsync_best_major=$optsync_major
    fi
  done
  if [ -z "$optsync_best" ]; then
    cat >&2 <<MSG
optsync: no JDK $optsync_want or newer was found (looked at JAVA_HOME, the java on PATH, /usr/lib/jvm,
/usr/java, /opt/java, ~/.sdkman and ~/.jdks). Apache NiFi 2.x and this build need Java $optsync_want+.
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk      (or Eclipse Temurin 21 from adoptium.net)
  SDKMAN!:        sdk install java 21-tem
then run the command again (or point JAVA_HOME at it).
MSG
    return 1
  fi
  JAVA_HOME=$optsync_best
  export JAVA_HOME
}

# mvnw runs with `set -f`; the search below needs globbing, so switch it on for the search only.
case $- in *f*) optsync_noglob=1; set +f ;; *) optsync_noglob= ;; esac
optsync_select_jdk || exit 1
[ -z "$optsync_noglob" ] || set -f
