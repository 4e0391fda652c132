/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope exp: experiments that put a memory-management claim to the test
 * on the running kernel.  Each experiment is a struct vmscope_exp in an
 * exp_*.c file, registered by EXP_REGISTER(); it runs its workload in
 * child processes, measures them through the module, and records checks
 * from which the verdict is computed.
 */
#ifndef VMSCOPE_EXP_H
#define VMSCOPE_EXP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vmscope.h>

#include "common.h"

#define EXP_MAX_MEASURES	64
#define EXP_MAX_CHECKS		24
#define EXP_MAX_STEPS		24
#define EXP_TEXT		160

/* What an experiment needs to run; it skips when one is missing. */
#define EXP_NEEDS_ROOT		(1U << 0)	/* writes sysctls or cgroups */
#define EXP_NEEDS_SWAP		(1U << 1)
#define EXP_NEEDS_CGROUP	(1U << 2)	/* cgroup v2 memory controller */

enum exp_verdict {
	EXP_CONFIRMED,
	EXP_REFUTED,
	EXP_INCONCLUSIVE,
	EXP_SKIPPED,
};

struct exp_measure {
	char key[48];
	char unit[16];
	double value;
	char what[EXP_TEXT];
};

struct exp_check {
	bool held;
	char what[EXP_TEXT];
};

/* One run of one experiment: what it did, measured and concluded. */
struct exp_ctx {
	int fd;				/* /dev/vmscope */
	const char *const *args;	/* NAME=VALUE options of the run */
	int nargs;
	int nsteps, nmeasures, nchecks;
	char steps[EXP_MAX_STEPS][EXP_TEXT];
	struct exp_measure m[EXP_MAX_MEASURES];
	struct exp_check c[EXP_MAX_CHECKS];
	bool inconclusive, skipped;
	char reason[EXP_TEXT];
};

struct vmscope_exp {
	const char *name;
	int order;			/* place in `exp list` */
	const char *claim;		/* the textbook's claim */
	const char *next;		/* what to look at next */
	unsigned int needs;		/* EXP_NEEDS_* */
	void (*run)(struct exp_ctx *x);
};

void exp_register(const struct vmscope_exp *e);

#define EXP_REGISTER(e)							\
	static void __attribute__((constructor)) exp_register_##e(void)	\
	{								\
		exp_register(&e);					\
	}

/* Recording: what was done, what was measured, what was expected. */
void exp_step(struct exp_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void exp_measure(struct exp_ctx *x, const char *key, double value,
		 const char *unit, const char *what);
bool exp_expect(struct exp_ctx *x, bool held, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void exp_inconclusive(struct exp_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void exp_skip(struct exp_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
long exp_arg(struct exp_ctx *x, const char *name, long dflt);
const char *exp_arg_str(struct exp_ctx *x, const char *name,
			const char *dflt);

/*
 * A workload in a child process, driven step by step: the child runs
 * @fn, which calls exp_child_next() for each command the parent sends
 * with exp_child_do() and answers with exp_child_reply(); between steps
 * it is idle, so what the parent measures holds still.
 */
struct exp_child {
	pid_t pid;
	int cmd_fd;			/* parent -> child */
	int reply_fd;			/* child -> parent */
};

pid_t exp_fork(void);
pid_t exp_wait(pid_t pid, int *status);
int exp_child_start(struct exp_child *c, void (*fn)(void *arg), void *arg);
uint64_t exp_child_do(struct exp_child *c, uint64_t cmd);
int exp_child_wait(struct exp_child *c, int *status);
void exp_child_kill(struct exp_child *c);
/* in the child: the next command (exits when the parent is gone) */
uint64_t exp_child_next(void);
void exp_child_reply(uint64_t val);

/* Memory shared with children (results they report), or NULL */
void *exp_shared(size_t len);
void exp_unshare(void *p, size_t len);

/* Snapshots through the module */
int exp_layout(int fd, pid_t pid, struct vmscope_layout *lo);
int exp_vma_at(int fd, pid_t pid, uint64_t addr,
	       struct vmscope_layout_vma *out);
int exp_faults(int fd, pid_t pid, struct vmscope_faults *f);
int exp_ptstats(int fd, pid_t pid, struct vmscope_ptstats *st);
int exp_translate(int fd, pid_t pid, uint64_t addr,
		  struct vmscope_translate *tr);
int exp_vmstat(int fd, __u64 stats[VMSCOPE_STAT_NR]);
uint64_t exp_present_pages(int fd, pid_t pid, uint64_t start, uint64_t end);
uint64_t exp_pages_with(int fd, pid_t pid, uint64_t start, uint64_t end,
			unsigned int page_flags);
int exp_zones(int fd, struct vmscope_zone *zones, unsigned int max);

/* System state, restored by the cleanup at exit or interruption */
int exp_sysctl_set(const char *path, const char *val);
int exp_controller_enable(const char *name);
int exp_cgroup_make(char *path, size_t len, const char *max,
		    const char *swap_max);
int exp_cgroup_enter(const char *path);
long long exp_cgroup_stat(const char *path, const char *file, const char *key);
void exp_cleanup(void);
bool exp_have_swap(void);
bool exp_have_memcg(void);
bool exp_kernel_at_least(int major, int minor);

/* The module's frames (exp_replace.c): a string followed on them */
struct rp_trace;
struct exp_frames {
	struct vmscope_frames_stat st;
	struct vmscope_faultlog fl;
	struct vmscope_fault_record *rec;	/* VMSCOPE_FAULTLOG_MAX, or NULL */
	int status;				/* the child's */
};

int exp_frames_run(const struct rp_trace *t, uint32_t policy,
		   uint32_t frames, struct exp_frames *l);
const char *exp_frames_error(int err);

/* write @val to @path (sysctl, cgroup file): 0 or -errno; async-signal-safe */
int exp_write_file(const char *path, const char *val);

#endif
