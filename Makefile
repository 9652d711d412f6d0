# SPDX-License-Identifier: GPL-2.0
#
# kvm_pmu_partition
#
#   make                    build for the default kernel (KSERIES=6.12)
#   make KSERIES=7.3        build for one matrix kernel (6.1 6.12 7.2 7.3, and
#                           6.6 once scripts/setup ran with KPP_KERNEL_6_6=DIR)
#   make matrix             all of them, with sparse (C=2) and W=1; any warning fails
#   make check              every test tier (installs what it needs)
#   make demo               boot the emulated arm64 KVM host and show its PMU
#   make bench              the test bed's measures, per kernel and CPU kind
#   make realvmm            one boot of the real-VMM tier (KSERIES=, CPU=)
#   make selftests          one boot of KVM's selftests, stock and with the module
#   make KDIR=/lib/modules/$(uname -r)/build   in-place build (DKMS, native)
#   make deb                build/deb/kvm-pmu-partition-dkms_VERSION_all.deb (the
#                           command's kvm-pmu-partition-tools is arm64: tests/dkms/run)
#   make dkms-install       from git, on an arm64 host: DKMS add, build, install
#   make check-dkms         the DKMS/Debian tier (tests/dkms/run)
#
# Matrix kernels come from scripts/setup's cache (KPP_CACHE).

KPP_CACHE ?= /var/cache/kvm-pmu-partition
export KPP_CACHE
DEBIAN_SERIES := 6.1 6.12 7.2 7.3
NPROC := $(shell nproc)
# Kernels of the user's own that scripts/setup took in (KPP_KERNEL_6_6=DIR).
OWN_SERIES := $(strip $(shell cat $(KPP_CACHE)/own-kernels 2>/dev/null))
SERIES := $(DEBIAN_SERIES) $(OWN_SERIES)
KSERIES ?= 6.12
CPUS := nofgt fgt n1
CPU ?= nofgt
TOP := $(CURDIR)
BUILD := $(TOP)/build

ifneq ($(KDIR),)
# ---------------------------------------------------------------------------
# In-place build against one kernel tree: what DKMS runs, and what the
# per-series builds below run inside build/<series>/.  Probes run first, so
# a kernel upgrade re-probes.
KARGS := $(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE)) \
	 $(if $(KCC),CC=$(KCC))

all: modules

probe:
	@compat/probe.sh $(KDIR) $(KARGS)

modules: probe
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KARGS) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf compat/generated

.PHONY: all probe modules clean
else
# ---------------------------------------------------------------------------
SRCS := Kbuild Makefile src include compat hooks

# Bad input fails at once with one line that says what to do.
ifneq ($(filter $(or $(MAKECMDGOALS),all),all module vmtest realvmm selftests),)
ifeq ($(filter $(KSERIES),$(SERIES)),)
$(error unknown KSERIES=$(KSERIES); choose one of: $(SERIES))
endif
ifeq ($(wildcard $(KPP_CACHE)/kernels/$(KSERIES)/kernel.env),)
$(error kernel $(KSERIES) is not in $(KPP_CACHE); run scripts/setup first)
endif
endif
ifneq ($(filter matrix,$(MAKECMDGOALS)),)
ifneq ($(words $(wildcard $(DEBIAN_SERIES:%=$(KPP_CACHE)/kernels/%/kernel.env))),$(words $(DEBIAN_SERIES)))
$(error the kernel matrix in $(KPP_CACHE) is incomplete; run scripts/setup first)
endif
endif

all: module cli

# Copy the tree into build/<series>/ (mtimes kept, so rebuilds stay
# incremental) and build there, so that series never share objects.
define sync-tree
	@mkdir -p $(BUILD)/$(1)
	@cp -a -u $(SRCS) $(BUILD)/$(1)/
	@rm -rf $(BUILD)/$(1)/compat/generated/probe-work
endef

# KPP_TEST_OMIT_HPME=1: a test-only build that leaves MDCR_EL2.HPME clear
# (the seed's bug), in build/<series>-omit-hpme/, for proving that the
# tests catch it.
# KPP_TEST_FAULTS=1: a test-only build with fault injection (fail_hook,
# delay_steps, delay_ms), in build/<series>-faults/.
VARIANT := $(if $(filter 1,$(KPP_TEST_OMIT_HPME)),-omit-hpme)$(if $(filter 1,$(KPP_TEST_FAULTS)),-faults)

module:
	$(call sync-tree,$(KSERIES)$(VARIANT))
	@scripts/kmake $(KSERIES) $(BUILD)/$(KSERIES)$(VARIANT) modules $(if $(V),V=$(V)) \
		$(if $(filter 1,$(KPP_TEST_OMIT_HPME)),KPP_TEST_OMIT_HPME=1) \
		$(if $(filter 1,$(KPP_TEST_FAULTS)),KPP_TEST_FAULTS=1)
	@echo "built $(BUILD)/$(KSERIES)$(VARIANT)/kvm_pmu_partition.ko"

# One series with sparse and W=1; the log must hold no diagnostic at all.
# Its own kbuild run (no jobserver), so that make -j builds series side by side.
matrix-%:
	$(call sync-tree,$*)
	@rm -f $(BUILD)/$*/*.o $(BUILD)/$*/src/*.o $(BUILD)/$*/*.ko
	@MAKEFLAGS= scripts/kmake $* $(BUILD)/$* modules C=2 W=1 >$(BUILD)/$*/matrix.log 2>&1 || \
		{ tail -n 30 $(BUILD)/$*/matrix.log; echo "matrix: $* failed to build"; exit 1; }
	@if grep -Ei 'warning|error:|sparse:' $(BUILD)/$*/matrix.log; then \
		echo "matrix: $* has diagnostics (full log: $(BUILD)/$*/matrix.log)"; exit 1; fi
	@printf '%s (0 warnings, C=2 W=1)\n' "$$(grep -h ': pmu=' $(BUILD)/$*/matrix.log)"
	@scripts/check-exports $* $(BUILD)/$*/kvm_pmu_partition.ko
	@scripts/imports $(BUILD)/$* >$(BUILD)/$*/imports.log || { cat $(BUILD)/$*/imports.log; exit 1; }
	@echo "$*: $$(tail -n1 $(BUILD)/$*/imports.log | sed 's/^imports: //') (scripts/imports)"

matrix: $(addprefix matrix-,$(SERIES))
	@$(if $(filter 6.6,$(SERIES)),,echo "matrix: 6.6 skipped: no kernel of your own given (scripts/setup with KPP_KERNEL_6_6=DIR; README 'Kernels of your own')")
	@scripts/kernels-table $(SERIES) >$(BUILD)/supported-kernels.md
	@sed 's/^/manifest: /' $(KPP_CACHE)/manifest
	@echo "matrix: $(words $(SERIES)) series built, 0 warnings"

unit:
	@$(MAKE) -s -C tests/unit check

# The operator's command (tools/), for this machine; CC=aarch64-linux-gnu-gcc
# for an arm64 host.  cli-install: into $(DESTDIR)$(PREFIX), with its man page.
# CPPFLAGS, CFLAGS and LDFLAGS are taken from the environment (dpkg-buildflags
# in debian/rules); a distribution build sets CLI_WERROR= .
PREFIX ?= /usr/local
CLI_WERROR ?= -Werror
cli: tools/kvm-pmu-partition

tools/kvm-pmu-partition: tools/kvm-pmu-partition.c
	$(CC) $(CPPFLAGS) $(or $(CFLAGS),-O2 -g) -Wall -Wextra $(CLI_WERROR) $(LDFLAGS) -o $@ $<

cli-install: cli
	install -D -m 0755 tools/kvm-pmu-partition $(DESTDIR)$(PREFIX)/sbin/kvm-pmu-partition
	install -D -m 0644 tools/kvm-pmu-partition.8 $(DESTDIR)$(PREFIX)/share/man/man8/kvm-pmu-partition.8

cli-check:
	@tests/cli/run

checkpatch:
	@scripts/checkpatch

demo:
	@KPP_SETUP_FOR=demo KSERIES=$(KSERIES) scripts/setup
	@$(MAKE) -s module vm-tools KSERIES=$(KSERIES)
	@$(MAKE) -s module KSERIES=$(KSERIES) KPP_TEST_OMIT_HPME=1
	@for c in $(if $(filter command line,$(origin CPU)),$(CPU),$(CPUS)); do \
		tests/vm/run --demo KSERIES=$(KSERIES) CPU=$$c || exit 1; done

vm-tools:
	@$(MAKE) -s -C tests/vm

vmtest: module vm-tools
	@$(MAKE) -s module KSERIES=$(KSERIES) KPP_TEST_OMIT_HPME=1	# for 70-seed
	@$(MAKE) -s module KSERIES=$(KSERIES) KPP_TEST_FAULTS=1	# for 78-faults
	@tests/vm/run KSERIES=$(KSERIES) CPU=$(CPU) $(if $(TESTS),TESTS="$(TESTS)") $(if $(TIMEOUT),TIMEOUT=$(TIMEOUT)) \
		$(if $(APPEND),APPEND="$(APPEND)")

# One boot of the real-VMM tier (QEMU + a Linux guest + Debian's perf inside
# the emulated host), or of KVM's selftests, stock and with the module.
realvmm: module vm-tools
	@tests/vm/run KSERIES=$(KSERIES) CPU=$(CPU) TESTS=90-realvmm \
		EXTRA=$(KPP_CACHE)/realvmm/payload $(if $(APPEND),APPEND="$(APPEND)")

selftests: module vm-tools
	@tests/vm/run KSERIES=$(KSERIES) CPU=$(CPU) TESTS=85-selftests \
		SELFTESTS=$(KPP_CACHE)/selftests/$(KSERIES)

# Every measure of the test bed, a column per (kernel, CPU kind).
bench: vm-tools
	@tests/bench/run $(if $(filter command line,$(origin KSERIES)),$(KSERIES),$(SERIES)) \
		-- $(if $(filter command line,$(origin CPU)),$(CPU),$(CPUS))

# The default cases (tests/vm/run); n1 without 35-payloads, 78-faults and
# 80-lifecycle (tests/vm/check.boots says why).
N1_TESTS := $(filter-out 35-payloads 78-faults 80-lifecycle 85-selftests 90-realvmm,$(basename $(notdir \
	$(wildcard tests/vm/cases/[0-8]*.sh))))
vmtest-all: vm-tools
	@mkdir -p $(BUILD) && printf '%s\n' $(foreach s,$(SERIES),"$(s) nofgt" "$(s) fgt" \
		"$(s) n1 TESTS='$(N1_TESTS)'") >$(BUILD)/vmtest-all.boots
	@tests/vm/run-matrix -f $(BUILD)/vmtest-all.boots

# make check's VM tier: every boot of tests/vm/check.boots, two at a time.
# make check runs it with the DKMS tier (bookworm with 6.1, trixie with 7.3) as two
# more jobs of the same pool.
vmtest-check: vm-tools
	@tests/vm/run-matrix -f tests/vm/check.boots

check:
	@KPP_SETUP_DKMS=0 scripts/setup
	@$(MAKE) -s unit
	@tests/build/errors
	@tests/build/plans
	@tests/cli/run
	@$(MAKE) -s checkpatch
	@$(MAKE) -s -j$(NPROC) -Otarget matrix
	@$(MAKE) -s vm-tools
	@tests/vm/run-matrix -c 'scripts/setup-dkms && tests/dkms/run BOOKWORM=6.1' \
		-c 'KPP_DKMS_SUITES=trixie scripts/setup-dkms && tests/dkms/run SUITES=trixie TRIXIE=7.3 CROSS=0' \
		-f tests/vm/check.boots

# --- DKMS and the Debian package (docs/dkms.md) ----------------------------
DKMS_NAME := kvm-pmu-partition
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)

# DKMS's source tree: the module's sources (SRCS) and dkms.conf, no objects.
dkms-src:
	@rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	@tar -c --exclude=compat/generated --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.cmd' --exclude=Module.symvers \
		--exclude=modules.order $(SRCS) dkms.conf | tar -x -C $(DKMS_SRC)

# From git: KVER= picks a kernel other than the running one.
dkms-install:
	@$(MAKE) -s dkms-uninstall
	@$(MAKE) -s dkms-src DESTDIR=
	dkms install $(DKMS_NAME)/$(DKMS_VERSION) $(if $(KVER),-k $(KVER))

dkms-uninstall:
	@! dkms status -m $(DKMS_NAME) -v $(DKMS_VERSION) | grep -q . || \
		dkms remove $(DKMS_NAME)/$(DKMS_VERSION) --all
	@rm -rf $(DESTDIR)/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)

deb:
	@scripts/build-deb $(BUILD)/deb

check-dkms:
	@scripts/setup
	@$(MAKE) -s vm-tools
	@tests/dkms/run

readme-table:
	@scripts/kernels-table $(SERIES) >$(BUILD)/supported-kernels.md
	@scripts/readme-table $(BUILD)/supported-kernels.md README.md

clean:
	rm -rf $(BUILD) compat/generated
	$(MAKE) -s -C tests/unit clean
	$(MAKE) -s -C tests/vm clean

.PHONY: all module cli cli-install cli-check matrix unit checkpatch demo vm-tools vmtest vmtest-all vmtest-check realvmm selftests \
	bench check \
	readme-table clean dkms-src dkms-install dkms-uninstall deb check-dkms
endif
