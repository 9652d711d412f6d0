# SPDX-License-Identifier: GPL-2.0
# One static arm64 test program from one C file, for the VM tests:
# a tool's Makefile sets TOOL and includes this.  Output goes to
# $(top)/build/vm/, which tests/vm/run copies into the initramfs /bin.
top := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
OUT ?= $(top)/build/vm
CROSS_COMPILE ?= aarch64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
CFLAGS ?= -O2 -g -Wall -Wextra -Werror
LDFLAGS ?= -static

all: $(OUT)/$(TOOL)

$(OUT)/$(TOOL): $(TOOL).c Makefile ../tool.mk
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

clean:
	rm -f $(OUT)/$(TOOL)

.PHONY: all clean
