// SPDX-License-Identifier: GPL-2.0
/*
 * The page-replacement experiments (vmscope exp run belady, replacement)
 * on the module's frames: each must come out confirmed, and its record,
 * read with a JSON parser, must show the phenomenon: Belady's string
 * takes 9 faults with 3 FIFO frames and 10 with 4 (derived by hand in
 * vmscope_replace_test.c); the live FIFO and clock equal the simulator's;
 * OPT is below every live policy; the kernel's own LRU faulted.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "json_tree.h"
#include "vmscope.h"
#include "vmscope_exp.h"

static char out[EXP_OUT_MAX];

/* The value of measurement @key in record @v; -1 if absent. */
static double measure(const struct jt *v, const char *key)
{
	const struct jt *m = jt_get(jt_get(v, "measurements"), key);
	const struct jt *val = jt_get(m, "value");

	return val && val->type == JT_NUM ? val->num : -1;
}

FIXTURE(exp)
{
	struct jt v;
};

FIXTURE_SETUP(exp)
{
	memset(&self->v, 0, sizeof(self->v));
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
}

FIXTURE_TEARDOWN(exp)
{
	jt_free(&self->v);
}

static int run(const char *name, const char *args, struct jt *v)
{
	int rc = exp_run(name, args, out, sizeof(out));

	if (jt_parse(out, v))
		return -2;
	return rc;
}

TEST_F(exp, belady)
{
	ASSERT_EQ(0, run("belady", NULL, &self->v)) TH_LOG("%s", out);
	EXPECT_STREQ("confirmed", jt_str(&self->v, "verdict")) TH_LOG("%s", out);
	EXPECT_EQ(9, measure(&self->v, "faults_3_frames"));
	EXPECT_EQ(10, measure(&self->v, "faults_4_frames"));
	EXPECT_EQ(6, measure(&self->v, "evictions_3_frames"));
	EXPECT_EQ(6, measure(&self->v, "evictions_4_frames"));
	EXPECT_EQ(9, measure(&self->v, "simulated_3_frames"));
	EXPECT_EQ(10, measure(&self->v, "simulated_4_frames"));
	EXPECT_EQ(0, measure(&self->v, "resident_after_exit"));
}

TEST_F(exp, replacement)
{
	double opt, live;
	const char *const pol[] = { "live_fifo", "live_clock", "live_lru",
				    "live_random" };
	unsigned int i;

	ASSERT_EQ(0, run("replacement", NULL, &self->v)) TH_LOG("%s", out);
	EXPECT_STREQ("confirmed", jt_str(&self->v, "verdict")) TH_LOG("%s", out);
	opt = measure(&self->v, "sim_opt");
	/* 64 pages on 16 frames: at least the 16 first loads, and more */
	EXPECT_GT(opt, 16);
	for (i = 0; i < 4; i++) {
		live = measure(&self->v, pol[i]);
		EXPECT_LE(opt, live) TH_LOG("%s", pol[i]);
	}
	EXPECT_EQ(measure(&self->v, "sim_fifo"), measure(&self->v, "live_fifo"));
	EXPECT_EQ(measure(&self->v, "sim_clock"),
		  measure(&self->v, "live_clock"));
	EXPECT_LT(measure(&self->v, "sim_lru"), measure(&self->v, "sim_fifo"));
	/* the kernel's LRU: measured where there are swap and a memory cgroup */
	if (!access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    swap_total_pages())
		EXPECT_GT(measure(&self->v, "kernel_lru_majflt"), 0);
}

TEST_HARNESS_MAIN
