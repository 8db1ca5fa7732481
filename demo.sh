#!/usr/bin/env bash
# The main job: builds optsync, starts the SugarCRM and Act-On simulators with realistic data and a real NiFi 2.3.0
# with the optsync NAR, imports templates/sugarcrm-acton-optout-sync.json, runs it, prints a before/after summary,
# and leaves NiFi running at the printed URL until Ctrl-C. Needs nothing but a JDK 21+ (./mvnw finds it).
set -euo pipefail
cd "$(dirname "$0")"
exec ./mvnw -B -ntp -q -Pdemo -pl optsync-integration-tests -am -DskipTests verify
