# SPDX-License-Identifier: GPL-2.0
#
# The subset of the kernel's tools/testing/selftests/lib.mk that our suites
# use, so that they build out of the kernel tree.  A suite's Makefile sets
# TEST_PROGS (scripts), TEST_GEN_PROGS (C programs built from NAME.c),
# TEST_FILES (data), TEST_PROGS_EXTENDED (installed, not run by the
# runner) and includes ../lib.mk, exactly as in-tree suites do.
#
#   make OUTPUT=DIR CC=cross-gcc            build the C programs into DIR
#   make ... INSTALL_PATH=DIR install       build and install the suite
#   make ... COLLECTION=NAME emit_tests     print kselftest-list.txt lines
#
# The programs include the kernel's own kselftest.h (and may include
# kselftest_harness.h) as in-tree suites do: from
# $(KSRC)/tools/testing/selftests, the kernel source that `make setup`
# unpacks (tools/setup/kernel-source.sh prints where; the guest packer
# passes KSRC=).  A program built from several files lists the others as
# prerequisites of $(OUTPUT)/NAME: every .c prerequisite is compiled in.

selfdir := $(realpath $(dir $(lastword $(MAKEFILE_LIST))))
ifeq ($(KSRC),)
KSRC := $(shell $(selfdir)/../../setup/kernel-source.sh)
endif
KSFT_HDRS := $(KSRC)/tools/testing/selftests/kselftest.h \
	$(KSRC)/tools/testing/selftests/kselftest_harness.h

OUTPUT ?= $(CURDIR)
CC ?= gcc
CFLAGS ?= -O2 -g0
CFLAGS += -static -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I$(KSRC)/tools/testing/selftests
COLLECTION ?= $(notdir $(CURDIR))

GEN := $(addprefix $(OUTPUT)/,$(TEST_GEN_PROGS) $(TEST_GEN_FILES))

.PHONY: all install emit_tests clean
all: $(GEN)

$(OUTPUT)/%: %.c $(wildcard *.h) $(KSFT_HDRS)
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) $(filter %.c,$^) -o $@ $(LDLIBS)

install: all
	@mkdir -p $(INSTALL_PATH)
	@for f in $(TEST_PROGS) $(TEST_PROGS_EXTENDED) $(TEST_FILES) $(wildcard settings config); do \
		cp -p $$f $(INSTALL_PATH)/ || exit 1; done
	@for f in $(GEN); do cp -p $$f $(INSTALL_PATH)/ || exit 1; done

emit_tests:
	@for t in $(TEST_PROGS) $(TEST_GEN_PROGS); do echo "$(COLLECTION):$$t"; done

clean:
	rm -f $(GEN)
