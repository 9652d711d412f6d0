// SPDX-License-Identifier: GPL-2.0
/*
 * asuser - run a command as another user: asuser UID COMMAND [ARGS...]
 * (gid = uid, no supplementary groups).  The test initramfs has no user
 * database and its busybox setpriv has no --reuid.
 * Exit status: the command's, or 2 if it could not be started.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: asuser UID COMMAND [ARGS...]\n");
		return 2;
	}
	id = strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		fprintf(stderr, "asuser: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "asuser: %s: %s\n", argv[2], strerror(errno));
	return 2;
}
