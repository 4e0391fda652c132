// SPDX-License-Identifier: GPL-2.0
/*
 * What the experiments share: workloads in child processes driven step by
 * step, snapshots through the module, and changes to the system (cgroups,
 * sysctls) undone at the end of an experiment or when it is interrupted.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exp.h"

#define MAX_UNDO	16
#define CGROUP_ROOT	"/sys/fs/cgroup"

/*
 * What to undo.  exp_cleanup() also runs from a signal handler, so it
 * uses only async-signal-safe calls, on these fixed arrays.
 */
static pid_t undo_pids[MAX_UNDO];
static char undo_cgroups[MAX_UNDO][128];
static char undo_sysctl_path[MAX_UNDO][128];
static char undo_sysctl_val[MAX_UNDO][64];
static char undo_controllers[MAX_UNDO][16];	/* "-io" */
static int nr_pids, nr_cgroups, nr_sysctls, nr_controllers;

static void undo_pid_add(pid_t pid)
{
	if (nr_pids == MAX_UNDO)
		errx(1, "too many child processes");
	undo_pids[nr_pids++] = pid;
}

static void undo_pid_drop(pid_t pid)
{
	int i;

	for (i = 0; i < nr_pids; i++)
		if (undo_pids[i] == pid)
			undo_pids[i] = undo_pids[--nr_pids];
}

/* Also used by exp_cleanup(): open, write and close are async-signal-safe. */
int exp_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/**
 * exp_cleanup() - kill the children, remove the cgroups, turn off the
 *	controllers turned on, restore sysctls
 *
 * Async-signal-safe: called at the end of every experiment and from the
 * handler of SIGINT/SIGTERM/SIGHUP.
 */
void exp_cleanup(void)
{
	int i;

	for (i = 0; i < nr_pids; i++)
		kill(undo_pids[i], SIGKILL);
	for (i = 0; i < nr_pids; i++)
		waitpid(undo_pids[i], NULL, 0);
	nr_pids = 0;
	for (i = nr_cgroups - 1; i >= 0; i--)
		rmdir(undo_cgroups[i]);
	nr_cgroups = 0;
	for (i = nr_controllers - 1; i >= 0; i--)
		exp_write_file(CGROUP_ROOT "/cgroup.subtree_control",
			       undo_controllers[i]);
	nr_controllers = 0;
	for (i = nr_sysctls - 1; i >= 0; i--)
		exp_write_file(undo_sysctl_path[i], undo_sysctl_val[i]);
	nr_sysctls = 0;
}

/* The child's end of the pipes. */
static int child_cmd_fd = -1, child_reply_fd = -1;

static int full_read(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/**
 * exp_fork() - fork() for a helper process of an experiment
 *
 * The child dies with its parent (PR_SET_PDEATHSIG), takes the default
 * action for SIGINT, SIGTERM and SIGHUP (the parent's handlers undo what
 * the parent changed; a child running them would undo it twice, from its
 * copy of the lists), and is killed by exp_cleanup() until exp_wait()
 * has waited for it.
 *
 * Return: as fork().
 */
pid_t exp_fork(void)
{
	pid_t parent = getpid(), pid;
	sigset_t stop, old;

	fflush(NULL);
	/* no cleanup between the fork and the child's registration */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid = fork();
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
	} else if (pid > 0) {
		undo_pid_add(pid);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/**
 * exp_wait() - reap a child of exp_fork()
 * @pid: the child
 * @status: its status, or NULL
 *
 * Return: as waitpid() (restarted after a signal).
 */
pid_t exp_wait(pid_t pid, int *status)
{
	pid_t ret;

	do
		ret = waitpid(pid, status, 0);
	while (ret < 0 && errno == EINTR);
	/* reaped, or not ours to wait for: either way not to be killed */
	undo_pid_drop(pid);
	return ret;
}

/**
 * exp_child_start() - run @fn(@arg) in a child process driven by commands
 * @c: filled in
 * @fn: the workload; calls exp_child_next() and exp_child_reply()
 * @arg: for @fn
 *
 * The child dies with its parent (PR_SET_PDEATHSIG) and is killed by
 * exp_cleanup().
 *
 * Return: 0 or -1 with errno set.
 */
int exp_child_start(struct exp_child *c, void (*fn)(void *arg), void *arg)
{
	int cmd[2], reply[2];

	if (pipe2(cmd, O_CLOEXEC))
		return -1;
	if (pipe2(reply, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	c->pid = exp_fork();
	if (c->pid < 0) {
		close(cmd[0]);
		close(cmd[1]);
		close(reply[0]);
		close(reply[1]);
		return -1;
	}
	if (!c->pid) {
		close(cmd[1]);
		close(reply[0]);
		child_cmd_fd = cmd[0];
		child_reply_fd = reply[1];
		fn(arg);
		_exit(0);
	}
	close(cmd[0]);
	close(reply[1]);
	c->cmd_fd = cmd[1];
	c->reply_fd = reply[0];
	return 0;
}

/**
 * exp_child_do() - send the child a command and wait for its reply
 * @c: the child
 * @cmd: what the workload understands
 *
 * Return: the child's reply, or UINT64_MAX if it died before replying.
 */
uint64_t exp_child_do(struct exp_child *c, uint64_t cmd)
{
	uint64_t val;

	if (write(c->cmd_fd, &cmd, sizeof(cmd)) != sizeof(cmd) ||
	    full_read(c->reply_fd, &val, sizeof(val)))
		return UINT64_MAX;
	return val;
}

/* In the child: the next command; exits when the parent closes. */
uint64_t exp_child_next(void)
{
	uint64_t cmd;

	if (full_read(child_cmd_fd, &cmd, sizeof(cmd)))
		_exit(0);
	return cmd;
}

/* In the child: answer the command. */
void exp_child_reply(uint64_t val)
{
	if (write(child_reply_fd, &val, sizeof(val)) != sizeof(val))
		_exit(1);
}

/**
 * exp_child_wait() - close the child's commands and reap it
 * @c: the child
 * @status: its wait status
 *
 * Return: 0 or -1.
 */
int exp_child_wait(struct exp_child *c, int *status)
{
	pid_t pid;

	close(c->cmd_fd);
	close(c->reply_fd);
	pid = exp_wait(c->pid, status);
	return pid == c->pid ? 0 : -1;
}

void exp_child_kill(struct exp_child *c)
{
	int status;

	kill(c->pid, SIGKILL);
	exp_child_wait(c, &status);
}

void *exp_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void exp_unshare(void *p, size_t len)
{
	munmap(p, len);
}

static int vs_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The process-wide part of a layout: brk, RSS, VMA count... */
int exp_layout(int fd, pid_t pid, struct vmscope_layout *lo)
{
	struct vmscope_layout_vma one;

	memset(lo, 0, sizeof(*lo));
	lo->size = sizeof(*lo);
	lo->pid = pid;
	lo->rec_size = sizeof(one);
	lo->buf = (uintptr_t)&one;
	lo->buf_count = 1;
	return vs_ioctl(fd, VMSCOPE_IOC_LAYOUT, lo);
}

/* The VMA holding @addr, measured; -ENOENT if there is none. */
int exp_vma_at(int fd, pid_t pid, uint64_t addr,
	       struct vmscope_layout_vma *out)
{
	struct vmscope_layout lo;
	int err;

	memset(&lo, 0, sizeof(lo));
	lo.size = sizeof(lo);
	lo.pid = pid;
	lo.rec_size = sizeof(*out);
	lo.start = addr;
	lo.buf = (uintptr_t)out;
	lo.buf_count = 1;
	err = vs_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo);
	if (err)
		return err;
	if (!lo.count || out->vma.start > addr)
		return -ENOENT;
	return 0;
}

int exp_faults(int fd, pid_t pid, struct vmscope_faults *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->pid = pid;
	return vs_ioctl(fd, VMSCOPE_IOC_FAULTS, f);
}

int exp_ptstats(int fd, pid_t pid, struct vmscope_ptstats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->pid = pid;
	return vs_ioctl(fd, VMSCOPE_IOC_PTSTATS, st);
}

int exp_translate(int fd, pid_t pid, uint64_t addr,
		  struct vmscope_translate *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->size = sizeof(*tr);
	tr->pid = pid;
	tr->vaddr = addr;
	return vs_ioctl(fd, VMSCOPE_IOC_TRANSLATE, tr);
}

int exp_vmstat(int fd, __u64 stats[VMSCOPE_STAT_NR])
{
	struct vmscope_reclaim r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.stats = (uintptr_t)stats;
	r.stats_count = VMSCOPE_STAT_NR;
	return vs_ioctl(fd, VMSCOPE_IOC_RECLAIM, &r);
}

/*
 * Present pages of [@start, @end) of @pid whose page has all of
 * @page_flags (VMSCOPE_PAGE_*; 0 for any), by a bulk walk.
 */
uint64_t exp_pages_with(int fd, pid_t pid, uint64_t start, uint64_t end,
			unsigned int page_flags)
{
	static struct vmscope_page buf[4096];
	struct vmscope_walk w;
	uint64_t n = 0, i;

	while (start < end) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.pid = pid;
		w.rec_size = sizeof(buf[0]);
		w.start = start;
		w.end = end;
		w.buf = (uintptr_t)buf;
		w.buf_count = 4096;
		if (vs_ioctl(fd, VMSCOPE_IOC_WALK, &w) || !w.count)
			break;
		for (i = 0; i < w.count; i++)
			n += buf[i].state == VMSCOPE_STATE_PRESENT &&
			     (buf[i].page_flags & page_flags) == page_flags;
		start = w.next;
	}
	return n;
}

/* Present pages of [@start, @end) of @pid, by a bulk walk. */
uint64_t exp_present_pages(int fd, pid_t pid, uint64_t start, uint64_t end)
{
	return exp_pages_with(fd, pid, start, end, 0);
}

/*
 * The zones of the online nodes (free pages per order as /proc/buddyinfo,
 * watermarks as /proc/zoneinfo): how many, of which the first @max are in
 * @zones; or -errno.
 */
int exp_zones(int fd, struct vmscope_zone *zones, unsigned int max)
{
	struct vmscope_reclaim r;
	int err;

	memset(&r, 0, sizeof(r));
	memset(zones, 0, max * sizeof(*zones));
	r.size = sizeof(r);
	r.zones = (uintptr_t)zones;
	r.zones_count = max;
	err = vs_ioctl(fd, VMSCOPE_IOC_RECLAIM, &r);
	return err ? err : (int)r.nr_zones;
}

/* A KEY=VALUE option of the run taken as text, or @dflt. */
const char *exp_arg_str(struct exp_ctx *x, const char *name,
			const char *dflt)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < x->nargs; i++)
		if (!strncmp(x->args[i], name, len) && x->args[i][len] == '=')
			return x->args[i] + len + 1;
	return dflt;
}

/**
 * exp_sysctl_set() - write a /proc/sys file, to be restored by the cleanup
 * @path: the file, or a sysfs file of that kind: one value, or a choice
 *	that reads as "a [b] c" and is restored to the bracketed one
 * @val: the value
 *
 * Return: 0 or -errno.
 */
int exp_sysctl_set(const char *path, const char *val)
{
	char old[64] = "", *sel, *end;
	int fd, n, err = 0;

	if (nr_sysctls == MAX_UNDO)
		return -ENOSPC;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, old, sizeof(old) - 1);
	if (n <= 0) {
		close(fd);
		return -EIO;
	}
	old[n] = '\0';
	/* a choice ("always [madvise] never") is restored to the chosen one */
	sel = strchr(old, '[');
	end = sel ? strchr(sel, ']') : NULL;
	if (end) {
		*end = '\0';
		memmove(old, sel + 1, end - sel);
	}
	snprintf(undo_sysctl_path[nr_sysctls], sizeof(undo_sysctl_path[0]),
		 "%s", path);
	snprintf(undo_sysctl_val[nr_sysctls], sizeof(undo_sysctl_val[0]),
		 "%s", old);
	nr_sysctls++;
	if (pwrite(fd, val, strlen(val), 0) < 0)
		err = -errno;
	close(fd);
	return err;
}

bool exp_have_swap(void)
{
	return file_key_ll("/proc/meminfo", "SwapTotal") > 0;
}

/*
 * Whether the running kernel is @major.@minor or newer, for the checks
 * whose expectation a kernel release changed (each says which and why).
 */
bool exp_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

bool exp_have_memcg(void)
{
	char buf[256] = "";
	int fd = open(CGROUP_ROOT "/cgroup.controllers", O_RDONLY);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strstr(buf, "memory") != NULL;
}

/**
 * exp_controller_enable() - a cgroup v2 controller for the root's children,
 *	turned off again by the cleanup if it was off
 * @name: "memory", "io"...
 *
 * Return: 0 or -errno.
 */
int exp_controller_enable(const char *name)
{
	char buf[256] = "", *tok, *save;
	size_t n = strlen(name);
	int fd, err;

	fd = open(CGROUP_ROOT "/cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return 0;
	if (nr_controllers == MAX_UNDO || n + 2 > sizeof(undo_controllers[0]))
		return -ENOSPC;
	snprintf(buf, sizeof(buf), "+%s", name);
	err = exp_write_file(CGROUP_ROOT "/cgroup.subtree_control", buf);
	if (!err)
		snprintf(undo_controllers[nr_controllers++],
			 sizeof(undo_controllers[0]), "-%s", name);
	return err;
}

/**
 * exp_cgroup_make() - a fresh memory cgroup, removed by the cleanup
 * @path: returns its path
 * @len: room in @path
 * @max: memory.max ("max" or bytes)
 * @swap_max: memory.swap.max
 *
 * Return: 0 or -errno.
 */
int exp_cgroup_make(char *path, size_t len, const char *max,
		    const char *swap_max)
{
	char file[192];
	int err;

	if (nr_cgroups == MAX_UNDO)
		return -ENOSPC;
	exp_controller_enable("memory");
	snprintf(path, len, CGROUP_ROOT "/vmscope-exp.%d.%d", getpid(),
		 nr_cgroups);
	/* registered first: an interruption right after mkdir removes it */
	snprintf(undo_cgroups[nr_cgroups++], sizeof(undo_cgroups[0]), "%s",
		 path);
	if (mkdir(path, 0755)) {
		nr_cgroups--;
		return -errno;
	}
	snprintf(file, sizeof(file), "%s/memory.max", path);
	err = exp_write_file(file, max);
	snprintf(file, sizeof(file), "%s/memory.swap.max", path);
	if (!err)
		err = exp_write_file(file, swap_max);
	return err;
}

/**
 * exp_cgroup_stat() - a key of a file of a cgroup
 * @path: the cgroup
 * @file: its file ("memory.stat", "memory.events"...)
 * @key: the first word of the line
 *
 * Return: the number after @key, or -1.
 */
long long exp_cgroup_stat(const char *path, const char *file, const char *key)
{
	char name[256];

	snprintf(name, sizeof(name), "%s/%s", path, file);
	return file_key_ll(name, key);
}

/* In a child: move itself into the cgroup at @path. */
int exp_cgroup_enter(const char *path)
{
	char file[192];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	return exp_write_file(file, "0");
}
