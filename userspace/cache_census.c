// SPDX-License-Identifier: GPL-2.0
/*
 * The census behind `vmscope cache --top`: every superblock of every file
 * system type in /proc/filesystems and the block devices' (which it does
 * not list), in bounded VMSCOPE_IOC_CENSUS calls,
 * with the paths made whole from /proc/self/mountinfo and the block
 * devices named from /sys/dev/block.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cache.h"
#include "common.h"

#define CENSUS_BATCH	1024

/* The mount point of the root of the file system on @dev, or NULL. */
static char *mount_point(uint64_t dev)
{
	char line[4096], root[4096], mnt[4096];
	unsigned int ma, mi;
	char *found = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &ma, &mi, root,
			   mnt) == 4 && makedev(ma, mi) == dev &&
		    !strcmp(root, "/"))
			found = strdup(mnt);
	fclose(f);
	return found;
}

/* /dev/NAME of a block device, from its uevent file. */
static char *blockdev_name(uint64_t dev)
{
	char path[64], line[256], *name = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent",
		 major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!name && fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			if (asprintf(&name, "/dev/%s", line + 8) < 0)
				name = NULL;
		}
	fclose(f);
	return name;
}

static void census_add(struct cache_list *l, const struct vmscope_census_file *r,
		       const char *mnt, const char *fstype)
{
	struct cache_file f = { 0 };

	f.dev = r->dev;
	f.ino = r->ino;
	f.size_pages = r->size_pages;
	f.cached = r->cached_pages;
	f.dirty = r->dirty_pages;
	f.writeback = r->writeback_pages;
	f.blockdev = r->flags & VMSCOPE_CENSUS_BLOCKDEV;
	if (f.blockdev)
		f.path = blockdev_name(r->dev);
	else if (r->flags & VMSCOPE_CENSUS_NOPATH)
		f.path = NULL;
	else if (asprintf(&f.path, "%s%s%s%s", mnt ? "" : "[", mnt ? mnt : fstype,
			  mnt ? "" : "]",
			  mnt && !strcmp(mnt, "/") ? r->path + 1 : r->path) < 0)
		err(1, "asprintf");
	if (!f.path && !f.blockdev &&
	    asprintf(&f.path, "[%s inode %" PRIu64 "%s]", fstype, f.ino,
		     r->flags & VMSCOPE_CENSUS_UNLINKED ? ", deleted" : "") < 0)
		err(1, "asprintf");
	if (r->flags & VMSCOPE_CENSUS_UNLINKED && f.path && !f.blockdev) {
		char *p;

		if (asprintf(&p, "%s (deleted)", f.path) < 0)
			err(1, "asprintf");
		free(f.path);
		f.path = p;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			err(1, "realloc");
	}
	l->v[l->n++] = f;
}

/*
 * One superblock, batch by batch: superblock @index of @fstype, or with
 * @fd >= 0 the one @fd is open on.  Returns 1 when there is none.
 */
static int census_sb(int dev, const char *fstype, uint32_t index, int fd,
		     struct vmscope_census_file *buf, struct cache_list *l,
		     struct cache_census *c)
{
	struct vmscope_census req;
	char *mnt = NULL;
	uint64_t pos = 0;
	uint32_t i;

	do {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		if (fd >= 0) {
			req.flags = VMSCOPE_CENSUS_BY_FD;
			req.fd = fd;
		} else {
			snprintf(req.fstype, sizeof(req.fstype), "%s", fstype);
			req.sb_index = index;
		}
		req.pos = pos;
		req.buf = (uintptr_t)buf;
		req.buf_count = CENSUS_BATCH;
		if (ioctl(dev, VMSCOPE_IOC_CENSUS, &req)) {
			if (errno == ENODEV)	/* unregistered meanwhile */
				return 1;
			if (errno == EPERM)
				errx(1, "the census is root-only (CAP_SYS_ADMIN "
					"when /dev/vmscope was opened)");
			vmscope_ioctl_die("VMSCOPE_IOC_CENSUS");
		}
		if (req.out_flags & VMSCOPE_CENSUS_NO_SB)
			return 1;
		if (!pos && req.nr_records)
			mnt = mount_point(req.dev);
		c->visited += req.visited;
		for (i = 0; i < req.nr_records; i++)
			census_add(l, &buf[i], mnt, fstype);
		pos = req.pos;
	} while (!(req.out_flags & VMSCOPE_CENSUS_SB_DONE));
	free(mnt);
	c->superblocks++;
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const struct cache_file *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* An inode seen twice (the list moved between two calls) counts once. */
static void census_dedup(struct cache_list *l)
{
	size_t i, n = 0;

	qsort(l->v, l->n, sizeof(*l->v), by_inode);
	for (i = 0; i < l->n; i++) {
		if (n && !by_inode(&l->v[n - 1], &l->v[i]) &&
		    l->v[n - 1].blockdev == l->v[i].blockdev) {
			free(l->v[i].path);
			continue;
		}
		l->v[n++] = l->v[i];
	}
	l->n = n;
}

/*
 * Mounts of types /proc/filesystems does not list (the initramfs's
 * rootfs): walked through a descriptor open on their root.
 */
static void census_unlisted(int dev, const char *types,
			    struct vmscope_census_file *buf,
			    struct cache_list *l, struct cache_census *c)
{
	char line[4096], mnt[4096], fstype[256], key[260];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *dash;
	int fd;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*u %*u %*u:%*u %*s %4095s", mnt) != 1 ||
		    sscanf(dash, " - %255s", fstype) != 1)
			continue;
		snprintf(key, sizeof(key), "\n%s\n", fstype);
		if (strstr(types, key))
			continue;
		fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		census_sb(dev, fstype, 0, fd, buf, l, c);
		close(fd);
	}
	fclose(f);
}

/**
 * cache_census_run() - every inode with page cache, on every superblock
 * @dev: /dev/vmscope
 * @l: the files found are appended
 * @c: totals, and meminfo's Cached and Buffers read right after
 *
 * Return: 0; exits with a message on errors.
 */
int cache_census_run(int dev, struct cache_list *l, struct cache_census *c)
{
	struct vmscope_census_file *buf;
	struct vmscope_memory mem;
	char line[256], *name, types[8192] = "\n";
	uint32_t index;
	size_t i;
	FILE *f;

	memset(c, 0, sizeof(*c));
	buf = calloc(CENSUS_BATCH, sizeof(*buf));
	f = fopen("/proc/filesystems", "re");
	if (!buf || !f)
		err(1, "/proc/filesystems");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		name = strchr(line, '\t');
		if (!name || !*++name)
			continue;
		if (strlen(types) + strlen(name) + 2 < sizeof(types)) {
			strcat(types, name);
			strcat(types, "\n");
		}
		for (index = 0; !census_sb(dev, name, index, -1, buf, l, c);
		     index++)
			;
	}
	fclose(f);
	/* the block devices: mounted by the kernel, in no list of types */
	if (!strstr(types, "\n" VMSCOPE_CENSUS_BDEV "\n"))
		census_sb(dev, VMSCOPE_CENSUS_BDEV, 0, -1, buf, l, c);
	census_unlisted(dev, types, buf, l, c);
	free(buf);
	census_dedup(l);
	for (i = 0; i < l->n; i++)
		c->total_pages += l->v[i].cached;
	memset(&mem, 0, sizeof(mem));
	mem.size = sizeof(mem);
	vmscope_ioctl(dev, VMSCOPE_IOC_MEMORY, &mem, "VMSCOPE_IOC_MEMORY");
	c->meminfo_cached = mem.pages[VMSCOPE_MEM_CACHED];
	c->meminfo_buffers = mem.pages[VMSCOPE_MEM_BUFFERS];
	return 0;
}
