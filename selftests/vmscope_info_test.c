// SPDX-License-Identifier: GPL-2.0
/*
 * vmscope info: /dev/vmscope VMSCOPE_IOC_INFO and /proc/vmscope/info
 * against the kernel's own view (uname, sysconf, /proc/cpuinfo, and where
 * mmap() can and cannot place a mapping), its bad input and who may open it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmscope.h"

/* Architecture facts the test expects, independent of the module. */
#define TASK_SIZE_4LEVEL	0x7ffffffff000ULL
#define TASK_SIZE_5LEVEL	0xfffffffffff000ULL

FIXTURE(info)
{
	int fd;
	struct vmscope_info in;
};

FIXTURE_SETUP(info)
{
	self->fd = vmscope_open_dev();
	if (self->fd == -ENOENT && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	ASSERT_LE(0, self->fd);
	memset(&self->in, 0, sizeof(self->in));
	self->in.size = sizeof(self->in);
	ASSERT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, &self->in));
}

FIXTURE_TEARDOWN(info)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Does the first CPU's "flags" line in /proc/cpuinfo list la57? */
static bool cpu_has_la57(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	bool la57 = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		la57 = strstr(line, " la57 ") || strstr(line, " la57\n");
		break;
	}
	fclose(f);
	return la57;
}

/* Can a page be mapped at exactly @addr? */
static bool can_map_at(uint64_t addr)
{
	void *p = mmap((void *)addr, getpagesize(), PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, getpagesize());
	return p == (void *)addr;
}

TEST_F(info, levels_match_cpu_and_mmap)
{
	uint64_t high = 1ULL << 50;
	void *p;

	/* la57 in the CPU and a kernel built for it means 5 levels. */
	ASSERT_EQ(cpu_has_la57() ? 5U : 4U, self->in.levels);

	/* Only 5-level paging can map above 2^47 when asked to. */
	p = mmap((void *)high, getpagesize(), PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(self->in.levels == 5, (uint64_t)p >= (1ULL << 47));
	munmap(p, getpagesize());
	EXPECT_EQ(self->in.levels == 5 ? 57U : 48U, self->in.va_bits);
}

TEST_F(info, task_size_is_the_top_of_user_space)
{
	uint64_t page = getpagesize();

	ASSERT_EQ(self->in.levels == 5 ? TASK_SIZE_5LEVEL : TASK_SIZE_4LEVEL,
		  self->in.task_size);
	/* The last page below TASK_SIZE can be mapped, TASK_SIZE cannot. */
	EXPECT_TRUE(can_map_at(self->in.task_size - page));
	EXPECT_FALSE(can_map_at(self->in.task_size));
	EXPECT_EQ(TASK_SIZE_4LEVEL, self->in.mmap_window);
	EXPECT_EQ(~0ULL << (self->in.va_bits - 1), self->in.kernel_start);
}

TEST_F(info, page_size_and_release)
{
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, self->in.release);
	EXPECT_EQ((unsigned long)sysconf(_SC_PAGESIZE),
		  1UL << self->in.page_shift);
	EXPECT_EQ(512U, self->in.ptrs_per_table);
	EXPECT_EQ(VMSCOPE_ABI_VERSION, self->in.abi_version);
	EXPECT_EQ(sizeof(self->in), self->in.size);
}

TEST_F(info, kernel_layout_for_sys_admin)
{
	/* The test runs as root, so the KASLR bases are filled in. */
	ASSERT_TRUE(self->in.out_flags & VMSCOPE_INFO_KERNEL_LAYOUT);
	EXPECT_LE(self->in.kernel_start, self->in.page_offset);
	EXPECT_LE(self->in.kernel_start, self->in.vmalloc_start);
	EXPECT_LE(self->in.kernel_start, self->in.vmemmap_start);
	EXPECT_NE(self->in.page_offset, self->in.vmalloc_start);
}

/* /proc/vmscope/info says the same as the ioctl. */
TEST_F(info, proc_file_matches_ioctl)
{
	const char *path = VMSCOPE_PROC_DIR "/info";
	char val[128];

	ASSERT_EQ(0, read_key(path, "levels", val, sizeof(val)));
	EXPECT_EQ(self->in.levels, strtoul(val, NULL, 0));
	ASSERT_EQ(0, read_key(path, "page_size", val, sizeof(val)));
	EXPECT_EQ(1UL << self->in.page_shift, strtoul(val, NULL, 0));
	ASSERT_EQ(0, read_key(path, "task_size", val, sizeof(val)));
	EXPECT_EQ(self->in.task_size, strtoull(val, NULL, 0));
	ASSERT_EQ(0, read_key(path, "kernel_start", val, sizeof(val)));
	EXPECT_EQ(self->in.kernel_start, strtoull(val, NULL, 0));
	ASSERT_EQ(0, read_key(path, "page_offset", val, sizeof(val)));
	EXPECT_EQ(self->in.page_offset, strtoull(val, NULL, 0));
	ASSERT_EQ(0, read_key(path, "release", val, sizeof(val)));
	EXPECT_STREQ(self->in.release, val);
}

TEST_F(info, bad_sizes_flags_and_pointers)
{
	unsigned char big[8192];
	struct vmscope_info *bi = (struct vmscope_info *)big;
	struct vmscope_info in;

	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, &in));
	in.size = VMSCOPE_INFO_SIZE_VER1 - 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, &in));
	in.size = sizeof(in);
	in.flags = 1;
	EXPECT_EQ(-EINVAL, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, &in));

	/* A larger struct from a newer caller: zero tail accepted. */
	memset(big, 0, sizeof(big));
	bi->size = 256;
	EXPECT_EQ(0, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, bi));
	EXPECT_EQ(sizeof(in), bi->size);
	EXPECT_EQ(0, big[sizeof(in)]);
	big[200] = 1;
	bi->size = 256;
	EXPECT_EQ(-E2BIG, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, bi));
	big[200] = 0;
	bi->size = getpagesize() + 1;
	EXPECT_EQ(-E2BIG, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, bi));

	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO,
					 (void *)self->in.kernel_start));
	EXPECT_EQ(-ENOTTY, vmscope_ioctl(self->fd, _IO(VMSCOPE_IOC_MAGIC, 0x2f),
					 &in));
	EXPECT_EQ(-ENOTTY, vmscope_ioctl(self->fd, _IOR(VMSCOPE_IOC_MAGIC, 0x10,
							struct vmscope_info),
					 &in));
	/* the size field, not the size in the command, says what the
	 * caller knows: a structure can grow without the command changing
	 */
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	EXPECT_EQ(0, vmscope_ioctl(self->fd, _IOWR(VMSCOPE_IOC_MAGIC, 0x10,
						   char[200]), &in));
	EXPECT_EQ(self->in.levels, in.levels);
}

/* A pointer that runs off the end of the mapping into a PROT_NONE page. */
TEST_F(info, struct_straddles_a_guard_page)
{
	long page = getpagesize();
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vmscope_info *in;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));
	in = (struct vmscope_info *)(p + page - 64);
	in->size = sizeof(*in);
	EXPECT_EQ(-EFAULT, vmscope_ioctl(self->fd, VMSCOPE_IOC_INFO, in));
	munmap(p, 2 * page);
}

/* Run @fn in a child; return its exit status. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* uid 0 without CAP_SYS_ADMIN passes the file mode but not vmscope. */
static int open_without_sys_admin(void)
{
	if (drop_cap(CAP_SYS_ADMIN))
		return 10;
	if (vmscope_open_dev() != -EPERM)
		return 11;
	return open(VMSCOPE_PROC_DIR "/info", O_RDONLY) < 0 && errno == EPERM ?
	       0 : 12;
}

/* "root" in a new user namespace is not root for vmscope. */
static int open_in_user_namespace(void)
{
	int fd;

	if (unshare(CLONE_NEWUSER))
		return 4;
	fd = vmscope_open_dev();
	return fd == -EPERM || fd == -EACCES ? 0 : 13;
}

/* Rights are decided at open: an fd opened as root keeps them. */
static int keep_rights_after_drop(void)
{
	struct vmscope_info in = { .size = sizeof(in) };
	int fd = vmscope_open_dev();

	if (fd < 0 || drop_cap(CAP_SYS_ADMIN))
		return 14;
	if (vmscope_ioctl(fd, VMSCOPE_IOC_INFO, &in))
		return 15;
	return in.out_flags & VMSCOPE_INFO_KERNEL_LAYOUT ? 0 : 16;
}

TEST_F(info, open_needs_sys_admin)
{
	int ret;

	EXPECT_EQ(0, in_child(open_without_sys_admin));
	ret = in_child(open_in_user_namespace);
	if (ret == 4) {
		TH_LOG("user namespaces unavailable: not checked");
	} else {
		EXPECT_EQ(0, ret);
	}
	EXPECT_EQ(0, in_child(keep_rights_after_drop));
}

TEST(device_and_proc_modes)
{
	struct stat st;

	if (stat(VMSCOPE_DEVICE, &st) && !getenv("VMSCOPE_KO"))
		SKIP(return, "vmscope module not loaded");
	EXPECT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, stat(VMSCOPE_PROC_DIR "/info", &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
