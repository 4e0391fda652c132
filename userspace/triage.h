/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Triage: one sample of the system and of every process, taken through the
 * module (VMSCOPE_IOC_RECLAIM, OOM, LAYOUT, FAULTS) and /proc, shared by
 * vmscope top, doctor, leak and export.
 */
#ifndef VMSCOPE_TRIAGE_H
#define VMSCOPE_TRIAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/vmscope.h>

#define TRI_MAX_ZONES	64

/* PSI memory pressure, /proc/pressure/memory */
struct tri_psi {
	bool valid;
	double some_avg10, some_avg60, full_avg10, full_avg60;
	uint64_t some_total, full_total;	/* microseconds */
};

/* The system: /proc/meminfo (bytes), the vmstat counters, zones, PSI. */
struct tri_sys {
	double t;			/* CLOCK_MONOTONIC, seconds */
	uint64_t mem_total, mem_free, mem_available, buffers, cached,
		 sreclaimable, shmem, swap_total, swap_free, committed_as,
		 commit_limit;
	__u64 stats[VMSCOPE_STAT_NR];	/* VMSCOPE_STAT_NONE where absent */
	struct vmscope_zone zones[TRI_MAX_ZONES];
	unsigned int nr_zones;
	struct tri_psi psi;
	long swappiness;
	long overcommit;		/* vm.overcommit_memory; 2: strict */
};

/* One process, as the OOM killer, its mm and its fault counters see it. */
struct tri_proc {
	uint32_t pid, uid;
	char comm[16];
	double t;			/* when its counters were read */
	uint64_t rss_anon, rss_file, rss_shmem, swap, total_vm;	/* bytes */
	uint64_t brk_size;		/* brk - start_brk: the heap */
	uint32_t map_count;
	uint64_t min_flt, maj_flt;
	uint32_t oom_score;
	int32_t oom_score_adj;
	int64_t points;
	bool killable;
};

struct tri_snap {
	struct tri_sys sys;
	struct tri_proc *procs;
	uint32_t nr_procs;
	uint32_t victim;		/* the OOM killer's choice, or 0 */
	uint64_t totalpages;
};

/* A memory cgroup (v2) with a limit, read from /sys/fs/cgroup */
struct tri_memcg {
	char path[256];			/* relative to the cgroup root */
	uint64_t current, max, swap_current, swap_max, high;
	uint64_t ev_max, ev_oom, ev_oom_kill;	/* memory.events.local */
	uint64_t file_lru;	/* memory.stat active_file + inactive_file */
	uint64_t psi_some_total, psi_full_total;	/* memory.pressure, us */
};

#define TRI_NO_LIMIT	UINT64_MAX

void tri_sys_take(int fd, struct tri_sys *s);
void tri_snap_take(int fd, struct tri_snap *s, const uint32_t *pids,
		   uint32_t nr_pids);
void tri_snap_free(struct tri_snap *s);
const struct tri_proc *tri_find(const struct tri_snap *s, uint32_t pid);
uint64_t tri_stat(const struct tri_sys *s, enum vmscope_stat i);
double tri_rate(const struct tri_sys *a, const struct tri_sys *b,
		enum vmscope_stat i);
uint64_t tri_allocstall(const struct tri_sys *s);
uint64_t tri_buff_cache(const struct tri_sys *s);
uint64_t tri_mem_used(const struct tri_sys *s);
double tri_parse_seconds(const char *s, const char *opt, double min,
			 double max);
int tri_memcgs(struct tri_memcg **out);
const struct tri_memcg *tri_memcg_find(const struct tri_memcg *cg, int n,
				       const char *path);
int tri_pid_cgroup(uint32_t pid, char *buf, size_t len);
const char *tri_user(uint32_t uid, char *buf, size_t len);
void tri_close_stdout(void);

#endif
