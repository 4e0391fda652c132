// SPDX-License-Identifier: GPL-2.0
/*
 * VMA names against /proc/self/maps: a file whose path is longer than
 * vmscope_vma.name holds (and one longer than PATH_MAX, built with
 * relative paths) is named by the first VMSCOPE_NAME_LEN - 1 bytes of the
 * path maps shows; an anonymous VMA named with PR_SET_VMA_ANON_NAME is
 * "[anon:NAME]", as in maps (only with CONFIG_ANON_VMA_NAME, which
 * Debian's kernels leave unset: skipped there); a file mapped through
 * overlayfs has the overlay's path, device and inode, as in maps; a bss
 * right below an empty heap is [heap] where maps says so (before 6.6) and
 * only there.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define PAGE		4096UL
#define COMPONENT	200	/* bytes of each directory name */

/* The device and inode of a line of /proc/PID/maps. */
struct maps_id {
	unsigned int major, minor;
	unsigned long ino;
};

/*
 * The name maps gives @pid's VMA at @addr, unescaped ("\012" stays), and
 * if @id is not NULL its device and inode.
 */
static int maps_name(pid_t pid, uintptr_t addr, char *name, size_t len,
		     struct maps_id *id)
{
	size_t cap = 0;
	char *line = NULL, path[32];
	struct maps_id v;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, end;
		int off = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu %n", &start, &end,
			   &v.major, &v.minor, &v.ino, &off) < 5 ||
		    addr < start || addr >= end)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(name, len, "%s", off ? line + off : "");
		if (id)
			*id = v;
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

static int vma_name(pid_t pid, uintptr_t addr, char *name, size_t len)
{
	struct vmscope_translate tr = {
		.size = sizeof(tr), .pid = pid, .vaddr = addr,
	};
	int fd = vmscope_open_dev(), ret;

	if (fd < 0)
		return fd;
	ret = vmscope_ioctl(fd, VMSCOPE_IOC_TRANSLATE, &tr);
	close(fd);
	if (!ret)
		snprintf(name, len, "%s", tr.vma.name);
	return ret;
}

/*
 * Make @depth directories of COMPONENT-byte names under a fresh directory
 * in /tmp, entering each (a path longer than PATH_MAX can only be reached
 * relatively), and map a file at the bottom.  Returns the mapping.
 */
static void *map_deep_file(struct __test_metadata *_metadata, int depth,
			   char *top, size_t toplen)
{
	char comp[COMPONENT + 1];
	void *p;
	int fd, i;

	snprintf(top, toplen, "/tmp/vmscope-name-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(top));
	ASSERT_EQ(0, chdir(top));
	memset(comp, 'd', COMPONENT);
	comp[COMPONENT] = '\0';
	for (i = 0; i < depth; i++) {
		ASSERT_EQ(0, mkdir(comp, 0700));
		ASSERT_EQ(0, chdir(comp));
	}
	fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PAGE));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, chdir("/"));
	return p;
}

static void long_path_check(struct __test_metadata *_metadata, int depth,
			    size_t min_len)
{
	static char maps[8 * PATH_MAX], top[64];
	char name[VMSCOPE_NAME_LEN + 1];
	int fd = vmscope_open_dev();
	void *p;

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	close(fd);
	p = map_deep_file(_metadata, depth, top, sizeof(top));
	ASSERT_EQ(0, maps_name(getpid(), (uintptr_t)p, maps, sizeof(maps),
			       NULL));
	ASSERT_EQ(0, vma_name(getpid(), (uintptr_t)p, name, sizeof(name)));
	/* not vacuous: maps shows the whole path, longer than a name holds */
	ASSERT_EQ(0, strncmp(maps, top, strlen(top)));
	ASSERT_LT(min_len, strlen(maps));
	EXPECT_EQ(VMSCOPE_NAME_LEN - 1, strlen(name));
	EXPECT_EQ(0, strncmp(maps, name, VMSCOPE_NAME_LEN - 1)) {
		TH_LOG("vmscope: %.60s..., maps: %.60s...", name, maps);
	}
	munmap(p, PAGE);
}

/* A path of about 600 bytes: d_path() into 256 bytes fails. */
TEST(long_path_is_truncated_as_maps)
{
	long_path_check(_metadata, 3, VMSCOPE_NAME_LEN);
}

/* About 5K bytes, longer than PATH_MAX. */
TEST(path_longer_than_path_max_is_truncated_as_maps)
{
	long_path_check(_metadata, PATH_MAX / COMPONENT + 1, PATH_MAX);
}

TEST(anon_name_as_maps)
{
	char maps[VMSCOPE_NAME_LEN], name[VMSCOPE_NAME_LEN];
	int fd = vmscope_open_dev();
	char *p;

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	close(fd);
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p,
		  3 * PAGE, (unsigned long)"vmscope test")) {
		munmap(p, 3 * PAGE);
		SKIP(return, "PR_SET_VMA_ANON_NAME: %s (no CONFIG_ANON_VMA_NAME)",
		     strerror(errno));
	}
	ASSERT_EQ(0, maps_name(getpid(), (uintptr_t)p + PAGE, maps,
			       sizeof(maps), NULL));
	ASSERT_STREQ("[anon:vmscope test]", maps);
	ASSERT_EQ(0, vma_name(getpid(), (uintptr_t)p + PAGE, name, sizeof(name)));
	EXPECT_STREQ(maps, name);
	munmap(p, 3 * PAGE);
}

/* Whether /proc/filesystems lists @type. */
static bool have_filesystem(const char *type)
{
	FILE *f = fopen("/proc/filesystems", "r");
	bool found = false;
	char line[128], *t;

	/* "nodev\toverlay" or "\text4" */
	while (f && !found && fgets(line, sizeof(line), f)) {
		t = strchr(line, '\t');
		found = t && !strncmp(t + 1, type, strlen(type)) &&
			t[1 + strlen(type)] == '\n';
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * An overlay of a tmpfs lower directory holding a one-page file, on a
 * tmpfs at @top, mounted at @merged (top/merged), in a mount namespace of
 * the test's own: no mount outlives the test.
 */
static void overlay_mount(struct __test_metadata *_metadata, char *top,
			  char *merged, size_t size)
{
	static const char * const sub[] = { "lower", "upper", "work", "merged" };
	char file[96], opts[256];
	int fd, i;

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, mkdtemp(top));
	ASSERT_EQ(0, mount("tmpfs", top, "tmpfs", 0, "size=1m"));
	for (i = 0; i < 4; i++) {
		snprintf(merged, size, "%s/%s", top, sub[i]);
		ASSERT_EQ(0, mkdir(merged, 0700));
	}
	snprintf(file, sizeof(file), "%s/lower/file", top);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PAGE));
	close(fd);
	snprintf(opts, sizeof(opts),
		 "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", top,
		 top, top);
	/* merged is top/merged, the last made */
	ASSERT_EQ(0, mount("overlay", merged, "overlay", 0, opts))
		TH_LOG("mount overlay: %s", strerror(errno));
}

/*
 * The overlay of overlay_mount(), its file (path into @file) opened
 * read-only (into *@fd) and mapped, a page shared: the mapping.
 */
static char *overlay_file_map(struct __test_metadata *_metadata, char *top,
			      char *merged, size_t size, char *file,
			      size_t file_size, int *fd)
{
	char *p;

	overlay_mount(_metadata, top, merged, size);
	snprintf(file, file_size, "%s/file", merged);
	*fd = open(file, O_RDONLY);
	ASSERT_LE(0, *fd);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, *fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	return p;
}

static void overlay_umount(const char *top, const char *merged)
{
	umount(merged);
	umount(top);
	rmdir(top);
}

/*
 * A file mapped through overlayfs: since 6.7 the mapping's file is a
 * backing file whose own path is the lower file's, and maps shows the
 * overlay's (file_user_path()); its device and inode are the overlay's
 * since 6.8 (file_user_inode()), the lower file's before.  vmscope must
 * show what maps shows.
 */
TEST(overlay_file_named_as_maps)
{
	char top[] = "/tmp/vmscope-ovl.XXXXXX", dir[64], file[96];
	struct vmscope_translate tr = { .size = sizeof(tr) };
	char maps[VMSCOPE_NAME_LEN];
	struct maps_id id;
	int fd, dev;
	char *p;

	/* the test VM loads overlay.ko */
	if (!have_filesystem("overlay"))
		SKIP(return, "no overlay file system in this kernel");
	dev = vmscope_open_dev();
	if (dev < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, dev);
	p = overlay_file_map(_metadata, top, dir, sizeof(dir), file,
			     sizeof(file), &fd);
	close(fd);
	EXPECT_EQ(0, p[0]);
	ASSERT_EQ(0, maps_name(getpid(), (uintptr_t)p, maps, sizeof(maps),
			       &id));
	EXPECT_STREQ(file, maps);
	tr.pid = getpid();
	tr.vaddr = (uintptr_t)p;
	ASSERT_EQ(0, vmscope_ioctl(dev, VMSCOPE_IOC_TRANSLATE, &tr));
	EXPECT_STREQ(maps, tr.vma.name);
	EXPECT_EQ(id.ino, tr.vma.ino);
	EXPECT_EQ(id.major, major(tr.vma.dev));
	EXPECT_EQ(id.minor, minor(tr.vma.dev));
	munmap(p, PAGE);
	close(dev);
	overlay_umount(top, dir);
}

/*
 * The page cache of a file opened through overlayfs is the real file's
 * (the overlay inode's own mapping stays empty): VMSCOPE_IOC_FILECACHE
 * counts the page that mincore(2) of a mapping of the same file finds.
 */
TEST(overlay_file_cache_is_the_real_files)
{
	char top[] = "/tmp/vmscope-ovl.XXXXXX", dir[64], file[96];
	struct vmscope_filecache fc = { .size = sizeof(fc) };
	unsigned char vec = 0;
	int fd, dev;
	char *p;

	if (!have_filesystem("overlay"))
		SKIP(return, "no overlay file system in this kernel");
	dev = vmscope_open_dev();
	if (dev < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, dev);
	p = overlay_file_map(_metadata, top, dir, sizeof(dir), file,
			     sizeof(file), &fd);
	EXPECT_EQ(0, p[0]);		/* now in the page cache */
	ASSERT_EQ(0, mincore(p, PAGE, &vec));
	ASSERT_EQ(1, vec & 1);
	fc.fd = fd;
	ASSERT_EQ(0, vmscope_ioctl(dev, VMSCOPE_IOC_FILECACHE, &fc));
	EXPECT_EQ(1, fc.size_pages);
	EXPECT_EQ(1, fc.cached_pages);
	munmap(p, PAGE);
	close(fd);
	close(dev);
	overlay_umount(top, dir);
}

/*
 * A process whose heap is empty (brk == start_brk: nothing malloc'd yet)
 * and whose anonymous bss ends where the heap would begin: this program
 * itself, exec'd without address randomisation (which would put the heap
 * elsewhere), stopping in a constructor before anything can malloc.
 * Since 6.6 maps names no VMA [heap] then; before, the bss was "[heap]".
 * vmscope names every VMA as maps does, and calls the bss bss, not heap.
 */
#define EH_ENV		"VMSCOPE_EMPTY_HEAP_SHAPE"
#define EH_BSS		(1 << 20)

char eh_bss[EH_BSS];

static void __attribute__((constructor(101))) empty_heap_shape(void)
{
	if (!getenv(EH_ENV))
		return;
	((volatile char *)eh_bss)[PAGE] = 1;
	if (write(STDOUT_FILENO, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

TEST(empty_heap_named_as_maps)
{
	struct vmscope_layout_vma v[64];
	struct vmscope_layout lo = {
		.size = sizeof(lo), .rec_size = sizeof(v[0]),
		.buf = (uintptr_t)v, .buf_count = 64,
	};
	char maps[VMSCOPE_NAME_LEN], c;
	int fd = vmscope_open_dev(), p[2], bss = -1;
	uint32_t i;
	pid_t pid;

	if (fd < 0 && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(p[1], STDOUT_FILENO);
		personality(ADDR_NO_RANDOMIZE);
		setenv(EH_ENV, "1", 1);
		execl("/proc/self/exe", "vmscope_vmaname_test", (char *)NULL);
		_exit(1);
	}
	ASSERT_EQ(1, read(p[0], &c, 1));
	lo.pid = pid;
	ASSERT_EQ(0, vmscope_ioctl(fd, VMSCOPE_IOC_LAYOUT, &lo));
	ASSERT_TRUE(lo.out_flags & VMSCOPE_LAYOUT_DONE);
	/* the shape: an empty heap, the bss VMA ending where it begins */
	ASSERT_EQ(lo.start_brk, lo.brk);
	for (i = 0; i < lo.count; i++) {
		ASSERT_EQ(0, maps_name(pid, v[i].vma.start, maps,
				       sizeof(maps), NULL));
		EXPECT_STREQ(maps, v[i].vma.name) TH_LOG("VMA at %llx",
			(unsigned long long)v[i].vma.start);
		EXPECT_NE(VMSCOPE_SEG_HEAP, v[i].segment);
		if (v[i].vma.end == lo.start_brk && !v[i].vma.ino)
			bss = i;
	}
	ASSERT_LE(0, bss);
	EXPECT_EQ(VMSCOPE_SEG_BSS, v[bss].segment);
	TH_LOG("bss %llx-%llx, named \"%s\" as maps names it",
	       (unsigned long long)v[bss].vma.start,
	       (unsigned long long)v[bss].vma.end, v[bss].vma.name);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fd);
}

TEST_HARNESS_MAIN
