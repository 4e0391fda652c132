// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope replace: the page-replacement simulator.
 *
 * 1. The classic strings give their published counts.  Every expected
 *    value below is derived by hand in the comments from the definitions
 *    and the conventions of Documentation/replacement.md, not taken from
 *    the program.
 * 2. Properties on random strings: OPT takes no more faults than any
 *    algorithm; LRU and OPT never take more faults with more frames;
 *    clock and second chance agree; FIFO, LRU and OPT agree with naive
 *    implementations written here from the definitions.
 * 3. The CLI: its JSON (read with a parser), trace files written here by
 *    hand, and bad input (exit status 2).
 *
 * Needs no kernel: the test links the simulator (userspace/replace.c) and
 * runs the CLI ($VMSCOPE_CLI, or vmscope on $PATH).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "json_tree.h"
#include "replace.h"
#include "vmscope_exp.h"

#define SILBERSCHATZ	"7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1"
#define BELADY		"1,2,3,4,1,2,5,1,2,3,4,5"

static void build(struct rp_trace *t, const char *refs)
{
	const char *p = refs;
	char *end;

	memset(t, 0, sizeof(*t));
	while (*p) {
		unsigned long v = strtoul(p, &end, 10);
		bool wr = *end == 'w';

		rp_trace_add(t, v, wr);
		p = end + wr;
		p += *p == ',';
	}
}

/* Faults of @algo over @refs with @frames (tick, tau as given; 0 default). */
static long faults(const char *algo, const char *refs, uint32_t frames,
		   uint32_t tick, uint64_t tau, uint64_t *writebacks)
{
	struct rp_params p = { .frames = frames, .tick = tick, .tau = tau };
	const struct rp_algo *a = rp_algo_find(algo);
	struct rp_result r;
	struct rp_trace t;

	if (!a)
		return -1;
	build(&t, refs);
	if (rp_run(a, &t, &p, &r, NULL, NULL))
		r.faults = -1;
	if (writebacks)
		*writebacks = r.writebacks;
	rp_trace_free(&t);
	return r.faults;
}

/*
 * Silberschatz (Operating System Concepts, 9.4), 3 frames.
 * FIFO, queue oldest first:
 *   7F[7] 0F[7 0] 1F[7 0 1] 2F-7[0 1 2] 0 hit 3F-0[1 2 3] 0F-1[2 3 0]
 *   4F-2[3 0 4] 2F-3[0 4 2] 3F-0[4 2 3] 0F-4[2 3 0] 3 hit 2 hit
 *   1F-2[3 0 1] 2F-3[0 1 2] 0 hit 1 hit 7F-0[1 2 7] 0F-1[2 7 0]
 *   1F-2[7 0 1]: 15 faults.
 * LRU (evict the page whose last use is earliest):
 *   7F 0F 1F; 2F evicts 7; 0 hit; 3F evicts 1 (used at 3); 0 hit;
 *   4F evicts 2 (4); 2F evicts 3 (6); 3F evicts 0 (7); 0F evicts 4 (8);
 *   3, 2 hit; 1F evicts 0 (11); 2 hit; 0F evicts 3 (12); 1 hit;
 *   7F evicts 2 (15); 0, 1 hit: 12 faults.
 * OPT (evict the page used farthest ahead, never used first):
 *   7F 0F 1F; 2F: 7@18 0@5 1@14, evict 7; 0 hit; 3F: 0@7 1@14 2@9,
 *   evict 1; 0 hit; 4F: 0@11 2@9 3@10, evict 0; 2, 3 hit; 0F: 4 never,
 *   evict 4; 3, 2 hit; 1F: 3 never, evict 3; 2, 0, 1 hit; 7F: 2 never,
 *   evict 2; 0, 1 hit: 9 faults.
 * Second chance (R set on load and on use; a page at the head with R
 * set goes to the tail with R cleared), queue oldest first, R as 1/0:
 *   7F 0F 1F [7¹ 0¹ 1¹]; 2F: all three get their second chance, then
 *   7 goes [0⁰ 1⁰ 2¹]; 0 hit [0¹ 1⁰ 2¹]; 3F: 0 to the tail, 1 goes
 *   [2¹ 0⁰ 3¹]; 0 hit [2¹ 0¹ 3¹]; 4F: all pass, 2 goes [0⁰ 3⁰ 4¹];
 *   2F: 0 goes [3⁰ 4¹ 2¹]; 3 hit [3¹ 4¹ 2¹]; 0F: all pass, 3 goes
 *   [4⁰ 2⁰ 0¹]; 3F: 4 goes [2⁰ 0¹ 3¹]; 2 hit [2¹ 0¹ 3¹]; 1F: all pass,
 *   2 goes [0⁰ 3⁰ 1¹]; 2F: 0 goes [3⁰ 1¹ 2¹]; 0F: 3 goes [1¹ 2¹ 0¹];
 *   1 hit; 7F: all pass, 1 goes [2⁰ 0⁰ 7¹]; 0 hit [2⁰ 0¹ 7¹]; 1F: 2
 *   goes: faults at 1 2 3 4 6 8 9 11 12 14 15 16 18 20 = 14.
 */
TEST(silberschatz_string)
{
	ASSERT_EQ(15, faults("fifo", SILBERSCHATZ, 3, 0, 0, NULL));
	ASSERT_EQ(12, faults("lru", SILBERSCHATZ, 3, 0, 0, NULL));
	ASSERT_EQ(9, faults("opt", SILBERSCHATZ, 3, 0, 0, NULL));
	ASSERT_EQ(14, faults("second-chance", SILBERSCHATZ, 3, 0, 0, NULL));
	ASSERT_EQ(14, faults("clock", SILBERSCHATZ, 3, 0, 0, NULL));
}

/*
 * Belady's string, FIFO:
 *   3 frames: 1F 2F 3F 4F-1[2 3 4] 1F-2[3 4 1] 2F-3[4 1 2] 5F-4[1 2 5]
 *     1 hit 2 hit 3F-1[2 5 3] 4F-2[5 3 4] 5 hit: 9 faults.
 *   4 frames: 1F 2F 3F 4F 1 hit 2 hit 5F-1[2 3 4 5] 1F-2[3 4 5 1]
 *     2F-3[4 5 1 2] 3F-4[5 1 2 3] 4F-5[1 2 3 4] 5F-1[2 3 4 5]: 10.
 * LRU, 3 frames: 1F 2F 3F 4F-1 1F-2 2F-3 5F-4 {1 2 5}; 1, 2 hit;
 *   3F evicts 5 (used at 7); 4F evicts 1 (8); 5F evicts 2 (9): 10.
 * LRU, 4 frames: 1-4 F; 1, 2 hit; 5F evicts 3; 1, 2 hit; 3F evicts 4;
 *   4F evicts 5; 5F evicts 1: 8 faults (fewer: LRU is a stack algorithm).
 * OPT, 3 frames: 1-3 F; 4F evicts 3 (next at 10); 1, 2 hit; 5F evicts 4
 *   (11); 1, 2 hit; 3F and 4F each evict a page never used again; 5 hit:
 *   7 faults.  4 frames: 1-4 F; 1, 2 hit; 5F evicts 4 (11); 1, 2, 3 hit;
 *   4F evicts a page never used again; 5 hit: 6 faults.
 */
TEST(belady_string)
{
	ASSERT_EQ(9, faults("fifo", BELADY, 3, 0, 0, NULL));
	ASSERT_EQ(10, faults("fifo", BELADY, 4, 0, 0, NULL));
	ASSERT_EQ(10, faults("lru", BELADY, 3, 0, 0, NULL));
	ASSERT_EQ(8, faults("lru", BELADY, 4, 0, 0, NULL));
	ASSERT_EQ(7, faults("opt", BELADY, 3, 0, 0, NULL));
	ASSERT_EQ(6, faults("opt", BELADY, 4, 0, 0, NULL));
	/* 5 frames hold every page: only the 5 first references fault */
	ASSERT_EQ(5, faults("fifo", BELADY, 5, 0, 0, NULL));
}

/*
 * The R/M algorithms, on strings short enough to follow by hand, each
 * showing the convention that decides it (a tick comes after every
 * `tick` references and clears every R bit).
 *
 * NRU, 2 frames, tick 2, "0w,1,2,0": 0F (R1 M1), 1F (R1 M0); the tick
 * clears R: page 0 is class 1 (M), page 1 class 0; 2F evicts the
 * class-0 page 1; 0 hits: 3 faults.  FIFO evicts 0 at the third
 * reference and faults on it again: 4 faults, and a write-back.
 */
TEST(nru_prefers_clean)
{
	uint64_t wb;

	ASSERT_EQ(3, faults("nru", "0w,1,2,0", 2, 2, 0, &wb));
	ASSERT_EQ(0, wb);
	ASSERT_EQ(4, faults("fifo", "0w,1,2,0", 2, 0, 0, &wb));
	ASSERT_EQ(1, wb);
}

/*
 * Aging (8 bits), 2 frames, tick 2, "0,1,0,0,2,0": tick 1 shifts R in:
 * 0 = 10000000, 1 = 10000000; 0 is used twice; tick 2: 0 = 11000000,
 * 1 = 01000000; 2F evicts 1 (the smaller); 0 hits: 3 faults.  FIFO
 * evicts 0 instead: 4.
 *
 * Within one tick aging cannot tell the order of uses: 2 frames, tick 4,
 * "0,1,1,0,2,0": at the fault on 2 no tick has come, both counters are
 * 0 and the tie goes to the page loaded first, 0; 0 faults again: 4
 * faults.  LRU evicts 1 (last used third, 0 fourth): 3 faults.
 *
 * NFU counts ticks with R set and never forgets: tick 1, 2 frames,
 * "0,0,0,1,1,2,0": 0's count reaches 3, 1's 2; 2F evicts 1; 0 hits:
 * 3 faults.  Aging (tick 1) has 0 = 00111000 against 1 = 11000000 by
 * then and evicts 0, which faults again: 4.
 */
TEST(aging_and_nfu)
{
	ASSERT_EQ(3, faults("aging", "0,1,0,0,2,0", 2, 2, 0, NULL));
	ASSERT_EQ(4, faults("fifo", "0,1,0,0,2,0", 2, 0, 0, NULL));
	ASSERT_EQ(4, faults("aging", "0,1,1,0,2,0", 2, 4, 0, NULL));
	ASSERT_EQ(3, faults("lru", "0,1,1,0,2,0", 2, 0, 0, NULL));
	ASSERT_EQ(3, faults("nfu", "0,0,0,1,1,2,0", 2, 1, 0, NULL));
	ASSERT_EQ(4, faults("aging", "0,0,0,1,1,2,0", 2, 1, 0, NULL));
}

/*
 * Working set, 2 frames, tau 1, "0,1,0,2,0" (reference i at virtual
 * time i-1; a page is outside the working set when now - last use > tau;
 * R is set at load).  Tick 2: the tick after the second reference clears
 * the R bits set at load; 0's use at time 2 sets R again; at the fault on
 * 2 (time 3) the scan records 0's use (last use := 3) and finds 1 with R
 * clear, last use 1 (its load), age 2 > 1: evicted; 0 hits: 3 faults.
 * Tick 3: the tick after the third reference clears the R that 0's use
 * set before any scan saw it; at time 3 page 0 (last use 0, age 3) is the
 * first frame outside the working set and goes; 0 faults again: 4.
 */
TEST(working_set_tick)
{
	ASSERT_EQ(3, faults("ws", "0,1,0,2,0", 2, 2, 1, NULL));
	ASSERT_EQ(4, faults("ws", "0,1,0,2,0", 2, 3, 1, NULL));
}

/*
 * WSClock, 2 frames, tau 1, tick 2, "0w,1,2,1": 0F (M), 1F; the tick
 * clears R.  At time 2 the hand (frame 0) finds page 0 old (age 2) but
 * dirty: its write is scheduled (1 write-back) and the hand moves on;
 * page 1 (age 1) is young.  A turn with a write scheduled goes on: page
 * 0, now clean and old, is evicted; 1 hits: 3 faults, 1 write-back.
 */
TEST(wsclock_schedules_writes)
{
	uint64_t wb;

	ASSERT_EQ(3, faults("wsclock", "0w,1,2,1", 2, 2, 1, &wb));
	ASSERT_EQ(1, wb);
}

/* ---- properties, against naive implementations of the definitions ---- */

/* FIFO, LRU or OPT by definition: O(n * frames), obviously right. */
static uint64_t naive(const struct rp_trace *t, uint32_t k, char algo)
{
	uint32_t fr[64], n = 0, i, j, v;
	uint64_t last[64], loaded[64], faults = 0, best, key;
	size_t r, q;

	for (r = 0; r < t->n; r++) {
		for (i = 0; i < n && fr[i] != t->ref[r]; i++)
			;
		if (i < n) {
			last[i] = r;
			continue;
		}
		faults++;
		if (n < k) {
			fr[n] = t->ref[r];
			last[n] = loaded[n] = r;
			n++;
			continue;
		}
		v = 0;
		best = 0;
		for (j = 0; j < k; j++) {
			if (algo == 'f')
				key = UINT64_MAX - loaded[j];
			else if (algo == 'l')
				key = UINT64_MAX - last[j];
			else {	/* opt: distance to the next use */
				for (q = r + 1; q < t->n && t->ref[q] != fr[j]; q++)
					;
				key = q;
			}
			if (key > best) {
				best = key;
				v = j;
			}
		}
		fr[v] = t->ref[r];
		last[v] = loaded[v] = r;
	}
	return faults;
}

static void random_trace(struct rp_trace *t, uint64_t seed)
{
	static const char *const gens[] = { "uniform", "locality", "zipf",
					    "loop", "scan" };
	struct rp_gen g = { .name = gens[seed % 5], .length = 300 + seed % 700,
			    .pages = 4 + seed % 29, .hot = 3, .phase = 50,
			    .p_hot = 0.8, .s = 0.9, .writes = 0.3,
			    .seed = seed };

	memset(t, 0, sizeof(*t));
	rp_generate(&g, t);
}

static uint64_t run1(const char *algo, const struct rp_trace *t, uint32_t k,
		     uint32_t tick)
{
	struct rp_params p = { .frames = k, .tick = tick, .seed = 7 };
	struct rp_result r = { 0 };

	rp_run(rp_algo_find(algo), t, &p, &r, NULL, NULL);
	return r.faults;
}

TEST(properties_on_random_strings)
{
	uint64_t seed, f, o, prev_opt, prev_lru, checked = 0, differ = 0;
	struct rp_trace t;
	uint32_t k;
	size_t a;

	for (seed = 1; seed <= 150; seed++) {
		random_trace(&t, seed);
		ASSERT_GT(t.n, 0);
		prev_opt = prev_lru = UINT64_MAX;
		for (k = 1; k <= 12; k++) {
			o = run1("opt", &t, k, 3);
			ASSERT_EQ(naive(&t, k, 'o'), o);
			ASSERT_EQ(naive(&t, k, 'l'), run1("lru", &t, k, 3));
			ASSERT_EQ(naive(&t, k, 'f'), run1("fifo", &t, k, 3));
			for (a = 0; a < rp_nr_algos; a++) {
				f = run1(rp_algos[a]->name, &t, k, 3);
				ASSERT_LE(o, f) TH_LOG("%s, seed %llu, %u frames",
						      rp_algos[a]->name,
						      (unsigned long long)seed, k);
				ASSERT_GE(f, t.npages < k ? t.npages : k);
				differ += f != o;
				checked++;
			}
			ASSERT_EQ(run1("clock", &t, k, 3),
				  run1("second-chance", &t, k, 3));
			ASSERT_LE(o, prev_opt);
			ASSERT_LE(run1("lru", &t, k, 3), prev_lru);
			prev_opt = o;
			prev_lru = run1("lru", &t, k, 3);
		}
		/* enough frames for every page: only the first uses fault */
		ASSERT_EQ(t.npages, run1("fifo", &t, t.npages, 3));
		ASSERT_EQ(t.npages, run1("wsclock", &t, t.npages, 3));
		rp_trace_free(&t);
	}
	/* not vacuous: the algorithms do differ from OPT on these strings */
	ASSERT_GT(differ, checked / 4);
}

TEST(random_is_seeded)
{
	struct rp_params p = { .frames = 5, .seed = 42 };
	struct rp_result a, b, c;
	struct rp_trace t;
	uint64_t s;

	random_trace(&t, 3);
	ASSERT_EQ(0, rp_run(rp_algo_find("random"), &t, &p, &a, NULL, NULL));
	ASSERT_EQ(0, rp_run(rp_algo_find("random"), &t, &p, &b, NULL, NULL));
	ASSERT_EQ(a.faults, b.faults);
	/* some seed gives another count (the choice is random) */
	for (s = 1, c = a; s < 50 && c.faults == a.faults; s++) {
		p.seed = s;
		rp_run(rp_algo_find("random"), &t, &p, &c, NULL, NULL);
	}
	ASSERT_NE(a.faults, c.faults);
	rp_trace_free(&t);
}

/* ---- the CLI ---- */

/* Run "vmscope replace ARGS", stdout into @out; the exit status or -1. */
static int replace(const char *args, char *out, size_t len)
{
	return sh_run(out, len, "%s replace %s 2>/dev/null", exp_cli(), args);
}

static char out[1 << 20];

TEST(cli_json)
{
	const struct jt *steps, *s4, *runs, *b;
	struct jt v;

	ASSERT_EQ(0, replace("--refs " SILBERSCHATZ " --algo fifo --frames 3 --json",
			     out, sizeof(out)));
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	EXPECT_STREQ("fifo", jt_str(&v, "algo"));
	EXPECT_EQ(3, jt_u64(&v, "frames", 0));
	EXPECT_EQ(20, jt_u64(&v, "references", 0));
	EXPECT_EQ(15, jt_u64(&v, "faults", 0));
	EXPECT_EQ(5, jt_u64(&v, "hits", 0));
	jt_free(&v);

	/* the frame table: the 4th reference (2) evicts 7 from frame 0 */
	ASSERT_EQ(0, replace("--refs " SILBERSCHATZ " --algo fifo -f 3 -v --json",
			     out, sizeof(out)));
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	steps = jt_get(&v, "steps");
	ASSERT_TRUE(steps && steps->type == JT_ARR);
	ASSERT_EQ(20, steps->n);
	s4 = jt_at(steps, 3);
	EXPECT_EQ(2, jt_u64(s4, "ref", 99));
	EXPECT_EQ(7, jt_u64(s4, "evicted", 99));
	EXPECT_EQ(JT_BOOL, jt_get(s4, "hit")->type);
	EXPECT_FALSE(jt_get(s4, "hit")->b);
	EXPECT_EQ(2, jt_at(jt_get(s4, "frames"), 0)->u);
	EXPECT_EQ(0, jt_at(jt_get(s4, "frames"), 1)->u);
	EXPECT_EQ(1, jt_at(jt_get(s4, "frames"), 2)->u);
	/* the 5th (0) is a hit that evicts nothing */
	EXPECT_TRUE(jt_get(jt_at(steps, 4), "hit")->b);
	EXPECT_EQ(JT_NULL, jt_get(jt_at(steps, 4), "evicted")->type);
	jt_free(&v);

	/* a sweep points out Belady's anomaly, and only that one */
	ASSERT_EQ(0, replace("--refs " BELADY " --algo fifo,lru --frames 1-5 --json",
			     out, sizeof(out)));
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	runs = jt_get(&v, "runs");
	ASSERT_EQ(10, runs->n);
	b = jt_get(&v, "belady");
	ASSERT_EQ(1, b->n);
	EXPECT_STREQ("fifo", jt_str(jt_at(b, 0), "algo"));
	EXPECT_EQ(3, jt_u64(jt_at(b, 0), "frames", 0));
	EXPECT_EQ(9, jt_u64(jt_at(b, 0), "faults", 0));
	EXPECT_EQ(4, jt_u64(jt_at(b, 0), "more_frames", 0));
	EXPECT_EQ(10, jt_u64(jt_at(b, 0), "more_faults", 0));
	jt_free(&v);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * A trace written by hand: six intervals whose pages, in the order the
 * file gives them (ascending within an interval), are Belady's string
 * 1,2,3,4,1,2,5,1,2,3,4,5; so FIFO takes 9 faults with 3 frames and 10
 * with 4, as derived above.  Page 'a' (10, written) is in an interval of
 * its own at the end: one more fault, and one more page.
 */
static const char good_trace[] =
	"vmscope-trace 1\n"
	"# written by hand for vmscope_replace_test\n"
	"page_size 4096\npid 1234\ninterval_ms 100\ncomm test\nfuture_key 7\n"
	"t 0\n1 2\nt 100\n3 4\nt 200\n1\n2\nt 300\n5\n"
	"t 400\n1 2 3\nt 500\n4 5\nt 600\nt 700\naw\n";

TEST(cli_trace_file)
{
	char path[] = "/tmp/vmscope-replace-XXXXXX", args[256];
	struct jt v;
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	write_text(path, good_trace);
	snprintf(args, sizeof(args), "--trace %s --algo fifo --frames 3 --json",
		 path);
	ASSERT_EQ(0, replace(args, out, sizeof(out)));
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	EXPECT_EQ(13, jt_u64(&v, "references", 0));
	EXPECT_EQ(6, jt_u64(&v, "pages", 0));
	EXPECT_EQ(10, jt_u64(&v, "faults", 0));
	/* page a was written and evicted? no: it is the last reference */
	EXPECT_EQ(0, jt_u64(&v, "writebacks", 99));
	jt_free(&v);
	snprintf(args, sizeof(args), "--trace %s --algo fifo --frames 4 --json",
		 path);
	ASSERT_EQ(0, replace(args, out, sizeof(out)));
	ASSERT_EQ(0, jt_parse(out, &v)) TH_LOG("%s", out);
	EXPECT_EQ(11, jt_u64(&v, "faults", 0));
	jt_free(&v);
	unlink(path);
}

/* Each bad trace file, and what makes it bad. */
static const char *const bad_traces[] = {
	"",					/* empty */
	"vmscope-trace 2\nt 0\n1\n",		/* another version */
	"t 0\n1\n",				/* no version line */
	"vmscope-trace 1\n1 2\nt 0\n3\n",	/* pages before the first t */
	"vmscope-trace 1\nt 0\nxyz\n",		/* not hex */
	"vmscope-trace 1\nt 0\n1A\n",		/* upper case */
	"vmscope-trace 1\nt 0\n0x1\n",		/* 0x prefix */
	"vmscope-trace 1\nt 100\n1\nt 50\n2\n",	/* time goes backwards */
	"vmscope-trace 1\npage_size 4096\n",	/* truncated: no interval */
	"vmscope-trace 1\nt 0\n",		/* an interval, no reference */
	"vmscope-trace 1\nt x\n1\n",		/* a t line without a time */
};

TEST(cli_bad_input)
{
	static const char *const bad_args[] = {
		"--refs ''", "--refs ,,", "--refs 7,x,1", "--refs 7,-1",
		"--refs 1,2ww", "--refs 3.5", "--refs 99999999999999999999",
		"--refs 1,2 --frames 0", "--refs 1,2 --frames 2000000",
		"--refs 1,2 --frames 5-3", "--refs 1,2 --frames -3",
		"--refs 1,2 --frames 1-9999", "--refs 1,2 --algo belady",
		"--refs 1,2 --algo ''", "--refs 1,2 --no-such-option",
		"--refs 1,2 --tick 0", "--refs 1,2 --bits 33",
		"--refs 1,2 --gen loop", "--json", "--gen nosuch",
		"--gen loop:pages=0", "--gen locality:hot=200,pages=100",
		"--gen zipf:q=1", "--gen uniform --length 0",
		"--refs 1,2 extra", "--refs 1,2 -v --frames 2-3",
		"--trace /nonexistent/trace",
	};
	char path[] = "/tmp/vmscope-replace-XXXXXX", args[256];
	size_t i;
	int fd, rc;

	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		rc = replace(bad_args[i], out, sizeof(out));
		if (rc != 2)
			fprintf(stderr, "# vmscope replace %s: exit %d\n",
				bad_args[i], rc);
		EXPECT_EQ(2, rc);
	}
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	close(fd);
	for (i = 0; i < sizeof(bad_traces) / sizeof(bad_traces[0]); i++) {
		write_text(path, bad_traces[i]);
		snprintf(args, sizeof(args), "--trace %s", path);
		rc = replace(args, out, sizeof(out));
		if (rc != 2)
			fprintf(stderr, "# bad trace %zu: exit %d\n", i, rc);
		EXPECT_EQ(2, rc);
	}
	/* getopt's message names the command as it was typed */
	EXPECT_EQ(2, sh_run(out, sizeof(out), "%s replace --no-such-option 2>&1",
			    exp_cli()));
	EXPECT_TRUE(!strncmp(out, "vmscope replace: unrecognized option", 36))
		TH_LOG("%s", out);
	/* and the good one is accepted by the same path */
	write_text(path, good_trace);
	snprintf(args, sizeof(args), "--trace %s", path);
	EXPECT_EQ(0, replace(args, out, sizeof(out)));
	unlink(path);
	EXPECT_EQ(0, replace("--gen zipf:pages=50,s=1.2 -n 2000 --algo all -f 1-8",
			     out, sizeof(out)));
}

TEST_HARNESS_MAIN
