#!/usr/bin/env bash
# The main job: builds the optsync NAR and shows where it is and what it holds.
# (A later step turns this into a demo that runs the templates in a real NiFi against vendor simulators.)
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -ntp -q -DskipTests package
nar=$(ls "$PWD"/nifi-optsync-nar/target/nifi-optsync-nar-*.nar)
echo
echo "optsync NAR: $nar"
echo
echo "Extensions it holds (from its extension manifest):"
unzip -p "$nar" META-INF/docs/extension-manifest.xml \
  | grep -oE '<name>io\.optsync[^<]+</name>|<type>(PROCESSOR|CONTROLLER_SERVICE)</type>' \
  | sed -E 's#<name>(.*)</name>#  \1#; s#<type>(.*)</type>#    (\1)#' | paste - - | sed 's/\t/ /'
echo
echo "Jars it bundles (the rest comes from its parent, nifi-standard-shared-nar):"
unzip -l "$nar" | awk '/bundled-dependencies\/.+\.jar/ {sub(".*/", "", $4); print "  " $4}'
echo
echo "Install: copy it into <nifi>/extensions/ (picked up live) or <nifi>/lib/ (at restart)."
