// SPDX-License-Identifier: GPL-2.0
/*
 * The real-VMM tier's guest workload: a user loop of exactly 2 * N
 * instructions (N iterations of subs/b.ne), static, printing nothing while
 * it runs.
 *
 *   loop [-w] [-p] N [M]
 *     -w  print "LOOP-READY" and wait for a line on stdin before the loop
 *         (the host opens its counting window, then sends the line), and
 *         after "LOOP-DONE" wait for another line before exiting (the
 *         host closes its window first, so that the guest's perf, which
 *         reads and prints its counts after the loop exits, stays out)
 *     M   after the first 2 * N instructions print "LOOP-MARK" and run
 *         2 * M more (the host acts mid-run: migration, rmmod/insmod)
 *     -p  after "LOOP-MARK" wait for a line on stdin before going on
 *   At the end of the loop it prints "LOOP-DONE".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
	ssize_t r = write(1, s, strlen(s));

	(void)r;
}

static void spin(unsigned long n)
{
	if (!n)
		return;
	asm volatile("1:	subs	%0, %0, #1\n"
		     "	b.ne	1b\n"
		     : "+r" (n) : : "cc");
}

static void wait_line(void)
{
	char c;

	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

int main(int argc, char **argv)
{
	unsigned long n, m = 0;
	int i = 1, wait = 0, pause = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-w"))
			wait = 1;
		else if (!strcmp(argv[i], "-p"))
			pause = 1;
		else
			break;
	}
	if (argc <= i || argc > i + 2) {
		say("usage: loop [-w] [-p] N [M]\n");
		return 2;
	}
	n = strtoul(argv[i], NULL, 0);
	if (argc > i + 1)
		m = strtoul(argv[i + 1], NULL, 0);
	if (wait) {
		say("LOOP-READY\n");
		wait_line();
	}
	spin(n);
	if (m) {
		say("LOOP-MARK\n");
		if (pause)
			wait_line();
		spin(m);
	}
	say("LOOP-DONE\n");
	if (wait)
		wait_line();
	return 0;
}
