// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-pmu-partition: the operator's view of the kvm_pmu_partition module.
 *
 *   kvm-pmu-partition status [--json]
 *   kvm-pmu-partition set VM mode partitioned|trapped
 *   kvm-pmu-partition set VM hpmn N
 *
 * Everything comes from the module's sysfs (/sys/kernel/kvm_pmu_partition,
 * docs/ABI/) and /proc: a file an older module does not have reads as
 * absent, never as an error.  VM is a vms/ name ("<pid>-<fd>"), a pid, or
 * a QEMU guest name (-name guest=NAME).  Exit codes: see print_usage().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KPP_CLI_VERSION	"0.1.0"

#define KPP_ATTR(x)	__attribute__((x))
#define __noreturn	KPP_ATTR(__noreturn__)
#define __printf(a, b)	KPP_ATTR(__format__(__printf__, a, b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	EXIT_USAGE = 1,		/* bad command line */
	EXIT_NO_VM = 2,		/* VM matches none, or several */
	EXIT_NOT_LOADED = 3,	/* module not loaded */
	EXIT_REFUSED = 4,	/* the module refused the write */
	EXIT_PERM = 5,		/* not allowed (root only) */
	EXIT_IO = 6,		/* anything else */
};

#define MAX_VMS		1024
#define MAX_CPUS	4096

static const char *sysdir = "/sys/kernel/kvm_pmu_partition";
static const char *moddir = "/sys/module/kvm_pmu_partition";
static const char *procdir = "/proc";

struct vm {
	char name[256];		/* vms/ directory: "<pid>-<fd>" */
	int pid;
	char comm[64];		/* the creator's comm, or "" */
	char guest[128];	/* its -name guest=, or "" */
};

static struct vm vms[MAX_VMS];
static int nr_vms;

static void __noreturn __printf(2, 3) die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("kvm-pmu-partition: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* A path from a format, truncated if it must be (then it names nothing). */
static char *__printf(3, 4) path_of(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* The file's first line, without its newline; false if it cannot be read. */
static bool __printf(3, 4) read_line(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static bool module_loaded(void)
{
	struct stat st;

	return stat(sysdir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The creator's QEMU guest name: -name NAME or -name guest=NAME[,...]. */
static void guest_name(struct vm *vm)
{
	char path[PATH_MAX], buf[8192], *p, *end, *v;
	size_t n;
	FILE *f;

	path_of(path, sizeof(path), "%s/%d/cmdline", procdir, vm->pid);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	end = buf + n;
	for (p = buf; p < end; p += strlen(p) + 1) {
		if (strcmp(p, "-name") && strcmp(p, "--name"))
			continue;
		v = p + strlen(p) + 1;
		if (v >= end)
			return;
		p = strstr(v, "guest=");
		if (p && (p == v || p[-1] == ','))
			v = p + strlen("guest=");
		else if (strchr(v, '='))
			return;	/* only other keys: no name */
		path_of(vm->guest, sizeof(vm->guest), "%.*s", (int)strcspn(v, ","), v);
		return;
	}
}

static int vm_cmp(const void *a, const void *b)
{
	const struct vm *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void load_vms(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct vm *vm;
	DIR *d;

	path_of(path, sizeof(path), "%s/vms", sysdir);
	d = opendir(path);
	if (!d)
		return;	/* a module before vms/: no VM to show */
	while ((e = readdir(d)) && nr_vms < MAX_VMS) {
		if (e->d_name[0] == '.')
			continue;
		vm = &vms[nr_vms++];
		memset(vm, 0, sizeof(*vm));
		path_of(vm->name, sizeof(vm->name), "%s", e->d_name);
		vm->pid = atoi(e->d_name);
		if (vm->pid > 0) {
			read_line(vm->comm, sizeof(vm->comm), "%s/%d/comm",
				  procdir, vm->pid);
			guest_name(vm);
		}
	}
	closedir(d);
	qsort(vms, nr_vms, sizeof(vms[0]), vm_cmp);
}

/* JSON string, escaped; NULL is null. */
static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* A number as JSON, or the string it is not. */
static void json_val(const char *s)
{
	char *end;

	if (*s) {
		strtoull(s, &end, 10);
		if (!*end && isdigit((unsigned char)*s)) {
			fputs(s, stdout);
			return;
		}
	}
	json_str(s);
}

/* vms/<vm>/<file>, or NULL if this module has no such file. */
static const char *vm_attr(const struct vm *vm, const char *file)
{
	static char buf[8][256];
	static int i;
	char *b = buf[i++ % 8];

	return read_line(b, sizeof(buf[0]), "%s/vms/%s/%s", sysdir, vm->name,
			 file) ? b : NULL;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* pmcr_n, "cpuN:n" a line, grouped by N: "6 (cpu0-1)". */
static void show_pmus(bool json)
{
	int n_of[MAX_CPUS], cpu, n, i, first, last, ncpus = 0;
	char path[PATH_MAX], line[64];
	bool any, sep = false;
	FILE *f;

	path_of(path, sizeof(path), "%s/pmcr_n", sysdir);
	f = fopen(path, "r");
	for (i = 0; i < MAX_CPUS; i++)
		n_of[i] = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu%d:%d", &cpu, &n) == 2 &&
		    cpu >= 0 && cpu < MAX_CPUS) {
			n_of[cpu] = n;
			if (cpu >= ncpus)
				ncpus = cpu + 1;
		}
	if (f)
		fclose(f);
	fputs(json ? "\"pmus\": [" : "N per PMU:", stdout);
	for (n = 0; n <= 31; n++) {
		any = false;
		for (cpu = 0; cpu < ncpus; cpu++) {
			if (n_of[cpu] != n)
				continue;
			if (!any) {
				printf(json ? "%s{\"n\": %d, \"cpus\": [" : "%s %d (",
				       sep ? (json ? ", " : ";") : "", n);
				any = true;
				sep = true;
			} else {
				fputs(json ? ", " : ",", stdout);
			}
			first = cpu;
			last = cpu;
			if (json) {
				printf("%d", cpu);
				continue;
			}
			while (last + 1 < ncpus && n_of[last + 1] == n)
				last++;
			if (last > first)
				printf("cpu%d-%d", first, last);
			else
				printf("cpu%d", first);
			cpu = last;
		}
		if (any)
			fputs(json ? "]}" : ")", stdout);
	}
	fputs(json ? "]" : (sep ? "\n" : " unknown\n"), stdout);
}

/* The statistics a status line shows; an older module may lack some. */
static const char *const key_stats[] = {
	"state_switches", "mode_switches", "overflows_forwarded", "lazy_loads",
};

static void vm_stats_json(const struct vm *vm)
{
	char path[PATH_MAX], file[PATH_MAX + 256], val[64];
	struct dirent **e;
	bool first = true;
	int i, n;

	path_of(path, sizeof(path), "%s/vms/%s/stats", sysdir, vm->name);
	n = scandir(path, &e, NULL, alphasort);
	fputs("{", stdout);
	for (i = 0; i < n; i++) {
		path_of(file, sizeof(file), "%s/%s", path, e[i]->d_name);
		if (e[i]->d_name[0] != '.' && read_line(val, sizeof(val), "%s", file)) {
			printf("%s\"%s\": ", first ? "" : ", ", e[i]->d_name);
			json_val(val);
			first = false;
		}
		free(e[i]);
	}
	if (n >= 0)
		free(e);
	fputs("}", stdout);
}

static int cmd_status(bool json)
{
	static const char * const params[] = { "hpmn", "reserve", "lazy", "lazy_free" };
	char buf[256], feat[256], compat[512], version[64], np[64];
	unsigned int i, j;
	bool loaded = module_loaded();

	if (!loaded) {
		if (json) {
			puts("{\"loaded\": false}");
			return EXIT_NOT_LOADED;
		}
		die(EXIT_NOT_LOADED, "module not loaded (modprobe kvm_pmu_partition hpmn=N)");
	}
	load_vms();
	if (!read_line(version, sizeof(version), "%s/version", moddir))
		version[0] = '\0';
	if (!read_line(feat, sizeof(feat), "%s/features", sysdir))
		feat[0] = '\0';
	if (!read_line(compat, sizeof(compat), "%s/compat", sysdir))
		compat[0] = '\0';
	if (!read_line(np, sizeof(np), "%s/partitioned_vms", sysdir))
		np[0] = '\0';

	if (json) {
		fputs("{\"loaded\": true, \"version\": ", stdout);
		json_str(version[0] ? version : NULL);
		fputs(", \"params\": {", stdout);
		for (i = 0; i < ARRAY_SIZE(params); i++) {
			printf("%s\"%s\": ", i ? ", " : "", params[i]);
			if (!read_line(buf, sizeof(buf), "%s/parameters/%s", moddir, params[i]))
				json_str(NULL);
			else if (!strcmp(buf, "Y") || !strcmp(buf, "N"))
				fputs(buf[0] == 'Y' ? "true" : "false", stdout);	/* bool */
			else
				json_val(buf);
		}
		fputs("}, ", stdout);
		show_pmus(true);
		fputs(", \"features\": ", stdout);
		json_str(feat);
		fputs(", \"compat\": ", stdout);
		json_str(compat);
		fputs(", \"partitioned_vms\": ", stdout);
		json_val(np);
		fputs(", \"vms\": [", stdout);
		for (i = 0; i < (unsigned int)nr_vms; i++) {
			const struct vm *vm = &vms[i];
			static const char * const attr[] = { "mode", "hpmn", "vcpus", "reason" };

			printf("%s{\"name\": ", i ? ", " : "");
			json_str(vm->name);
			printf(", \"pid\": %d, \"process\": ", vm->pid);
			json_str(vm->comm[0] ? vm->comm : NULL);
			fputs(", \"guest\": ", stdout);
			json_str(vm->guest[0] ? vm->guest : NULL);
			for (j = 0; j < ARRAY_SIZE(attr); j++) {
				const char *v = vm_attr(vm, attr[j]);

				printf(", \"%s\": ", attr[j]);
				if (v)
					json_val(v);
				else
					json_str(NULL);
			}
			fputs(", \"stats\": ", stdout);
			vm_stats_json(vm);
			fputs("}", stdout);
		}
		puts("]}");
		return 0;
	}

	printf("kvm_pmu_partition %s:", or_dash(version));
	for (i = 0; i < ARRAY_SIZE(params); i++)
		if (read_line(buf, sizeof(buf), "%s/parameters/%s", moddir, params[i]))
			printf(" %s=%s", params[i], buf);
	printf("\n");
	show_pmus(false);
	printf("features: %s\ncompat: %s\n", or_dash(feat), or_dash(compat));
	printf("VMs: %d, %s partitioned\n", nr_vms, or_dash(np));
	if (!nr_vms)
		return 0;
	printf("%-12s %-16s %-16s %-12s %5s %5s", "VM", "PROCESS", "GUEST",
	       "MODE", "HPMN", "VCPUS");
	for (j = 0; j < ARRAY_SIZE(key_stats); j++)
		printf(" %*s", (int)strlen(key_stats[j]), key_stats[j]);
	printf(" REASON\n");
	for (i = 0; i < (unsigned int)nr_vms; i++) {
		const struct vm *vm = &vms[i];
		const char *reason = vm_attr(vm, "reason");

		printf("%-12s %-16s %-16s %-12s %5s %5s", vm->name,
		       or_dash(vm->comm), or_dash(vm->guest),
		       or_dash(vm_attr(vm, "mode")), or_dash(vm_attr(vm, "hpmn")),
		       or_dash(vm_attr(vm, "vcpus")));
		for (j = 0; j < ARRAY_SIZE(key_stats); j++) {
			snprintf(buf, sizeof(buf), "stats/%s", key_stats[j]);
			printf(" %*s", (int)strlen(key_stats[j]), or_dash(vm_attr(vm, buf)));
		}
		printf(" %s\n", reason && strcmp(reason, "none") ? reason : "-");
	}
	return 0;
}

/* VM: a vms/ name, a pid (all of its VMs), or a guest name.  One only. */
static const struct vm *find_vm(const char *arg)
{
	const struct vm *found = NULL;
	char list[1024] = "";
	bool pid = true;
	const char *p;
	int i, n = 0;

	for (p = arg; *p; p++)
		pid = pid && isdigit((unsigned char)*p);
	load_vms();
	for (i = 0; i < nr_vms; i++) {
		if (strcmp(vms[i].name, arg) == 0)
			return &vms[i];
		if ((pid && vms[i].pid == atoi(arg)) ||
		    (!pid && vms[i].guest[0] && strcmp(vms[i].guest, arg) == 0)) {
			found = &vms[i];
			n++;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", n > 1 ? ", " : "", vms[i].name);
		}
	}
	if (n == 1)
		return found;
	if (n > 1)
		die(EXIT_NO_VM, "'%s' matches %d VMs (%s): name one of them", arg, n, list);
	die(EXIT_NO_VM, "no VM matches '%s': give a vms/ name, a pid or a QEMU guest name", arg);
	return NULL;
}

/* The module's answer to a refused write, in words. */
static const char no_room[] =
	"trapped refused: KVM's events for it do not fit (reserve=static)";

static void explain(const struct vm *vm, const char *file, const char *val, int err)
{
	const char *reason;

	switch (err) {
	case EACCES:
	case EPERM:
		die(EXIT_PERM, "%s %s: permission denied (root only)", vm->name, file);
	case ENOENT:
		die(EXIT_NO_VM, "%s is gone (destroyed meanwhile)", vm->name);
	case ENODEV:
		die(EXIT_REFUSED, "%s is being destroyed", vm->name);
	case EBUSY:
		die(EXIT_REFUSED, "%s: hpmn is fixed once a vCPU has run (PMCR_EL0.N seen)",
		    vm->name);
	case EINVAL:
		die(EXIT_REFUSED, "%s: %s %s out of range (1, or 0 with FEAT_HPMN0, to hpmn)",
		    vm->name, file, val);
	case EOPNOTSUPP:
		if (strcmp(val, "trapped") == 0)
			die(EXIT_REFUSED, "%s: %s", vm->name, no_room);
		reason = vm_attr(vm, "reason");
		if (reason && strcmp(reason, "none"))
			die(EXIT_REFUSED, "%s: partitioned refused: %s", vm->name, reason);
		die(EXIT_REFUSED, "%s: %s %s refused (the kernel log says why)",
		    vm->name, file, val);
	default:
		die(EXIT_IO, "%s %s: %s", vm->name, file, strerror(err));
	}
}

static int cmd_set(const char *arg, const char *file, const char *val)
{
	char path[PATH_MAX], line[64];
	const struct vm *vm;
	char *end;
	ssize_t n;
	int fd;

	if (strcmp(file, "mode") == 0) {
		if (strcmp(val, "partitioned") && strcmp(val, "trapped"))
			die(EXIT_USAGE, "mode is 'partitioned' or 'trapped', not '%s'", val);
	} else if (strcmp(file, "hpmn") == 0) {
		errno = 0;
		if (!isdigit((unsigned char)*val) || strtoul(val, &end, 10) > 31 ||
		    *end || errno)
			die(EXIT_USAGE, "hpmn is a number from 0 to 31, not '%s'", val);
	} else {
		die(EXIT_USAGE, "'set VM %s': what can be set is mode or hpmn", file);
	}
	if (!module_loaded())
		die(EXIT_NOT_LOADED, "module not loaded (modprobe kvm_pmu_partition hpmn=N)");
	vm = find_vm(arg);
	path_of(path, sizeof(path), "%s/vms/%s/%s", sysdir, vm->name, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		explain(vm, file, val, errno);
	n = snprintf(line, sizeof(line), "%s\n", val);
	if (write(fd, line, n) != n)
		explain(vm, file, val, errno);
	close(fd);
	printf("%s: %s %s\n", vm->name, file, val);
	return 0;
}

static void print_usage(FILE *f)
{
	fputs("usage: kvm-pmu-partition status [--json]\n"
	      "       kvm-pmu-partition set VM mode partitioned|trapped\n"
	      "       kvm-pmu-partition set VM hpmn N\n"
	      "       kvm-pmu-partition --version | --help\n"
	      "VM: a vms/ name (<pid>-<fd>), a pid, or a QEMU guest name (-name guest=NAME).\n"
	      "Exit: 0 done, 1 usage, 2 no such VM or several, 3 module not loaded,\n"
	      "      4 refused by the module, 5 permission denied, 6 other error.\n", f);
}

int main(int argc, char **argv)
{
	const char *e;

	e = getenv("KVM_PMU_PARTITION_SYSFS");
	if (e && *e)
		sysdir = e;
	e = getenv("KVM_PMU_PARTITION_MODULE");
	if (e && *e)
		moddir = e;
	if (argc < 2)
		goto bad;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("kvm-pmu-partition " KPP_CLI_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "status")) {
		if (argc == 2)
			return cmd_status(false);
		if (argc == 3 && !strcmp(argv[2], "--json"))
			return cmd_status(true);
		goto bad;
	}
	if (!strcmp(argv[1], "set") && argc == 5)
		return cmd_set(argv[2], argv[3], argv[4]);
bad:
	print_usage(stderr);
	return EXIT_USAGE;
}
