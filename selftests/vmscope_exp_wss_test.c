// SPDX-License-Identifier: GPL-2.0
/*
 * The working-set experiment (vmscope exp run working-set): confirmed, and
 * its measurements are the workload's known phases page for page: 1,000
 * pages read in a loop, then 300 others with the 150 even ones written,
 * then a file read a quarter at a time; RSS as /proc/PID/status says.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_exp.h"

static char out[EXP_OUT_MAX];

TEST(working_set)
{
	char verdict[32];
	double rss, status_rss;
	int ok = 1;

	if (access(VMSCOPE_DEVICE, F_OK))
		SKIP(return, "vmscope module not loaded");
	ASSERT_EQ(0, exp_run("working-set", NULL, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	EXPECT_STREQ("confirmed", exp_verdict(out, verdict, sizeof(verdict)));
	/* the regions, exactly */
	EXPECT_EQ(1000, exp_value(out, "phase1_region", &ok));
	EXPECT_EQ(1000, exp_value(out, "loop_window", &ok));
	EXPECT_EQ(300, exp_value(out, "phase2_region", &ok));
	EXPECT_EQ(150, exp_value(out, "phase2_written", &ok));
	EXPECT_EQ(0, exp_value(out, "phase2_written_wrong", &ok));
	EXPECT_EQ(512, exp_value(out, "scan_interval", &ok));
	EXPECT_EQ(2048, exp_value(out, "scan_window", &ok));
	/* the whole process: the region plus a few pages of its own */
	EXPECT_LE(1000, exp_value(out, "phase1_wss", &ok));
	EXPECT_GE(1100, exp_value(out, "phase1_wss", &ok));
	EXPECT_LE(300, exp_value(out, "phase2_wss", &ok));
	EXPECT_GE(400, exp_value(out, "phase2_wss", &ok));
	/* RSS: 4,096 anonymous + 2,048 file pages + the program's own */
	rss = exp_value(out, "rss_pages", &ok);
	status_rss = exp_value(out, "status_rss_pages", &ok);
	/*
	 * Before 6.2 a thread's RSS counts reach the mm every 64 faults,
	 * and a file fault maps up to 16 pages (fault-around): allow that.
	 */
	EXPECT_LE(4096 + 2048, rss + 64 * 16);
	/* the same counters; before 6.2 each thread caches up to 64 pages */
	EXPECT_GE(64, rss > status_rss ? rss - status_rss : status_rss - rss);
	EXPECT_EQ(1, ok);
}

TEST_HARNESS_MAIN
