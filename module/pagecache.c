// SPDX-License-Identifier: GPL-2.0
/*
 * The page cache as the kernel keeps it: per file, from the file's own
 * address_space (its xarray of folios, with the dirty and writeback marks
 * that filemap.c and page-writeback.c keep on it), and system-wide, by a
 * census of the inodes of every superblock of a file system type.
 *
 * The per-file count is filemap_cachestat()'s walk (mm/filemap.c), which
 * is not exported: an RCU walk of the xarray, a large folio counted as the
 * pages of it inside the range, shadow (value) entries skipped.  The
 * census visits sb->s_inodes the way fs/drop_caches.c does: skip inodes
 * being created or freed, take a reference, drop the list lock while
 * working on one, keep the reference until the next one is held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vmscope.h"

/* pages counted between copies of the residency map to user space */
#define VMSCOPE_CACHE_WINDOW	(PAGE_SIZE * BITS_PER_BYTE)

/**
 * struct vmscope_cache_count - pages of a range of an address_space
 * @cached: folios' pages in the range
 * @dirty: of those, in folios marked dirty
 * @writeback: of those, in folios marked for writeback
 */
struct vmscope_cache_count {
	u64 cached;
	u64 dirty;
	u64 writeback;
};

/*
 * Count the folios of @mapping in [@first, @last], as filemap_cachestat()
 * does, and set bit (index - @first) of @map (if any) for each cached page.
 */
static void vmscope_cache_range(struct address_space *mapping, pgoff_t first,
				pgoff_t last, unsigned long *map,
				struct vmscope_cache_count *c)
{
	unsigned int shift = vmscope_cache_index_shift(mapping->host);
	XA_STATE(xas, &mapping->i_pages, first >> shift);
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, last >> shift) {
		unsigned long lo, hi, nr;
		int order;

		if (xas_retry(&xas, entry))
			continue;
		/* a shadow of an evicted folio, or a shmem swap entry */
		if (xa_is_value(entry))
			goto resched;
		order = xa_get_order(xas.xa, xas.xa_index);
		lo = round_down(xas.xa_index, 1UL << order) << shift;
		hi = lo + (1UL << (order + shift)) - 1;
		lo = max_t(unsigned long, lo, first);
		hi = min_t(unsigned long, hi, last);
		nr = hi - lo + 1;
		c->cached += nr;
		if (xas_get_mark(&xas, PAGECACHE_TAG_DIRTY))
			c->dirty += nr;
		if (xas_get_mark(&xas, PAGECACHE_TAG_WRITEBACK))
			c->writeback += nr;
		if (map)
			bitmap_set(map, lo - first, nr);
resched:
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

/* The pages of the folios of @mapping that carry @mark. */
static u64 vmscope_cache_marked(struct address_space *mapping, xa_mark_t mark)
{
	unsigned int shift = vmscope_cache_index_shift(mapping->host);
	XA_STATE(xas, &mapping->i_pages, 0);
	void *entry;
	u64 n = 0;

	rcu_read_lock();
	xas_for_each_marked(&xas, entry, ULONG_MAX, mark) {
		if (xas_retry(&xas, entry) || xa_is_value(entry))
			continue;
		n += 1UL << (xa_get_order(xas.xa, xas.xa_index) + shift);
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return n;
}

/*
 * The address_space whose pages the file caches: a regular file's own, or
 * for a block device the device's (what /proc/meminfo counts as Buffers).
 * A regular file opened through overlayfs caches nothing of its own: its
 * pages are the real (upper or lower) file's, which the open file pins,
 * and which mincore() of a mapping of it sees.
 */
static int vmscope_file_mapping(struct file *file,
				struct address_space **mapping,
				u32 *out_flags)
{
	umode_t mode = file_inode(file)->i_mode;

	if (S_ISBLK(mode)) {
		*out_flags |= VMSCOPE_FILECACHE_BLOCKDEV;
		*mapping = file->f_mapping;
		return 0;
	}
	if (!S_ISREG(mode))
		return -EINVAL;
	*mapping = d_real_inode(file->f_path.dentry)->i_mapping;
	return 0;
}

/* One window of the count: at most VMSCOPE_CACHE_WINDOW pages. */
static int vmscope_filecache_window(struct address_space *mapping,
				    struct vmscope_filecache *fc,
				    pgoff_t first, pgoff_t nr,
				    unsigned long *map)
{
	struct vmscope_cache_count c = {};
	void __user *umap;

	if (map)
		bitmap_zero(map, VMSCOPE_CACHE_WINDOW);
	vmscope_cache_range(mapping, first, first + nr - 1, map, &c);
	fc->cached_pages += c.cached;
	fc->dirty_pages += c.dirty;
	fc->writeback_pages += c.writeback;
	if (!map)
		return 0;
	/* windows start at multiples of VMSCOPE_CACHE_WINDOW from @start */
	umap = u64_to_user_ptr(fc->map + (first - fc->start) / BITS_PER_BYTE);
	if (copy_to_user(umap, map, DIV_ROUND_UP(nr, BITS_PER_BYTE)))
		return -EFAULT;
	return 0;
}

static int vmscope_filecache_count(struct address_space *mapping,
				   struct vmscope_filecache *fc)
{
	unsigned long *map = NULL;
	pgoff_t pos = fc->start, end = fc->end, nr;
	u64 limit = VMSCOPE_FILECACHE_MAX_PAGES;
	int err = 0;

	if (fc->map) {
		limit = min_t(u64, limit, (u64)fc->map_bytes * BITS_PER_BYTE);
		map = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
		if (!map)
			return -ENOMEM;
	}
	end = min_t(u64, end, fc->start + limit);
	while (pos < end) {
		nr = min_t(pgoff_t, end - pos, VMSCOPE_CACHE_WINDOW);
		err = vmscope_filecache_window(mapping, fc, pos, nr, map);
		if (err)
			break;
		pos += nr;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	fc->next = pos;
	if (pos >= fc->end)
		fc->out_flags |= VMSCOPE_FILECACHE_DONE;
	kfree(map);
	return err;
}

/*
 * Whether the opener of /dev/vmscope may see which pages of @file are
 * cached.  The kernel's cachestat(2) and mincore(2) tell it only for a
 * file the caller opened for writing, owns, or could open for writing
 * (can_do_cachestat(), can_do_mincore(): a file readable by all is not
 * enough, the page cache of a shared library or of another user's file
 * being a side channel, CVE-2019-5489).  The same rule, with the opener's
 * credentials: the open of /dev/vmscope decides, as for everything else.
 */
static bool vmscope_may_see_cache(const struct vmscope_access *acc,
				  struct file *file)
{
	const struct cred *old;
	bool ok;

	if (acc->sys_admin || (file->f_mode & FMODE_WRITE))
		return true;
	old = override_creds(acc->cred);
	ok = file_owner_or_capable(file) ||
	     file_permission(file, MAY_WRITE) == 0;
	revert_creds(old);
	return ok;
}

/**
 * vmscope_filecache() - count the page cache of a file the caller opened
 * @acc: the open /dev/vmscope file; without CAP_SYS_ADMIN its opener may
 *	see the page cache of a file it opened for writing, owns or could
 *	open for writing, as cachestat(2) allows
 * @fc: the request; see struct vmscope_filecache
 *
 * Context: process context, no locks held; sleeps.
 * Return: 0, -EINVAL for a map without bytes or a file that is neither
 * regular nor a block device (flags and the reserved field are checked
 * by the dispatcher), -EBADF for a descriptor that is not open, -EPERM
 * for a file whose page cache the opener may not see, -EFAULT for a bad
 * map, -ENOMEM, -EINTR on a fatal signal (the fields say how far the
 * count got).
 */
int vmscope_filecache(const struct vmscope_access *acc,
		      struct vmscope_filecache *fc)
{
	struct address_space *mapping;
	struct file *file;
	u64 size_pages;
	int err;

	if (fc->map && !fc->map_bytes)
		return -EINVAL;
	file = fget(fc->fd);
	if (!file)
		return -EBADF;
	/* the type first: fstat() tells it to anyone, the cache is not */
	err = vmscope_file_mapping(file, &mapping, &fc->out_flags);
	if (err)
		goto out_put;
	if (!vmscope_may_see_cache(acc, file)) {
		err = -EPERM;
		goto out_put;
	}
	size_pages = DIV_ROUND_UP_ULL(i_size_read(mapping->host), PAGE_SIZE);
	fc->size_pages = size_pages;
	if (!fc->end || fc->end > size_pages)
		fc->end = size_pages;
	if (fc->start >= fc->end) {
		fc->next = fc->start;
		fc->out_flags |= VMSCOPE_FILECACHE_DONE;
		goto out_put;
	}
	err = vmscope_filecache_count(mapping, fc);
out_put:
	fput(file);
	return err;
}

/* The path of @inode from its file system's root, or flags saying why not. */
static void vmscope_census_path(struct inode *inode,
				struct vmscope_census_file *rec, char *scratch)
{
	struct dentry *dentry = d_find_any_alias(inode);
	char *path;

	if (!dentry) {
		rec->flags |= VMSCOPE_CENSUS_NOPATH;
		return;
	}
	if (d_unhashed(dentry) && !IS_ROOT(dentry))
		rec->flags |= VMSCOPE_CENSUS_UNLINKED;
	path = dentry_path_raw(dentry, scratch, PATH_MAX);
	if (IS_ERR(path))
		rec->flags |= VMSCOPE_CENSUS_NOPATH;
	else
		strscpy(rec->path, path, sizeof(rec->path));
	dput(dentry);
}

/* Describe one inode the census holds a reference to. */
static void vmscope_census_inode(struct inode *inode, bool bdev,
				 struct vmscope_census_file *rec,
				 char *scratch)
{
	struct address_space *mapping = inode->i_mapping;

	memset(rec, 0, sizeof(*rec));
	rec->ino = inode->i_ino;
	rec->size_pages = DIV_ROUND_UP_ULL(i_size_read(inode), PAGE_SIZE);
	rec->cached_pages = (u64)READ_ONCE(mapping->nrpages) <<
			    vmscope_cache_index_shift(inode);
	rec->dirty_pages = vmscope_cache_marked(mapping, PAGECACHE_TAG_DIRTY);
	rec->writeback_pages =
		vmscope_cache_marked(mapping, PAGECACHE_TAG_WRITEBACK);
	if (bdev) {
		rec->flags = VMSCOPE_CENSUS_BLOCKDEV | VMSCOPE_CENSUS_NOPATH;
		rec->dev = new_encode_dev(inode->i_rdev);
		return;
	}
	rec->dev = new_encode_dev(inode->i_sb->s_dev);
	vmscope_census_path(inode, rec, scratch);
}

/**
 * struct vmscope_census_ctx - one call of the census
 * @req: the request
 * @recs: the records found (copied to user space after the walk)
 * @nr: records in @recs
 * @max: capacity of @recs
 * @seen: superblocks of the type seen so far
 * @found: superblock @req->sb_index was found
 * @scratch: PATH_MAX bytes for dentry_path_raw()
 */
struct vmscope_census_ctx {
	struct vmscope_census *req;
	struct vmscope_census_file *recs;
	u32 nr;
	u32 max;
	u32 seen;
	bool found;
	char *scratch;
};

/* Whether the walk must stop before the inode at list position @pos. */
static bool vmscope_census_full(struct vmscope_census_ctx *ctx, u64 pos)
{
	return ctx->nr >= ctx->max ||
	       pos - ctx->req->pos >= VMSCOPE_CENSUS_MAX_VISIT;
}

/*
 * Skipping to the resume position, let others have the inode list lock
 * after this many entries: a late call of a census of a large file system
 * skips a long way.
 */
#define VMSCOPE_CENSUS_SKIP_BATCH	1024

/*
 * Drop the inode list lock of @sb at @inode, pinned so that the walk can
 * go on from it (as drop_pagecache_sb() does), put the inode pinned before
 * (*@toput), reschedule and take the lock again.  False, the lock kept,
 * if @inode is in transition and cannot be pinned.
 */
static bool vmscope_census_pause(struct super_block *sb, struct inode *inode,
				 struct inode **toput)
{
	spin_lock(&inode->i_lock);
	if (inode_state_read(inode) & (I_FREEING | I_WILL_FREE | I_NEW)) {
		spin_unlock(&inode->i_lock);
		return false;
	}
	__iget(inode);
	spin_unlock(&inode->i_lock);
	spin_unlock(&sb->s_inode_list_lock);
	iput(*toput);
	*toput = inode;
	cond_resched();
	spin_lock(&sb->s_inode_list_lock);
	return true;
}

/*
 * Visit the inodes of @sb from list position @ctx->req->pos on, with
 * sb->s_umount held shared, which keeps the superblock alive; an unmount
 * waits for the end of this bounded batch.
 */
static void vmscope_census_walk(struct super_block *sb,
				struct vmscope_census_ctx *ctx)
{
	struct vmscope_census *req = ctx->req;
	struct inode *inode, *toput_inode = NULL;
	bool bdev = sb == blockdev_superblock;
	bool stopped = false;
	u32 skipped = 0;
	u64 pos = 0;

	ctx->found = true;
	req->dev = new_encode_dev(sb->s_dev);

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (pos < req->pos) {
			pos++;
			if (++skipped >= VMSCOPE_CENSUS_SKIP_BATCH &&
			    vmscope_census_pause(sb, inode, &toput_inode))
				skipped = 0;
			continue;
		}
		if (vmscope_census_full(ctx, pos)) {
			stopped = true;
			break;
		}
		pos++;
		spin_lock(&inode->i_lock);
		/* as drop_pagecache_sb(): skip inodes in transition */
		if ((inode_state_read(inode) & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    (mapping_empty(inode->i_mapping) && !need_resched())) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		if (!mapping_empty(inode->i_mapping))
			vmscope_census_inode(inode, bdev, &ctx->recs[ctx->nr++],
					     ctx->scratch);
		iput(toput_inode);
		toput_inode = inode;

		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(toput_inode);

	/* a position past the end of the list visits nothing */
	req->visited = pos > req->pos ? pos - req->pos : 0;
	req->pos = pos;
	if (!stopped)
		req->out_flags |= VMSCOPE_CENSUS_SB_DONE;
}

/* iterate_supers_type() calls this with sb->s_umount held shared. */
static void vmscope_census_sb(struct super_block *sb, void *arg)
{
	struct vmscope_census_ctx *ctx = arg;

	if (ctx->seen++ == ctx->req->sb_index)
		vmscope_census_walk(sb, ctx);
}

/*
 * The block devices' superblock (Buffers): the kernel mounts "bdev" with
 * kern_mount() but never registers the type, so get_fs_type() does not
 * find it.  It lives as long as the kernel; s_umount is taken shared as
 * iterate_supers_type() takes it.
 */
static void vmscope_census_bdev(struct vmscope_census_ctx *ctx)
{
	struct super_block *sb = blockdev_superblock;

	if (ctx->req->sb_index)
		return;
	down_read(&sb->s_umount);
	vmscope_census_walk(sb, ctx);
	up_read(&sb->s_umount);
}

/* Superblock @sb_index of the file system type @fstype. */
static int vmscope_census_type(struct vmscope_census_ctx *ctx)
{
	struct file_system_type *type;

	if (!strcmp(ctx->req->fstype, VMSCOPE_CENSUS_BDEV)) {
		vmscope_census_bdev(ctx);
		return 0;
	}
	type = get_fs_type(ctx->req->fstype);
	if (!type)
		return -ENODEV;
	iterate_supers_type(type, vmscope_census_sb, ctx);
	module_put(type->owner);	/* put_filesystem(), not exported */
	return 0;
}

/*
 * The superblock of an open file: its mount, held by the file, keeps it
 * active; s_umount is taken as iterate_supers_type() takes it.
 */
static int vmscope_census_fd(struct vmscope_census_ctx *ctx)
{
	struct super_block *sb;
	struct file *file;

	if (ctx->req->sb_index || ctx->req->fstype[0])
		return -EINVAL;
	file = fget(ctx->req->fd);
	if (!file)
		return -EBADF;
	sb = file_inode(file)->i_sb;
	down_read(&sb->s_umount);
	vmscope_census_walk(sb, ctx);
	up_read(&sb->s_umount);
	fput(file);
	return 0;
}

/* Walk the superblock asked for and copy the records out. */
static int vmscope_census_run(struct vmscope_census_ctx *ctx)
{
	struct vmscope_census *req = ctx->req;
	int err;

	if (req->flags & VMSCOPE_CENSUS_BY_FD)
		err = vmscope_census_fd(ctx);
	else
		err = vmscope_census_type(ctx);
	if (err)
		return err;
	if (!ctx->found) {
		req->out_flags |= VMSCOPE_CENSUS_NO_SB;
		return 0;
	}
	req->nr_records = ctx->nr;
	if (copy_to_user(u64_to_user_ptr(req->buf), ctx->recs,
			 array_size(ctx->nr, sizeof(*ctx->recs))))
		return -EFAULT;
	return 0;
}

/**
 * vmscope_census() - the inodes with page cache on one superblock
 * @acc: the open /dev/vmscope file; only CAP_SYS_ADMIN openers may ask
 * @req: the request; see struct vmscope_census
 *
 * One call visits at most VMSCOPE_CENSUS_MAX_VISIT inodes of the
 * superblock's list and returns at most @req->buf_count records; the
 * caller resumes from @req->pos.  The position is a count of the list's
 * entries, so inodes created or evicted between two calls may shift it:
 * a census of a changing file system may see an inode twice (the CLI
 * drops duplicates) or miss one.  Inodes being created or freed are not
 * seen, nor are pages that belong to no inode's mapping (anonymous
 * memory, the swap cache).
 *
 * Context: process context, no locks held; takes each superblock's
 * s_umount shared (through iterate_supers_type()) and its inode list lock
 * briefly.  Sleeps.
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -EINVAL for a count out of
 * range, an unterminated or missing @fstype or one given with
 * VMSCOPE_CENSUS_BY_FD, -ENODEV for an unknown file system type, -EBADF
 * for a descriptor that is not open, -ENOMEM, -EFAULT.
 */
int vmscope_census(const struct vmscope_access *acc,
		   struct vmscope_census *req)
{
	struct vmscope_census_ctx ctx = { .req = req };
	int err;

	BUILD_BUG_ON(sizeof(struct vmscope_census_file) != 312);
	if (!acc->sys_admin)
		return -EPERM;
	if (!req->buf_count || req->buf_count > VMSCOPE_CENSUS_MAX_RECORDS ||
	    !memchr(req->fstype, 0, sizeof(req->fstype)) ||
	    (!req->fstype[0] && !(req->flags & VMSCOPE_CENSUS_BY_FD)))
		return -EINVAL;
	ctx.max = req->buf_count;
	ctx.recs = kvcalloc(ctx.max, sizeof(*ctx.recs), GFP_KERNEL_ACCOUNT);
	ctx.scratch = kmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (ctx.recs && ctx.scratch)
		err = vmscope_census_run(&ctx);
	kfree(ctx.scratch);
	kvfree(ctx.recs);
	return err;
}
