// SPDX-License-Identifier: GPL-2.0
/*
 * The page cache per file (VMSCOPE_IOC_FILECACHE) against fincore(1),
 * mincore(2) and cachestat(2), on the ext2 disk and on tmpfs, after known
 * reads and after dropping the caches; where RAM goes (VMSCOPE_IOC_MEMORY)
 * against /proc/meminfo; bad input, users and truncation during a count.
 * The census (VMSCOPE_IOC_CENSUS) is tested through the code that walks
 * it, `vmscope cache --top` (vmscope_cache_cli_test.c: the files it must
 * find, Cached + Buffers, an unmount during a census).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmscope.h"
#include "vmscope_cache.h"

#define NPAGES		64
#define NOBODY		65534

static long psz;

/* The page cache of @path by the module: 0, or -errno. */
static int filecache(int dev, const char *path, struct vmscope_filecache *fc,
		     uint8_t *map, uint32_t map_bytes)
{
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	memset(fc, 0, sizeof(*fc));
	fc->size = sizeof(*fc);
	fc->fd = fd;
	fc->map = (uintptr_t)map;
	fc->map_bytes = map_bytes;
	ret = vmscope_ioctl(dev, VMSCOPE_IOC_FILECACHE, fc);
	close(fd);
	return ret;
}

/* Bit i of @map (the module's residency map) against mincore(2). */
static int map_matches_mincore(const char *path, const uint8_t *map)
{
	unsigned char vec[NPAGES];
	int fd = open(path, O_RDONLY), i, bad = 0;
	void *p;

	if (fd < 0)
		return 0;
	p = mmap(NULL, NPAGES * psz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || mincore(p, NPAGES * psz, vec))
		return 0;
	for (i = 0; i < NPAGES; i++)
		bad += !!(vec[i] & 1) != !!(map[i / 8] & (1 << (i % 8)));
	munmap(p, NPAGES * psz);
	return !bad;
}


/* Write @path with NPAGES pages of data, sync it, drop it from the cache. */
static int make_cold_file(const char *path)
{
	char *buf = malloc(NPAGES * psz);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), ok;

	if (fd < 0 || !buf)
		return -1;
	memset(buf, 0x5a, NPAGES * psz);
	ok = write(fd, buf, NPAGES * psz) == NPAGES * psz && !fsync(fd);
	close(fd);
	free(buf);
	drop_caches();
	return ok ? 0 : -1;
}

/* Read page @i only (readahead off, as FADV_RANDOM sets it). */
static void read_page(int fd, long i)
{
	char c;

	if (pread(fd, &c, 1, i * psz) != 1)
		perror("pread");
}

enum pattern { WHOLE, EVERY_OTHER, RANGE, DROPPED };

/* Expected pages after each pattern; and touch them. */
static long apply(const char *path, enum pattern pat, bool tmpfs)
{
	int fd = open(path, O_RDWR), i;
	long n = 0;

	if (fd < 0)
		return -1;
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (i = 0; i < NPAGES; i++) {
		bool want = pat == WHOLE || pat == DROPPED ||
			    (pat == EVERY_OTHER && !(i % 2)) ||
			    (pat == RANGE && i >= 10 && i < 30);

		if (!want)
			continue;
		n++;
		if (tmpfs)	/* a tmpfs page exists once written */
			pwrite(fd, "x", 1, i * psz);
		else
			read_page(fd, i);
	}
	close(fd);
	/* drop_caches drops a file system's clean pages, never tmpfs's */
	if (pat == DROPPED) {
		drop_caches();
		if (!tmpfs)
			n = 0;
	}
	return n;
}

FIXTURE(cache) {
	int dev;
	char ext2[256];
	char tmp[256];
	bool have_disk;
};

FIXTURE_SETUP(cache)
{
	const char *disk = getenv("VMSCOPE_DISK");

	psz = getpagesize();
	self->dev = vmscope_open_dev();
	ASSERT_LE(0, self->dev);
	self->have_disk = disk && !access(disk, W_OK);
	snprintf(self->ext2, sizeof(self->ext2), "%s/cache_test.dat",
		 disk ? disk : "/tmp");
	snprintf(self->tmp, sizeof(self->tmp), "/tmp/cache_test.%d", getpid());
}

FIXTURE_TEARDOWN(cache)
{
	unlink(self->ext2);
	unlink(self->tmp);
	close(self->dev);
}

/* The four patterns on a file: module == fincore == cachestat == expected. */
static void check_patterns(struct __test_metadata *_metadata, int dev,
			   const char *path, bool tmpfs)
{
	static const char *const names[] = { "whole", "every other page",
					     "range 10-29", "dropped" };
	struct vmscope_filecache fc;
	uint8_t map[NPAGES / 8];
	struct cs_stat cs;
	long want, fin;
	int pat;

	for (pat = WHOLE; pat <= DROPPED; pat++) {
		if (tmpfs) {
			unlink(path);
			close(open(path, O_RDWR | O_CREAT, 0644));
			ASSERT_EQ(0, truncate(path, NPAGES * psz));
		} else {
			ASSERT_EQ(0, make_cold_file(path));
		}
		want = apply(path, pat, tmpfs);
		memset(map, 0xff, sizeof(map));
		ASSERT_EQ(0, filecache(dev, path, &fc, map, sizeof(map)));
		fin = fincore_pages(path);
		TH_LOG("%s %s: vmscope %llu fincore %ld expected %ld",
		       tmpfs ? "tmpfs" : "ext2", names[pat],
		       (unsigned long long)fc.cached_pages, fin, want);
		ASSERT_TRUE(fc.out_flags & VMSCOPE_FILECACHE_DONE);
		ASSERT_EQ(NPAGES, fc.size_pages);
		ASSERT_EQ(NPAGES, fc.next);
		/* the kernel's own view */
		if (fin >= 0)
			ASSERT_EQ(fin, (long)fc.cached_pages);
		ASSERT_TRUE(map_matches_mincore(path, map));
		if (!cachestat(path, &cs)) {
			ASSERT_EQ(cs.nr_cache, fc.cached_pages);
			ASSERT_EQ(cs.nr_dirty, fc.dirty_pages);
		}
		/* not vacuously equal: the shape the test made */
		ASSERT_EQ(want, (long)fc.cached_pages);
	}
}

TEST_F(cache, ext2_counts_match_fincore_and_cachestat)
{
	if (!self->have_disk)
		SKIP(return, "no ext2 disk ($VMSCOPE_DISK)");
	if (fincore_pages("/proc/self/exe") < 0)
		TH_LOG("no fincore(1) in the VM: mincore and cachestat only");
	check_patterns(_metadata, self->dev, self->ext2, false);
}

TEST_F(cache, tmpfs_counts_match_fincore_and_cachestat)
{
	check_patterns(_metadata, self->dev, self->tmp, true);
}

/* Dirty pages: written, not yet synced; cachestat counts them too. */
TEST_F(cache, dirty_pages_counted)
{
	struct vmscope_filecache fc;
	struct cs_stat cs;
	int fd, i;

	if (!self->have_disk)
		SKIP(return, "no ext2 disk ($VMSCOPE_DISK)");
	ASSERT_EQ(0, make_cold_file(self->ext2));
	fd = open(self->ext2, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1, pwrite(fd, "d", 1, i * 2 * psz));
	ASSERT_EQ(0, filecache(self->dev, self->ext2, &fc, NULL, 0));
	if (!cachestat(self->ext2, &cs))
		ASSERT_EQ(cs.nr_dirty, fc.dirty_pages);
	/* the flusher may have started on them, but not finished in 30 s */
	ASSERT_EQ(8, fc.dirty_pages + fc.writeback_pages);
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, filecache(self->dev, self->ext2, &fc, NULL, 0));
	ASSERT_EQ(0, fc.dirty_pages);
	close(fd);
}

static unsigned long long meminfo_pages(const char *key)
{
	char val[64];

	if (read_key("/proc/meminfo", key, val, sizeof(val)))
		return 0;
	return strtoull(val, NULL, 10) * 1024 / psz;
}

/*
 * zsmalloc's pages as zram counts them: mem_used_total (bytes, the third
 * field of /sys/block/zramN/mm_stat) of every zram device; -1 if none.
 */
static long long zram_used_pages(void)
{
	unsigned long long used;
	long long pages = -1;
	char path[64];
	FILE *f;
	int n;

	for (n = 0; n < 16; n++) {
		snprintf(path, sizeof(path), "/sys/block/zram%d/mm_stat", n);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%*u %*u %llu", &used) == 1)
			pages = (pages < 0 ? 0 : pages) + used / psz;
		fclose(f);
	}
	return pages;
}

/* Each part equals its /proc/meminfo field; the parts add up to MemTotal. */
TEST_F(cache, memory_parts_match_meminfo)
{
	static const char *const names[] = VMSCOPE_MEM_NAMES;
	unsigned long long lo, hi, sum = 0, shmem0;
	struct vmscope_memory m, m2;
	long long zs;
	int i, fd;

	shmem0 = meminfo_pages("Shmem");
	/* not vacuous: 256 pages of tmpfs must show as Shmem */
	fd = open(self->tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 256 * psz));
	close(fd);
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	ASSERT_EQ(0, vmscope_ioctl(self->dev, VMSCOPE_IOC_MEMORY, &m));
	ASSERT_EQ(VMSCOPE_MEM_NR, m.nr);
	ASSERT_EQ(psz, m.page_size);
	for (i = 0; i < VMSCOPE_MEM_NR_PARTS; i++)
		if (m.pages[i] != VMSCOPE_STAT_NONE)
			sum += m.pages[i];
	ASSERT_EQ(m.pages[VMSCOPE_MEM_MEMTOTAL], sum);
	ASSERT_EQ(meminfo_pages("MemTotal"), m.pages[VMSCOPE_MEM_MEMTOTAL]);
	/* others' tmpfs files come and go meanwhile: 32 pages of slack */
	ASSERT_GE(m.pages[VMSCOPE_MEM_SHMEM] + 32, shmem0 + 256);
	ASSERT_LT(0, m.pages[VMSCOPE_MEM_UNACCOUNTED]);
	/* the counters move: compare with meminfo read around a second read */
	for (i = 0; i < VMSCOPE_MEM_NR; i++) {
		const char *key = names[i];
		unsigned long long a, b, v;

		if (!strcmp(key, "Cached-Shmem") || !strcmp(key, "Zsmalloc") ||
		    !strcmp(key, "Unaccounted") || !strncmp(key, "nr_", 3))
			continue;
		a = meminfo_pages(key);
		memset(&m2, 0, sizeof(m2));
		m2.size = sizeof(m2);
		ASSERT_EQ(0, vmscope_ioctl(self->dev, VMSCOPE_IOC_MEMORY, &m2));
		b = meminfo_pages(key);
		v = m2.pages[i];
		lo = (a < b ? a : b);
		hi = (a > b ? a : b);
		lo = lo > 64 + lo / 50 ? lo - 64 - lo / 50 : 0;
		hi += 64 + hi / 50;
		TH_LOG("%s: vmscope %llu meminfo %llu..%llu", key, v, a, b);
		ASSERT_GE(v, lo);
		ASSERT_LE(v, hi);
	}
	/* zsmalloc, not in meminfo: what the zram devices say they use */
	zs = zram_used_pages();
	if (zs >= 0) {
		memset(&m2, 0, sizeof(m2));
		m2.size = sizeof(m2);
		ASSERT_EQ(0, vmscope_ioctl(self->dev, VMSCOPE_IOC_MEMORY, &m2));
		TH_LOG("Zsmalloc: vmscope %llu zram mm_stat %lld",
		       (unsigned long long)m2.pages[VMSCOPE_MEM_ZSMALLOC], zs);
		ASSERT_NE(VMSCOPE_STAT_NONE, m2.pages[VMSCOPE_MEM_ZSMALLOC]);
		ASSERT_LT(0, zs);	/* the VM's swap and disk are zram */
		ASSERT_GE(m2.pages[VMSCOPE_MEM_ZSMALLOC] + 64, (uint64_t)zs);
		ASSERT_LE(m2.pages[VMSCOPE_MEM_ZSMALLOC], (uint64_t)zs + 64);
	}
	unlink(self->tmp);
}

TEST_F(cache, bad_input)
{
	struct vmscope_filecache fc;
	struct vmscope_census cs;
	int pipefd[2];

	memset(&fc, 0, sizeof(fc));
	fc.size = sizeof(fc);
	fc.fd = 100000;
	ASSERT_EQ(-EBADF, vmscope_ioctl(self->dev, VMSCOPE_IOC_FILECACHE, &fc));
	ASSERT_EQ(-EINVAL, filecache(self->dev, "/tmp", &fc, NULL, 0));
	ASSERT_EQ(0, pipe(pipefd));
	memset(&fc, 0, sizeof(fc));
	fc.size = sizeof(fc);
	fc.fd = pipefd[0];
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->dev, VMSCOPE_IOC_FILECACHE, &fc));
	close(pipefd[0]);
	close(pipefd[1]);
	ASSERT_EQ(-ENOENT, filecache(self->dev, "/nonexistent", &fc, NULL, 0));
	close(open(self->tmp, O_RDWR | O_CREAT, 0644));
	ASSERT_EQ(0, truncate(self->tmp, NPAGES * psz));
	ASSERT_EQ(-EFAULT, filecache(self->dev, self->tmp, &fc,
				     (uint8_t *)16, 8));
	memset(&cs, 0, sizeof(cs));
	cs.size = sizeof(cs);
	cs.buf_count = 1;
	strcpy(cs.fstype, "no-such-fs");
	ASSERT_EQ(-ENODEV, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
	strcpy(cs.fstype, "tmpfs");
	cs.buf_count = 0;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
	cs.buf_count = VMSCOPE_CENSUS_MAX_RECORDS + 1;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
	cs.buf_count = 4;
	cs.flags = 2;
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
	cs.flags = 0;
	memset(cs.fstype, 'x', sizeof(cs.fstype));
	ASSERT_EQ(-EINVAL, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
	strcpy(cs.fstype, "tmpfs");
	cs.buf = 16;	/* a bad buffer: found records cannot be copied */
	cs.sb_index = 0;
	ASSERT_GE(0, vmscope_ioctl(self->dev, VMSCOPE_IOC_CENSUS, &cs));
}

/*
 * As nobody (unprivileged=1): the page cache of a file it owns or may
 * write, yes; of a file it may only read, no (as cachestat(2)); census no.
 */
static int nobody_rules(int unused)
{
	struct vmscope_filecache fc;
	struct vmscope_census cs;
	struct vmscope_census_file rec;
	int dev;

	(void)unused;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1))
		return 99;
	dev = vmscope_open_dev();
	if (dev < 0)
		return 1;
	if (filecache(dev, "/tmp/cache_test.secret", &fc, NULL, 0) != -EACCES)
		return 2;
	/* readable, not writable: cachestat(2) refuses it too */
	if (filecache(dev, "/tmp/cache_test.public", &fc, NULL, 0) != -EPERM)
		return 3;
	/* its own file, opened read-only; a file anyone may write */
	if (filecache(dev, "/tmp/cache_test.own", &fc, NULL, 0) ||
	    fc.cached_pages != 3)
		return 5;
	if (filecache(dev, "/tmp/cache_test.shared", &fc, NULL, 0) ||
	    fc.cached_pages != 3)
		return 6;
	memset(&cs, 0, sizeof(cs));
	cs.size = sizeof(cs);
	strcpy(cs.fstype, "tmpfs");
	cs.buf = (uintptr_t)&rec;
	cs.buf_count = 1;
	if (vmscope_ioctl(dev, VMSCOPE_IOC_CENSUS, &cs) != -EPERM)
		return 4;
	return 0;
}

TEST_F(cache, user_sees_only_files_it_may_write)
{
	int st, fd;
	pid_t pid;

	fd = open("/tmp/cache_test.secret", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "abc", 3));
	close(fd);
	fd = open("/tmp/cache_test.public", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 3 * psz));
	close(fd);
	fd = open("/tmp/cache_test.own", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 3 * psz));
	ASSERT_EQ(0, fchown(fd, NOBODY, NOBODY));
	close(fd);
	fd = open("/tmp/cache_test.shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 3 * psz));
	ASSERT_EQ(0, fchmod(fd, 0666));
	close(fd);
	close(self->dev);	/* the module cannot be unloaded while open */
	ASSERT_EQ(0, vmscope_reload("unprivileged=1"));
	pid = fork();
	if (!pid)
		_exit(nobody_rules(0));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, vmscope_reload(""));
	self->dev = vmscope_open_dev();
	unlink("/tmp/cache_test.secret");
	unlink("/tmp/cache_test.public");
	unlink("/tmp/cache_test.own");
	unlink("/tmp/cache_test.shared");
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
}

static volatile int stop;

static void *truncator(void *arg)
{
	const char *path = arg;

	while (!stop) {
		int fd = open(path, O_RDWR | O_CREAT, 0644);

		if (fd < 0)
			continue;
		fallocate(fd, 0, 0, 512 * psz);
		ftruncate(fd, 0);
		close(fd);
		unlink(path);
	}
	return NULL;
}

/* Files truncated and deleted while counted: counts, no errors. */
TEST_F(cache, truncate_and_delete_during_count)
{
	struct vmscope_filecache fc;
	pthread_t t;
	int i, fd, ok = 0, ret;

	ASSERT_EQ(0, pthread_create(&t, NULL, truncator, self->tmp));
	for (i = 0; i < 2000; i++) {
		fd = open(self->tmp, O_RDONLY);
		if (fd < 0)
			continue;
		memset(&fc, 0, sizeof(fc));
		fc.size = sizeof(fc);
		fc.fd = fd;
		ret = vmscope_ioctl(self->dev, VMSCOPE_IOC_FILECACHE, &fc);
		close(fd);
		if (ret)
			break;
		ASSERT_LE(fc.cached_pages, 512);
		ok++;
	}
	stop = 1;
	pthread_join(t, NULL);
	ASSERT_EQ(0, ret);
	ASSERT_LT(0, ok);
}

#define HUGE_BASE_PAGES	512	/* of 4 KiB in a 2 MiB huge page */

/*
 * A hugetlbfs file holding one huge page: FILECACHE counts its 512 base
 * pages, each in the map, as mincore(2) of the mapping does (before 6.7
 * hugetlbfs indexed its page cache by huge page: the module scales).  On
 * a hugetlbfs of the test's own mount namespace.
 */
TEST(hugetlbfs_file_in_base_pages)
{
	char dir[] = "/tmp/vmscope-huge.XXXXXX", path[64], was[32] = "0";
	const char *nr = "/proc/sys/vm/nr_hugepages";
	static unsigned char vec[HUGE_BASE_PAGES];
	static uint8_t map[HUGE_BASE_PAGES / 8];
	size_t len = HUGE_BASE_PAGES * 4096UL;
	struct vmscope_filecache fc;
	int dev, fd, i, bad = 0;
	char *p;

	dev = vmscope_open_dev();
	if (dev < 0)
		SKIP(return, "no /dev/vmscope");
	fd = open(nr, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		i = read(fd, was, sizeof(was) - 1);
		was[i > 0 ? i : 0] = 0;
		close(fd);
	}
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));
	if (write_file(nr, "1") ||
	    mount("none", dir, "hugetlbfs", 0, "pagesize=2M")) {
		rmdir(dir);
		SKIP(return, "no 2 MiB hugetlbfs");
	}
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, len);
	ASSERT_EQ(0, mincore(p, len, vec));
	memset(&fc, 0, sizeof(fc));
	fc.size = sizeof(fc);
	fc.fd = fd;
	fc.map = (uintptr_t)map;
	fc.map_bytes = sizeof(map);
	ASSERT_EQ(0, vmscope_ioctl(dev, VMSCOPE_IOC_FILECACHE, &fc));
	EXPECT_EQ(HUGE_BASE_PAGES, fc.size_pages);
	EXPECT_EQ(HUGE_BASE_PAGES, fc.cached_pages);
	for (i = 0; i < HUGE_BASE_PAGES; i++)
		bad += !!(vec[i] & 1) != !!(map[i / 8] & (1 << (i % 8)));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(1, vec[0] & 1);
	munmap(p, len);
	close(fd);
	unlink(path);
	umount(dir);
	rmdir(dir);
	write_file(nr, was);
	close(dev);
}

TEST_HARNESS_MAIN
