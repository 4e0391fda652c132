// SPDX-License-Identifier: GPL-2.0
/*
 * The paging experiments (vmscope exp run demand-paging, cow, thp,
 * layout-32-vs-64, fault-path): each must reach "confirmed" here, and its
 * measurements must show the phenomenon; layout-32-vs-64 is checked
 * against /proc/cpuinfo's la57 flag as well.
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

#define RUN(name, args) EXP_RUN_CONFIRMED(name, args, out, self->verdict)

TEST_F(exp, demand_paging)
{
	int ok = 1;

	RUN("demand-paging", "size=4294967296 pages=700");
	EXPECT_EQ(4294967296.0, exp_value(out, "virt_growth", &ok));
	EXPECT_EQ(0, exp_value(out, "rss_after_mmap", &ok));
	EXPECT_EQ(700, exp_value(out, "minor_faults_touch", &ok));
	EXPECT_EQ(700, exp_value(out, "present_in_region", &ok));
	/* exact since 6.2; before, per-thread caches of ~64 RSS events each */
	EXPECT_GE(828 * 4096, exp_value(out, "rss_after_touch", &ok));
	EXPECT_LE(572 * 4096, exp_value(out, "rss_after_touch", &ok));
	EXPECT_EQ(exp_value(out, "pte_tables_spanned", &ok),
		  exp_value(out, "pte_tables_added", &ok));
	EXPECT_LE(2 * 4096, exp_value(out, "pgtables_bytes_added", &ok));
	EXPECT_EQ(1, ok);
}

TEST_F(exp, cow)
{
	int ok = 1;

	RUN("cow", NULL);
	EXPECT_EQ(2, exp_value(out, "parent_mapcount", &ok));
	EXPECT_EQ(1, exp_value(out, "same_pfn_after_fork", &ok));
	EXPECT_EQ(1, exp_value(out, "parent_pfn_changed", &ok));
	EXPECT_EQ(1, exp_value(out, "child_pfn_kept", &ok));
	EXPECT_EQ(1, exp_value(out, "child_mapcount_written", &ok));
	EXPECT_EQ(1, exp_value(out, "write_faults", &ok));
	EXPECT_LE(1, exp_value(out, "write_faults_most", &ok));
	EXPECT_EQ(1, ok);
}

TEST_F(exp, thp)
{
	int ok = 1, st;

	st = exp_run("thp", NULL, out, sizeof(out));
	ASSERT_EQ(exp_verdict_status(out), st);
	if (!strcmp(exp_verdict(out, self->verdict, 32), "inconclusive") &&
	    exp_value(out, "thp_fault_fallback", &ok) > 0)
		SKIP(return, "no free 2 MiB block for a THP in this VM");
	EXPECT_STREQ("confirmed", self->verdict);
	EXPECT_EQ(1, exp_value(out, "huge_faults", &ok));
	EXPECT_EQ(512, exp_value(out, "small_faults", &ok));
	EXPECT_EQ(VMSCOPE_LEVEL_PMD, exp_value(out, "huge_leaf_level", &ok));
	EXPECT_EQ(1, exp_value(out, "huge_pmd_leaves", &ok));
	EXPECT_EQ(0, exp_value(out, "huge_ptes", &ok));
	EXPECT_EQ(512, exp_value(out, "small_ptes", &ok));
	EXPECT_EQ(1, ok);
}

static int cpu_has_la57(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int la57 = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " la57"))
			la57 = 1;
	if (f)
		fclose(f);
	return la57;
}

TEST_F(exp, layout_32_vs_64)
{
	int ok = 1, la57 = cpu_has_la57();

	RUN("layout-32-vs-64", NULL);
	EXPECT_EQ(la57 ? 5 : 4, exp_value(out, "levels", &ok));
	EXPECT_EQ(la57, exp_value(out, "mmap_at_2_48", &ok));
	EXPECT_EQ(la57 ? 0 : EINVAL,
		  exp_value(out, "translate_2_47_errno", &ok));
	EXPECT_EQ(1, ok);
	/* addresses are "0x..." strings in the JSON */
	EXPECT_NE(NULL, strstr(out, la57 ? "\"value\": \"0xfffffffffff000\"" :
					   "\"value\": \"0x7ffffffff000\""));
}

TEST_F(exp, fault_path)
{
	int ok = 1;

	RUN("fault-path", NULL);
	EXPECT_EQ(0, exp_value(out, "faults_after_mmap", &ok));
	EXPECT_EQ(8, exp_value(out, "faults_touch", &ok));
	EXPECT_EQ(8, exp_value(out, "pages_allocated", &ok));
	EXPECT_EQ(8, exp_value(out, "minor_faults_child", &ok));
	EXPECT_EQ(1, exp_value(out, "refault_calls", &ok));
	EXPECT_EQ(0, exp_value(out, "refault_allocated", &ok));
	EXPECT_EQ(2, exp_value(out, "illegal_signals", &ok));
	EXPECT_EQ(0, exp_value(out, "illegal_calls", &ok));
	EXPECT_EQ(1, exp_value(out, "pfn_matches", &ok));
	EXPECT_EQ(1, exp_value(out, "private_copy", &ok));
	EXPECT_EQ(1, ok);
}

TEST_HARNESS_MAIN
