// SPDX-License-Identifier: GPL-2.0
/*
 * perfc - a minimal static perf counting client for the VM tests.
 *
 * Usage: perfc [-a | -C CPU[,CPU...] | -p] [-e EVENT[,EVENT...]] [-x] [-q]
 *              -- COMMAND [ARGS...]
 *
 *   -a    count on every online CPU (the default): one counter per event
 *         per CPU, perf_event_open(pid = -1, cpu = c)
 *   -C    count on the listed CPUs ("0", "0,2", "0-3")
 *   -p    count the command as a task: perf_event_open(pid = child,
 *         cpu = -1) with inherit and enable_on_exec
 *   -e    events, comma separated (default: instructions,cycles)
 *   -x    exact mode: open the counters pinned and fail (exit 3) if any
 *         of them was multiplexed or could not be scheduled
 *   -q    print only the summed EVENT=COUNT lines
 *
 * EVENT is NAME[:MODS].  NAME: instructions, cycles (PERF_TYPE_HARDWARE),
 * or rNN (PERF_TYPE_RAW, NN the hex event number, e.g. r08 = INST_RETIRED).
 * MODS, as in perf: u (user only), k (kernel only), h (hypervisor only;
 * u/k/h combine: "uk" counts user and kernel), G (guest only: exclude_host),
 * H (host only: exclude_guest).  Unlike perf, no modifier means no
 * exclusion at all: host and guest, every exception level.
 *
 * The command is forked and held on a pipe until every counter is open;
 * CPU counters are enabled with PERF_EVENT_IOC_ENABLE just before the
 * child is released to exec, task counters by enable_on_exec.  After the
 * command exits the counters are disabled and read.  Results go to stderr
 * (stdout stays the command's), one line per item:
 *
 *   EVENT=COUNT                      summed over CPUs
 *   EVENT@cpuN=COUNT                 per CPU (EVENT@task in -p mode)
 *   EVENT@cpuN.time_enabled=NS
 *   EVENT@cpuN.time_running=NS
 *   perfc: warning: EVENT@cpuN multiplexed: ran X of Y ns
 *
 * Counts are raw, never scaled.
 * Exit status: the command's (128 + signal if killed), 2 on usage or
 * perf_event_open errors (the message names the event, the CPU and the
 * errno string), 3 in -x mode if a counter did not run all the time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>

#define MAX_EVENTS	16
#define MAX_CPUS	256

struct event {
	char name[64];
	struct perf_event_attr attr;
};

struct counter {
	int ev, cpu;		/* cpu -1: task counter */
	int fd;
	uint64_t value, enabled, running;
	int unscheduled;	/* read returned nothing: pinned counter in error */
};

static struct event events[MAX_EVENTS];
static int nr_events;
static int cpus[MAX_CPUS];
static int nr_cpus;

static void __attribute__((noreturn, format(printf, 1, 2))) usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("perfc: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: perfc [-a | -C cpu,... | -p] [-e event,...] [-x] [-q] -- command [args]\n",
	      stderr);
	exit(2);
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "perfc: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			    int group_fd, unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static void parse_event(const char *spec)
{
	struct event *e;
	struct perf_event_attr *a;
	const char *colon, *m;
	char base[64];
	size_t len;
	int u = 0, k = 0, h = 0;

	if (nr_events == MAX_EVENTS)
		usage_err("too many events (max %d)", MAX_EVENTS);
	if (strlen(spec) >= sizeof(e->name))
		usage_err("event name too long: '%s'", spec);
	e = &events[nr_events++];
	snprintf(e->name, sizeof(e->name), "%s", spec);
	a = &e->attr;
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);

	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	memcpy(base, spec, len);
	base[len] = '\0';

	if (!strcmp(base, "instructions")) {
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_INSTRUCTIONS;
	} else if (!strcmp(base, "cycles")) {
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_CPU_CYCLES;
	} else if (base[0] == 'r' && base[1]) {
		char *end;

		a->type = PERF_TYPE_RAW;
		errno = 0;
		a->config = strtoull(base + 1, &end, 16);
		if (errno || *end)
			usage_err("bad raw event '%s': want rNN, NN in hex", spec);
	} else {
		usage_err("unknown event '%s': want instructions, cycles or rNN", spec);
	}

	for (m = colon ? colon + 1 : ""; *m; m++) {
		switch (*m) {
		case 'u': u = 1; break;
		case 'k': k = 1; break;
		case 'h': h = 1; break;
		case 'G': a->exclude_host = 1; break;
		case 'H': a->exclude_guest = 1; break;
		default:
			usage_err("unknown modifier '%c' in '%s': want u k h G H", *m, spec);
		}
	}
	if (a->exclude_host && a->exclude_guest)
		usage_err("'%s' excludes both host and guest", spec);
	if (u || k || h) {
		a->exclude_user = !u;
		a->exclude_kernel = !k;
		a->exclude_hv = !h;
	}
}

static void parse_events(char *list)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		parse_event(tok);
}

/* "0,2-3" -> cpus[]; also used for /sys/devices/system/cpu/online */
static void parse_cpus(const char *list)
{
	const char *p = list;

	nr_cpus = 0;
	while (*p && *p != '\n') {
		char *end;
		long lo, hi;

		errno = 0;
		lo = strtol(p, &end, 10);
		if (errno || end == p || lo < 0)
			usage_err("bad CPU list '%s'", list);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (errno || end == p || hi < lo)
				usage_err("bad CPU list '%s'", list);
		}
		for (; lo <= hi; lo++) {
			if (nr_cpus == MAX_CPUS)
				usage_err("too many CPUs (max %d)", MAX_CPUS);
			cpus[nr_cpus++] = (int)lo;
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			usage_err("bad CPU list '%s'", list);
	}
	if (!nr_cpus)
		usage_err("empty CPU list");
}

static void online_cpus(void)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");

	if (!f)
		die("/sys/devices/system/cpu/online");
	if (!fgets(buf, sizeof(buf), f))
		die("read /sys/devices/system/cpu/online");
	fclose(f);
	parse_cpus(buf);
}

static const char *open_hint(int err)
{
	switch (err) {
	case ENOENT:
		return " (event not supported by this PMU: INST_RETIRED needs QEMU -icount)";
	case EACCES:
	case EPERM:
		return " (check /proc/sys/kernel/perf_event_paranoid, or run as root)";
	case EOPNOTSUPP:
		return " (modifier not supported by this PMU driver)";
	case ENODEV:
		return " (CPU offline or no PMU on it)";
	default:
		return "";
	}
}

static void where(const struct counter *c, char *buf, size_t len)
{
	if (c->cpu < 0)
		snprintf(buf, len, "%s@task", events[c->ev].name);
	else
		snprintf(buf, len, "%s@cpu%d", events[c->ev].name, c->cpu);
}

int main(int argc, char **argv)
{
	static struct counter ctr[MAX_EVENTS * MAX_CPUS];
	int nr_ctr = 0, task = 0, exact = 0, quiet = 0, cpus_given = 0;
	char evlist[1024] = "instructions,cycles";
	int go[2], status, rc, bad = 0, opt, i, j;
	pid_t child;

	while ((opt = getopt(argc, argv, "+aC:pe:xqh")) != -1) {
		switch (opt) {
		case 'a': cpus_given = 0; task = 0; break;
		case 'C': parse_cpus(optarg); cpus_given = 1; task = 0; break;
		case 'p': task = 1; break;
		case 'e':
			if (strlen(optarg) >= sizeof(evlist))
				usage_err("event list too long");
			strcpy(evlist, optarg);
			break;
		case 'x': exact = 1; break;
		case 'q': quiet = 1; break;
		case 'h':
			printf("usage: perfc [-a | -C cpu,... | -p] [-e event,...] [-x] [-q] -- command [args]\n"
			       "events: instructions, cycles, rNN; modifiers :u :k :h :G :H\n");
			return 0;
		default: usage_err("bad option");
		}
	}
	if (optind >= argc)
		usage_err("no command");
	parse_events(evlist);
	if (!nr_events)
		usage_err("no events");
	if (!task && !cpus_given)
		online_cpus();

	/* Fork first: task counters need the child's pid.  It waits on go[]. */
	if (pipe2(go, O_CLOEXEC))
		die("pipe");
	fflush(NULL);
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);	/* parent failed: it said why */
		execvp(argv[optind], &argv[optind]);
		fprintf(stderr, "perfc: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(go[0]);

	for (i = 0; i < nr_events; i++) {
		for (j = 0; j < (task ? 1 : nr_cpus); j++) {
			struct counter *c = &ctr[nr_ctr];
			struct perf_event_attr attr = events[i].attr;
			char w[96];

			c->ev = i;
			c->cpu = task ? -1 : cpus[j];
			attr.disabled = 1;
			attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
					   PERF_FORMAT_TOTAL_TIME_RUNNING;
			attr.pinned = exact;
			if (task) {
				attr.inherit = 1;
				attr.enable_on_exec = 1;
			}
			c->fd = perf_event_open(&attr, task ? child : -1, c->cpu, -1,
						PERF_FLAG_FD_CLOEXEC);
			if (c->fd < 0) {
				int err = errno;

				where(c, w, sizeof(w));
				fprintf(stderr, "perfc: perf_event_open %s (type %u config 0x%llx): %s%s\n",
					w, attr.type, (unsigned long long)attr.config,
					strerror(err), open_hint(err));
				kill(child, SIGKILL);
				waitpid(child, NULL, 0);
				return 2;
			}
			nr_ctr++;
		}
	}

	if (!task)
		for (i = 0; i < nr_ctr; i++)
			if (ioctl(ctr[i].fd, PERF_EVENT_IOC_ENABLE, 0))
				die("PERF_EVENT_IOC_ENABLE");
	if (write(go[1], "g", 1) != 1)
		die("release child");
	close(go[1]);

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");

	for (i = 0; i < nr_ctr; i++)
		if (!task && ioctl(ctr[i].fd, PERF_EVENT_IOC_DISABLE, 0))
			die("PERF_EVENT_IOC_DISABLE");
	for (i = 0; i < nr_ctr; i++) {
		uint64_t buf[3];
		ssize_t n = read(ctr[i].fd, buf, sizeof(buf));

		if (n == 0) {
			ctr[i].unscheduled = 1;	/* pinned counter went into error state */
		} else if (n != sizeof(buf)) {
			die("read counter");
		} else {
			ctr[i].value = buf[0];
			ctr[i].enabled = buf[1];
			ctr[i].running = buf[2];
		}
		close(ctr[i].fd);
	}

	for (i = 0; i < nr_events; i++) {
		uint64_t sum = 0;

		for (j = 0; j < nr_ctr; j++)
			if (ctr[j].ev == i)
				sum += ctr[j].value;
		fprintf(stderr, "%s=%" PRIu64 "\n", events[i].name, sum);
	}
	for (j = 0; j < nr_ctr; j++) {
		struct counter *c = &ctr[j];
		char w[96];

		where(c, w, sizeof(w));
		if (!quiet) {
			fprintf(stderr, "%s=%" PRIu64 "\n", w, c->value);
			fprintf(stderr, "%s.time_enabled=%" PRIu64 "\n", w, c->enabled);
			fprintf(stderr, "%s.time_running=%" PRIu64 "\n", w, c->running);
		}
		if (c->unscheduled) {
			fprintf(stderr, "perfc: warning: %s could not be scheduled (pinned counter in error state)\n", w);
			bad = 1;
		} else if (c->running < c->enabled) {
			fprintf(stderr, "perfc: warning: %s multiplexed: ran %" PRIu64 " of %" PRIu64 " ns\n",
				w, c->running, c->enabled);
			bad = 1;
		}
	}

	if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);
	else
		rc = WEXITSTATUS(status);
	if (exact && bad && !rc) {
		fprintf(stderr, "perfc: -x: a counter did not count all the time\n");
		rc = 3;
	}
	return rc;
}
