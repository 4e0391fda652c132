// SPDX-License-Identifier: GPL-2.0
/*
 * The triage experiments (vmscope exp run leak, swap-growth): each must
 * reach "confirmed", and its record -- read with jq -- must show the
 * measurements themselves: the leak rates vmscope leak and doctor give
 * within 10% of what the leakers malloc'd, the churner never named, and
 * doctor's swap finding naming the squeezed cgroup and its process.
 */
#define _GNU_SOURCE
#include <math.h>

#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"
#include "vmscope_triage.h"

#define REC	"/tmp/vmscope-exp-triage.json"

static char out[EXP_OUT_MAX];

/* A measurement of the record in REC, read with jq; NAN if absent. */
static double measured(const char *key)
{
	char filter[160];
	double v;

	snprintf(filter, sizeof(filter), "(if type == \"array\" then .[0] "
		 "else . end) | .measurements[\"%s\"].value // \"nan\"", key);
	return jq_nums(REC, filter, &v, 1) == 1 ? v : NAN;
}

static double rel_err(double m, double truth)
{
	return fabs(m - truth) / truth;
}

FIXTURE(exp)
{
	char verdict[32];
};

FIXTURE_SETUP(exp)
{
	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	ASSERT_TRUE(have_prog("jq")) {
		TH_LOG("jq is needed to read the JSON: vmtest.sh -a /usr/bin/jq");
	}
}

FIXTURE_TEARDOWN(exp)
{
}

TEST_F(exp, leak)
{
	FILE *f;

	EXP_RUN_CONFIRMED("leak", NULL, out, self->verdict);
	f = fopen(REC, "we");
	ASSERT_NE(NULL, f);
	fputs(out, f);
	fclose(f);
	/* vmscope leak: verdicts 1 heap, 2 anonymous mappings, 0 stable */
	EXPECT_EQ(1, measured("leak_small-leaker_verdict"));
	EXPECT_EQ(2, measured("leak_large-leaker_verdict"));
	EXPECT_EQ(0, measured("leak_churner_verdict"));
	EXPECT_GT(0.1, rel_err(measured("leak_small-leaker_rate"),
			       measured("true_small_rate")));
	EXPECT_GT(0.1, rel_err(measured("leak_large-leaker_rate"),
			       measured("true_large_rate")));
	EXPECT_LT(256 << 10, measured("true_small_rate"));	/* it leaked */
	EXPECT_LT(256 << 10, measured("true_large_rate"));
	/* vmscope doctor: both named at their rates, the churner not */
	EXPECT_GT(0.1, rel_err(measured("doctor_small_rate"),
			       measured("doctor_true_small_rate")));
	EXPECT_GT(0.1, rel_err(measured("doctor_large_rate"),
			       measured("doctor_true_large_rate")));
	EXPECT_EQ(0, measured("doctor_churner_named"));
	EXPECT_LE(2, measured("doctor_findings"));
}

TEST_F(exp, swap_growth)
{
	FILE *f;

	if (!swap_total_pages())
		SKIP(return, "no swap");
	EXP_RUN_CONFIRMED("swap-growth", NULL, out, self->verdict);
	f = fopen(REC, "we");
	ASSERT_NE(NULL, f);
	fputs(out, f);
	fclose(f);
	EXPECT_EQ(1, measured("swap_found"));
	EXPECT_EQ(1, measured("swap_names_pid"));
	EXPECT_EQ(1, measured("swap_names_cgroup"));
	EXPECT_LT(measured("cgroup_swap_start"), measured("cgroup_swap_end"));
	EXPECT_LE(256, measured("swapped_out_pages"));
}

TEST_HARNESS_MAIN
