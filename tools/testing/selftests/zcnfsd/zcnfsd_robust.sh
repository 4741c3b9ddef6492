#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and hostile traffic against zcnfsd exporting a zcfs mount:
# zcnfsd_robust (a raw-socket RPC client, one KTAP result per case) does
# the work; this script loads the modules around it and checks that the
# server unloads and zcfs unmounts afterwards (no loan or socket left).
. "$(dirname "$0")/lib.sh"

zn_run_client zcnfsd_robust
