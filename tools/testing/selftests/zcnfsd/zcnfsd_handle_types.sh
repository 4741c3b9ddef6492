#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a file handle names, checked by every procedure: zcnfsd_handle_types
# (a raw-socket RPC client, one KTAP result per case) gives directory
# handles of files and symlinks, file handles of directories and symlinks,
# and times that cannot be stored, to zcnfsd exporting a zcfs mount; this
# script loads the modules around it and checks that the server unloads
# and zcfs unmounts afterwards.
. "$(dirname "$0")/lib.sh"

zn_run_client zcnfsd_handle_types
