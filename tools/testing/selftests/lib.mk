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

OUTPUT ?= $(CURDIR)
CC ?= gcc
CFLAGS ?= -O2 -g0
CFLAGS += -static -Wall -Wextra -Werror -D_GNU_SOURCE -I$(CURDIR)/../../../../include
COLLECTION ?= $(notdir $(CURDIR))

GEN := $(addprefix $(OUTPUT)/,$(TEST_GEN_PROGS) $(TEST_GEN_FILES))

.PHONY: all install emit_tests clean
all: $(GEN)

$(OUTPUT)/%: %.c $(wildcard *.h)
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) $< -o $@ $(LDLIBS)

install: all
	@mkdir -p $(INSTALL_PATH)
	@for f in $(TEST_PROGS) $(TEST_PROGS_EXTENDED) $(TEST_FILES) $(wildcard settings config); do \
		cp -p $$f $(INSTALL_PATH)/ || exit 1; done
	@for f in $(GEN); do cp -p $$f $(INSTALL_PATH)/ || exit 1; done

emit_tests:
	@for t in $(TEST_PROGS) $(TEST_GEN_PROGS); do echo "$(COLLECTION):$$t"; done

clean:
	rm -f $(GEN)
