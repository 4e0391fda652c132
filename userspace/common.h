/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the vmscope subcommands: talking to /dev/vmscope and formatting.
 */
#ifndef VMSCOPE_COMMON_H
#define VMSCOPE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <linux/vmscope.h>

/* One subcommand: "vmscope NAME ARGS...". */
struct vmscope_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
};

extern const struct vmscope_cmd vmscope_cmd_info;
extern const struct vmscope_cmd vmscope_cmd_translate;
extern const struct vmscope_cmd vmscope_cmd_walk;
extern const struct vmscope_cmd vmscope_cmd_pagetable;
extern const struct vmscope_cmd vmscope_cmd_layout;
extern const struct vmscope_cmd vmscope_cmd_faults;
extern const struct vmscope_cmd vmscope_cmd_oom;
extern const struct vmscope_cmd vmscope_cmd_reclaim;
extern const struct vmscope_cmd vmscope_cmd_wss;
extern const struct vmscope_cmd vmscope_cmd_heatmap;
extern const struct vmscope_cmd vmscope_cmd_trace;
extern const struct vmscope_cmd vmscope_cmd_exp;
extern const struct vmscope_cmd vmscope_cmd_top;
extern const struct vmscope_cmd vmscope_cmd_doctor;
extern const struct vmscope_cmd vmscope_cmd_leak;
extern const struct vmscope_cmd vmscope_cmd_export;
extern const struct vmscope_cmd vmscope_cmd_replace;
extern const struct vmscope_cmd vmscope_cmd_memory;
extern const struct vmscope_cmd vmscope_cmd_cache;

/*
 * Exit statuses, the same for every command (vmscope(8), EXIT STATUS).
 * An experiment that ran but did not confirm its claim is not a failure
 * of the program: it has statuses of its own.
 */
#define EXIT_USAGE		2	/* bad options or arguments */
#define EXIT_REFUTED		3	/* vmscope exp: a claim was refuted */
#define EXIT_UNDECIDED		4	/* vmscope exp: inconclusive or skipped */

void write_error(void) __attribute__((noreturn));
void close_stdout(void);
int vmscope_open(void);
void vmscope_ioctl(int fd, unsigned long cmd, void *arg, const char *what);
void vmscope_ioctl_die(const char *what) __attribute__((noreturn));
void vmscope_get_info(int fd, struct vmscope_info *info);
/* VMSCOPE_IOC_OOM for every process (cmd_oom.c); @oo's inputs set, free() it */
struct vmscope_oom_task *vmscope_oom_tasks(int fd, struct vmscope_oom *oo,
					   uint32_t *n);
uint32_t vmscope_oom_victim(const struct vmscope_oom_task *t, uint32_t n);
void vmscope_pid_ioctl(int fd, unsigned long cmd, void *arg, uint32_t pid,
		       const char *what);
uint32_t parse_pid(const char *s);
uint64_t parse_addr(const char *s, const char *what);
uint64_t parse_size(const char *s, const char *what);
bool json_option(int argc, char **argv, const char *usage_hint,
		 void (*help)(FILE *out), int nargs);
long long file_key_ll(const char *path, const char *key);

/* The clock of a --watch loop: see watch_next(). */
struct watch_clock {
	double secs;	/* the interval asked for */
	double due;	/* when the next sample is due */
	double last;	/* when the previous one was taken */
};

double now_secs(void);
void sleep_secs(double secs);
void watch_start(struct watch_clock *w, double secs);
double watch_next(struct watch_clock *w);
uint64_t meminfo_swap_total_pages(void);
double parse_watch(const char *s);
const char *size_to_human(uint64_t bytes, char *buf, size_t len);
size_t utf8_seq_len(const unsigned char *s);
const char *text_escape(const char *s, char *buf, size_t size, bool space);

#endif
