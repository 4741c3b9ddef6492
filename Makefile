# SPDX-License-Identifier: GPL-2.0
#
# zcvfs top-level Makefile.  Kbuild reads ./Kbuild; this file is for people.
#
#   make demo            set up what is missing, build, boot, show zero-copy
#   make test            set up what is missing, run every test, both arches
#   make bench           benchmarks on the bench kernels, both arches
#                        (results in build/bench/, Documentation/benchmarks.rst)
#   make modules         build the modules (ARCH=x86_64|arm64, KDIR=<tree>)
#   make kernel          build (or reuse) the cached test kernel for ARCH
#   make setup           install the toolchain and build both test kernels
#   make clean
#
# Without KDIR the modules are built against the project's own test kernel
# (built and cached outside the checkout by tools/kernel/build-kernel.sh).

ARCH ?= x86_64
KDIR ?=
O ?= $(CURDIR)/build

.PHONY: all modules kernel setup demo test bench clean

all: modules

setup:
	tools/setup/setup.sh

kernel:
	tools/setup/setup.sh --no-kernels
	tools/kernel/build-kernel.sh $(ARCH)

modules:
	tools/build-modules.sh $(ARCH) $(KDIR)

demo:
	tools/demo.sh

test:
	tools/test.sh

bench:
	tools/bench/bench.sh

clean:
	rm -rf $(O)
