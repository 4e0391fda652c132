// SPDX-License-Identifier: GPL-2.0
/*
 * The malloc experiments (vmscope exp run malloc-threshold, free-return,
 * malloc-header): each must reach "confirmed" on this kernel and glibc,
 * and its measurements must show the phenomenon itself.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"

static char out[EXP_OUT_MAX];

FIXTURE(exp)
{
	char verdict[32];
};

FIXTURE_SETUP(exp)
{
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
}

FIXTURE_TEARDOWN(exp)
{
}

TEST_F(exp, malloc_threshold)
{
	int ok = 1;

	EXP_RUN_CONFIRMED("malloc-threshold", NULL, out, self->verdict);
	/* small: in the heap; large: a mapping of its own */
	EXPECT_EQ(1, exp_value(out, "small_in_heap", &ok));
	EXPECT_EQ(0, exp_value(out, "large_in_heap", &ok));
	EXPECT_EQ(0, exp_value(out, "large_heap_growth", &ok));
	EXPECT_EQ(1, exp_value(out, "large_new_vmas", &ok));
	/* the threshold moved: both back in the heap, which grew for them */
	EXPECT_EQ(1, exp_value(out, "dynamic_in_heap", &ok));
	EXPECT_EQ(1, exp_value(out, "mallopt_in_heap", &ok));
	EXPECT_LE(2 << 20, exp_value(out, "mallopt_heap_growth", &ok));
	EXPECT_EQ(1, ok);
}

TEST_F(exp, free_return)
{
	int ok = 1;

	EXP_RUN_CONFIRMED("free-return", NULL, out, self->verdict);
	/*
	 * RSS as /proc/PID/status counts it: exact since 6.2, two per-thread
	 * caches of ~64 events behind before.
	 */
	EXPECT_LE((1 << 20) - 128 * 4096,
		  exp_value(out, "rss_after_small_free", &ok));
	EXPECT_LE(512 << 10, exp_value(out, "heap_after_small_free", &ok));
	EXPECT_LE((4 << 20) - 128 * 4096,
		  exp_value(out, "rss_large_malloc", &ok));
	EXPECT_GE(-(4 << 20) + 128 * 4096,
		  exp_value(out, "rss_large_free", &ok));
	EXPECT_EQ(-1, exp_value(out, "vmas_large_free", &ok));
	EXPECT_GT(exp_value(out, "heap_after_small_free", &ok),
		  exp_value(out, "heap_after_trim", &ok));
	EXPECT_EQ(1, ok);
}

TEST_F(exp, malloc_header)
{
	int ok = 1;

	EXP_RUN_CONFIRMED("malloc-header", NULL, out, self->verdict);
	EXPECT_EQ(32, exp_value(out, "chunk_size_1", &ok));
	EXPECT_EQ(48, exp_value(out, "chunk_size_25", &ok));
	EXPECT_EQ(112, exp_value(out, "stride_100", &ok));
	EXPECT_EQ(2, exp_value(out, "flags_204800", &ok));
	EXPECT_EQ(1, ok);
}

TEST_F(exp, bad_names_and_options)
{
	EXPECT_EQ(2, exp_run("no-such-experiment", NULL, out, sizeof(out)));
	EXPECT_EQ(4, exp_run("malloc-threshold", "small=262144", out,
			     sizeof(out)));
	EXPECT_STREQ("skipped", exp_verdict(out, self->verdict, 32));
}

TEST_HARNESS_MAIN
