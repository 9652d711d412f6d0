// SPDX-License-Identifier: GPL-2.0
/*
 * el0read - what a host task at EL0 can read of the PMU (tests/vm/cases/
 * 45-isolation.sh).
 *
 * Usage: el0read [-n N]
 *
 * 1. With no perf event of its own, it tries to read PMCCNTR_EL0 at EL0:
 *    allowed only if PMUSERENR_EL0 grants it (EN or CR), which the host
 *    never does for a task without a user-access event.
 *      noevent_access=0|1
 * 2. It opens a task event with EL0 access (kernel.perf_user_access=1,
 *    config1 bit 1, "rdpmc"), as a JIT or a profiler would, so that the
 *    driver sets PMUSERENR_EL0.ER/CR while it runs, and then reads at EL0
 *    PMEVCNTR<n>_EL0 for n < N (-n N, at most 16; ER grants no PMSELR_EL0
 *    write, so not through PMXEVCNTR_EL0) and PMCCNTR_EL0.
 *      rdpmc=0|1          cap_user_rdpmc of the event's page
 *      own=I              the event's counter (perf's index - 1)
 *      cnt<n>=V ... ccnt=V
 * A read that faults prints "fault" for its value.
 * Exit status: 0, 2 on a usage or perf_event_open error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

static sigjmp_buf env;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

enum what { PMCCNTR, EVCNTR };

#define MAX_N	16
#define EVCNTR_CASE(n)							\
	case n:								\
		asm volatile("mrs %0, pmevcntr" #n "_el0" : "=r"(v));	\
		break

/* One read at EL0; 0 if it faulted (SIGILL: PMUSERENR_EL0 denies it). */
static int __attribute__((noinline)) el0_read(enum what w, uint64_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (sigsetjmp(env, 1))
		return 0;
	switch (w) {
	case PMCCNTR:
		asm volatile("mrs %0, pmccntr_el0" : "=r"(v));
		break;
	case EVCNTR:
		switch (n) {
		EVCNTR_CASE(0); EVCNTR_CASE(1); EVCNTR_CASE(2); EVCNTR_CASE(3);
		EVCNTR_CASE(4); EVCNTR_CASE(5); EVCNTR_CASE(6); EVCNTR_CASE(7);
		EVCNTR_CASE(8); EVCNTR_CASE(9); EVCNTR_CASE(10); EVCNTR_CASE(11);
		EVCNTR_CASE(12); EVCNTR_CASE(13); EVCNTR_CASE(14); EVCNTR_CASE(15);
		}
		break;
	}
	*out = v;
	return 1;
}

static void print(const char *name, int ok, uint64_t v)
{
	if (ok)
		printf("%s=%llu\n", name, (unsigned long long)v);
	else
		printf("%s=fault\n", name);
}

int main(int argc, char **argv)
{
	struct perf_event_attr attr;
	struct perf_event_mmap_page *pg;
	struct sigaction sa;
	int fd, ok, n = 0, i;
	uint64_t v = 0;
	char name[16];

	if (argc == 3 && !strcmp(argv[1], "-n"))
		n = atoi(argv[2]);
	if (n < 0 || n > MAX_N || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: el0read [-n N]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigill;
	sigaction(SIGILL, &sa, NULL);

	printf("noevent_access=%d\n", el0_read(PMCCNTR, 0, &v));

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.config1 = 0x2;	/* rdpmc: EL0 access (arm_pmuv3 "config1:1") */
	attr.exclude_kernel = 1;
	attr.pinned = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0) {
		fprintf(stderr, "el0read: perf_event_open: %s (kernel.perf_user_access=1?)\n",
			strerror(errno));
		return 2;
	}
	pg = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, fd, 0);
	if (pg == MAP_FAILED) {
		fprintf(stderr, "el0read: mmap: %s\n", strerror(errno));
		return 2;
	}
	/* Scheduled in by now (pinned, this task): the driver granted EL0 access. */
	printf("rdpmc=%d\n", (int)pg->cap_user_rdpmc);
	printf("own=%d\n", (int)pg->index - 1);
	for (i = 0; i < n; i++) {
		ok = el0_read(EVCNTR, i, &v);
		snprintf(name, sizeof(name), "cnt%d", i);
		print(name, ok, v);
	}
	ok = el0_read(PMCCNTR, 0, &v);
	print("ccnt", ok, v);
	return 0;
}
