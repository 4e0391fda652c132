// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmscope: the binary, versioned ioctl interface over the vmscope core.
 *
 * Every ioctl argument starts with a __u32 size.  The argument is read with
 * copy_struct_from_user(), so older and newer callers both work, and at most
 * min(size, sizeof(struct)) bytes are written back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmscope.h"

/**
 * struct vmscope_field - one input field of an ioctl argument
 * @off: its offset in the structure
 * @len: its size
 */
struct vmscope_field {
	u16 off;
	u16 len;
};

/* (member... : one member, named variadic so that it may appear twice) */
#define VMSCOPE_IN(type, member...) \
	{ offsetof(type, member), sizeof_field(type, member) }
#define VMSCOPE_NO_RESERVED	0

/**
 * struct vmscope_ioctl - one ioctl: its contract and its core operation
 * @cmd: VMSCOPE_IOC_*
 * @ksize: size of the argument structure this module knows
 * @minsize: its first published size, *_SIZE_VER1
 * @valid_flags: the request's *_VALID_FLAGS (the flags field follows size)
 * @reserved: offset of its __u32 __reserved field that must be zero, or
 *	VMSCOPE_NO_RESERVED
 * @in: the fields the caller fills in besides size and flags; they are
 *	kept, every other byte of the argument is zeroed before @op runs
 * @nr_in: entries of @in
 * @op: the operation; the argument holds the caller's input, is
 *	overwritten with the output, and is copied back even on error (so
 *	a bulk walk reports how far it got)
 */
struct vmscope_ioctl {
	unsigned int cmd;
	u32 ksize;
	u32 minsize;
	u32 valid_flags;
	u32 reserved;
	const struct vmscope_field *in;
	unsigned int nr_in;
	int (*op)(const struct vmscope_access *acc, void *karg);
};

/* The first two fields of every argument. */
struct vmscope_arg_head {
	u32 size;
	u32 flags;
};

/*
 * Read a size-prefixed argument into @karg (ksize bytes), check its flags
 * and reserved field, keep its inputs and zero the rest.  Returns 0,
 * -EFAULT, -EINVAL for a size below the first published one, for unknown
 * flags or a non-zero reserved field, -E2BIG for a size above PAGE_SIZE or
 * non-zero bytes beyond ksize.
 */
static int vmscope_arg_in(const struct vmscope_ioctl *ioc, void *karg,
			  void *in, const void __user *uarg, u32 *usize)
{
	struct vmscope_arg_head *head = in;
	unsigned int i;
	u32 size;
	int err;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < ioc->minsize)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	err = copy_struct_from_user(in, ioc->ksize, uarg, size);
	if (err)
		return err;
	if (head->flags & ~ioc->valid_flags)
		return -EINVAL;
	if (ioc->reserved && *(u32 *)(in + ioc->reserved))
		return -EINVAL;
	memset(karg, 0, ioc->ksize);
	memcpy(karg, in, sizeof(*head));
	for (i = 0; i < ioc->nr_in; i++)
		memcpy(karg + ioc->in[i].off, in + ioc->in[i].off,
		       ioc->in[i].len);
	return 0;
}

static int vmscope_op_info(const struct vmscope_access *acc, void *karg)
{
	vmscope_info_fill(karg, acc);
	return 0;
}

static int vmscope_op_translate(const struct vmscope_access *acc, void *karg)
{
	return vmscope_translate(acc, karg);
}

static int vmscope_op_walk(const struct vmscope_access *acc, void *karg)
{
	return vmscope_walk_pages(acc, karg);
}

static int vmscope_op_ptstats(const struct vmscope_access *acc, void *karg)
{
	return vmscope_ptstats(acc, karg);
}

static int vmscope_op_layout(const struct vmscope_access *acc, void *karg)
{
	return vmscope_layout(acc, karg);
}

static int vmscope_op_faults(const struct vmscope_access *acc, void *karg)
{
	return vmscope_faults(acc, karg);
}

static int vmscope_op_oom(const struct vmscope_access *acc, void *karg)
{
	return vmscope_oom(acc, karg);
}

static int vmscope_op_reclaim(const struct vmscope_access *acc, void *karg)
{
	return vmscope_reclaim(acc, karg);
}

static int vmscope_op_faultlog(const struct vmscope_access *acc, void *karg)
{
	return vmscope_faultlog(acc, karg);
}

static int vmscope_op_frames_set(const struct vmscope_access *acc,
				 void *karg)
{
	return vmscope_frames_set(acc, karg);
}

static int vmscope_op_frames_stat(const struct vmscope_access *acc,
				  void *karg)
{
	return vmscope_frames_stat(acc, karg);
}

static int vmscope_op_filecache(const struct vmscope_access *acc, void *karg)
{
	return vmscope_filecache(acc, karg);
}

static int vmscope_op_census(const struct vmscope_access *acc, void *karg)
{
	return vmscope_census(acc, karg);
}

static int vmscope_op_memory(const struct vmscope_access *acc, void *karg)
{
	return vmscope_memory(acc, karg);
}

static int vmscope_op_wss_start(const struct vmscope_access *acc, void *karg)
{
	return vmscope_wss_start(acc, karg);
}

static int vmscope_op_wss_read(const struct vmscope_access *acc, void *karg)
{
	return vmscope_wss_read(acc, karg);
}

static int vmscope_op_wss_ctl(const struct vmscope_access *acc, void *karg)
{
	return vmscope_wss_ctl(acc, karg);
}

/* The inputs of each request, besides size and flags. */
static const struct vmscope_field vmscope_info_in[] = {
	VMSCOPE_IN(struct vmscope_info, flags),		/* nothing else */
};

static const struct vmscope_field vmscope_translate_in[] = {
	VMSCOPE_IN(struct vmscope_translate, pid),
	VMSCOPE_IN(struct vmscope_translate, vaddr),
};

static const struct vmscope_field vmscope_walk_in[] = {
	VMSCOPE_IN(struct vmscope_walk, pid),
	VMSCOPE_IN(struct vmscope_walk, rec_size),
	VMSCOPE_IN(struct vmscope_walk, start),
	VMSCOPE_IN(struct vmscope_walk, end),
	VMSCOPE_IN(struct vmscope_walk, buf),
	VMSCOPE_IN(struct vmscope_walk, buf_count),
};

static const struct vmscope_field vmscope_ptstats_in[] = {
	VMSCOPE_IN(struct vmscope_ptstats, pid),
};

static const struct vmscope_field vmscope_layout_in[] = {
	VMSCOPE_IN(struct vmscope_layout, pid),
	VMSCOPE_IN(struct vmscope_layout, rec_size),
	VMSCOPE_IN(struct vmscope_layout, start),
	VMSCOPE_IN(struct vmscope_layout, buf),
	VMSCOPE_IN(struct vmscope_layout, buf_count),
};

static const struct vmscope_field vmscope_faults_in[] = {
	VMSCOPE_IN(struct vmscope_faults, pid),
	VMSCOPE_IN(struct vmscope_faults, buf),
	VMSCOPE_IN(struct vmscope_faults, buf_count),
};

static const struct vmscope_field vmscope_oom_in[] = {
	VMSCOPE_IN(struct vmscope_oom, swap_total),
	VMSCOPE_IN(struct vmscope_oom, buf),
	VMSCOPE_IN(struct vmscope_oom, buf_count),
};

static const struct vmscope_field vmscope_reclaim_in[] = {
	VMSCOPE_IN(struct vmscope_reclaim, pid),
	VMSCOPE_IN(struct vmscope_reclaim, stats),
	VMSCOPE_IN(struct vmscope_reclaim, stats_count),
	VMSCOPE_IN(struct vmscope_reclaim, zones),
	VMSCOPE_IN(struct vmscope_reclaim, zones_count),
	VMSCOPE_IN(struct vmscope_reclaim, nodes),
	VMSCOPE_IN(struct vmscope_reclaim, nodes_count),
};

static const struct vmscope_field vmscope_faultlog_in[] = {
	VMSCOPE_IN(struct vmscope_faultlog, buf),
	VMSCOPE_IN(struct vmscope_faultlog, buf_count),
};

static const struct vmscope_field vmscope_frames_set_in[] = {
	VMSCOPE_IN(struct vmscope_frames_set, frames),
	VMSCOPE_IN(struct vmscope_frames_set, policy),
};

static const struct vmscope_field vmscope_frames_stat_in[] = {
	VMSCOPE_IN(struct vmscope_frames_stat, flags),	/* nothing else */
};

static const struct vmscope_field vmscope_filecache_in[] = {
	VMSCOPE_IN(struct vmscope_filecache, fd),
	VMSCOPE_IN(struct vmscope_filecache, start),
	VMSCOPE_IN(struct vmscope_filecache, end),
	VMSCOPE_IN(struct vmscope_filecache, map),
	VMSCOPE_IN(struct vmscope_filecache, map_bytes),
};

static const struct vmscope_field vmscope_census_in[] = {
	VMSCOPE_IN(struct vmscope_census, fstype),
	VMSCOPE_IN(struct vmscope_census, sb_index),
	VMSCOPE_IN(struct vmscope_census, pos),
	VMSCOPE_IN(struct vmscope_census, buf),
	VMSCOPE_IN(struct vmscope_census, buf_count),
	VMSCOPE_IN(struct vmscope_census, fd),
};

static const struct vmscope_field vmscope_memory_in[] = {
	VMSCOPE_IN(struct vmscope_memory, flags),	/* nothing else */
};

static const struct vmscope_field vmscope_wss_start_in[] = {
	VMSCOPE_IN(struct vmscope_wss_start, pid),
	VMSCOPE_IN(struct vmscope_wss_start, interval_ms),
	VMSCOPE_IN(struct vmscope_wss_start, start),
	VMSCOPE_IN(struct vmscope_wss_start, end),
	VMSCOPE_IN(struct vmscope_wss_start, count),
	VMSCOPE_IN(struct vmscope_wss_start, max_records),
};

static const struct vmscope_field vmscope_wss_read_in[] = {
	VMSCOPE_IN(struct vmscope_wss_read, buf),
	VMSCOPE_IN(struct vmscope_wss_read, buf_count),
	VMSCOPE_IN(struct vmscope_wss_read, rec_size),
};

static const struct vmscope_field vmscope_wss_ctl_in[] = {
	VMSCOPE_IN(struct vmscope_wss_ctl, op),
};

/*
 * One entry per ioctl: VMSCOPE_IOCTL(NAME, name, struct, offset of its
 * reserved field or VMSCOPE_NO_RESERVED), with VMSCOPE_IOC_NAME,
 * VMSCOPE_NAME_SIZE_VER1, VMSCOPE_NAME_VALID_FLAGS, vmscope_name_in[] and
 * vmscope_op_name().  Every argument is pinned below to its first
 * published size and to "size, flags" at its head.
 */
#define VMSCOPE_IOCTL(NAME, name, type, rsv)				\
	{								\
		.cmd = VMSCOPE_IOC_##NAME,				\
		.ksize = sizeof(type),					\
		.minsize = VMSCOPE_##NAME##_SIZE_VER1,			\
		.valid_flags = VMSCOPE_##NAME##_VALID_FLAGS,		\
		.reserved = rsv,					\
		.in = vmscope_##name##_in,				\
		.nr_in = ARRAY_SIZE(vmscope_##name##_in),		\
		.op = vmscope_op_##name,				\
	}

#define VMSCOPE_RSV(type)	offsetof(type, __reserved)

static const struct vmscope_ioctl vmscope_ioctls[] = {
	VMSCOPE_IOCTL(INFO, info, struct vmscope_info, VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(TRANSLATE, translate, struct vmscope_translate,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(WALK, walk, struct vmscope_walk,
		      VMSCOPE_RSV(struct vmscope_walk)),
	VMSCOPE_IOCTL(PTSTATS, ptstats, struct vmscope_ptstats,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(LAYOUT, layout, struct vmscope_layout,
		      VMSCOPE_RSV(struct vmscope_layout)),
	VMSCOPE_IOCTL(FAULTS, faults, struct vmscope_faults,
		      VMSCOPE_RSV(struct vmscope_faults)),
	VMSCOPE_IOCTL(OOM, oom, struct vmscope_oom, VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(RECLAIM, reclaim, struct vmscope_reclaim,
		      VMSCOPE_RSV(struct vmscope_reclaim)),
	VMSCOPE_IOCTL(FAULTLOG, faultlog, struct vmscope_faultlog,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(WSS_START, wss_start, struct vmscope_wss_start,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(WSS_READ, wss_read, struct vmscope_wss_read,
		      VMSCOPE_RSV(struct vmscope_wss_read)),
	VMSCOPE_IOCTL(WSS_CTL, wss_ctl, struct vmscope_wss_ctl,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(FRAMES_SET, frames_set, struct vmscope_frames_set,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(FRAMES_STAT, frames_stat, struct vmscope_frames_stat,
		      VMSCOPE_NO_RESERVED),
	VMSCOPE_IOCTL(FILECACHE, filecache, struct vmscope_filecache,
		      VMSCOPE_RSV(struct vmscope_filecache)),
	VMSCOPE_IOCTL(CENSUS, census, struct vmscope_census,
		      VMSCOPE_RSV(struct vmscope_census)),
	VMSCOPE_IOCTL(MEMORY, memory, struct vmscope_memory,
		      VMSCOPE_NO_RESERVED),
};

/* Every *_SIZE_VER1 is the end of the structure's last field. */
#define VMSCOPE_PIN(type, last, ver1)					\
	static_assert(offsetofend(type, last) == (ver1))
#define VMSCOPE_PIN_HEAD(type)						\
	static_assert(offsetof(type, size) == 0 &&			\
		      offsetof(type, flags) == sizeof(u32) &&		\
		      sizeof(type) % sizeof(u64) == 0)

VMSCOPE_PIN(struct vmscope_info, release, VMSCOPE_INFO_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_translate, vma, VMSCOPE_TRANSLATE_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_page, level, VMSCOPE_PAGE_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_walk, __reserved, VMSCOPE_WALK_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_ptstats, pgtables_bytes,
	    VMSCOPE_PTSTATS_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_layout_vma, huge, VMSCOPE_LAYOUT_VMA_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_layout, nr_threads, VMSCOPE_LAYOUT_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_faults, __reserved, VMSCOPE_FAULTS_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_oom, nr_tasks, VMSCOPE_OOM_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_reclaim, memcg, VMSCOPE_RECLAIM_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_faultlog, pages, VMSCOPE_FAULTLOG_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_filecache, next, VMSCOPE_FILECACHE_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_census, __reserved, VMSCOPE_CENSUS_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_memory, pages, VMSCOPE_MEMORY_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_wss_start, max_records,
	    VMSCOPE_WSS_START_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_wss_read, hold_ns_max, VMSCOPE_WSS_READ_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_wss_rec, rss, VMSCOPE_WSS_REC_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_wss_ctl, status, VMSCOPE_WSS_CTL_SIZE_VER1);
VMSCOPE_PIN_HEAD(struct vmscope_info);
VMSCOPE_PIN_HEAD(struct vmscope_translate);
VMSCOPE_PIN_HEAD(struct vmscope_walk);
VMSCOPE_PIN_HEAD(struct vmscope_ptstats);
VMSCOPE_PIN_HEAD(struct vmscope_layout);
VMSCOPE_PIN_HEAD(struct vmscope_faults);
VMSCOPE_PIN_HEAD(struct vmscope_oom);
VMSCOPE_PIN_HEAD(struct vmscope_reclaim);
VMSCOPE_PIN_HEAD(struct vmscope_faultlog);
VMSCOPE_PIN(struct vmscope_frames_set, policy, VMSCOPE_FRAMES_SET_SIZE_VER1);
VMSCOPE_PIN(struct vmscope_frames_stat, tlb_flushes,
	    VMSCOPE_FRAMES_STAT_SIZE_VER1);
VMSCOPE_PIN_HEAD(struct vmscope_frames_set);
VMSCOPE_PIN_HEAD(struct vmscope_frames_stat);
VMSCOPE_PIN_HEAD(struct vmscope_filecache);
VMSCOPE_PIN_HEAD(struct vmscope_census);
VMSCOPE_PIN_HEAD(struct vmscope_memory);
VMSCOPE_PIN_HEAD(struct vmscope_wss_start);
VMSCOPE_PIN_HEAD(struct vmscope_wss_read);
VMSCOPE_PIN_HEAD(struct vmscope_wss_ctl);

static long vmscope_do_ioctl(const struct vmscope_access *acc,
			     const struct vmscope_ioctl *ioc,
			     void __user *uarg)
{
	void *karg;
	u32 usize;
	int err;

	/*
	 * Two copies (sizes are multiples of 8): what the operation sees and
	 * fills, then the caller's input as it came.
	 */
	karg = kcalloc(2, ioc->ksize, GFP_KERNEL_ACCOUNT);
	if (!karg)
		return -ENOMEM;
	err = vmscope_arg_in(ioc, karg, karg + ioc->ksize, uarg, &usize);
	if (err)
		goto out_free;

	err = ioc->op(acc, karg);
	/* The size this module knows, and what is filled in of it. */
	*(u32 *)karg = min(usize, ioc->ksize);
	if (copy_to_user(uarg, karg, min(usize, ioc->ksize)))
		err = -EFAULT;
out_free:
	kfree(karg);
	return err;
}

/*
 * The size in the command number is that of the structure the caller was
 * built with; the structure's own size field is what counts, so that a
 * structure can grow without the command changing (botching-up-ioctls.rst).
 */
static bool vmscope_ioctl_match(unsigned int cmd, unsigned int ours)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(ours) &&
	       _IOC_NR(cmd) == _IOC_NR(ours) &&
	       _IOC_DIR(cmd) == _IOC_DIR(ours);
}

static long vmscope_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	const struct vmscope_access *acc = file->private_data;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmscope_ioctls); i++)
		if (vmscope_ioctl_match(cmd, vmscope_ioctls[i].cmd))
			return vmscope_do_ioctl(acc, &vmscope_ioctls[i],
						(void __user *)arg);
	return -ENOTTY;
}

static int vmscope_dev_open(struct inode *inode, struct file *file)
{
	struct vmscope_access *acc = vmscope_access_open(file);
	int err;

	if (IS_ERR(acc))
		return PTR_ERR(acc);
	err = vmscope_fault_log_open(acc);
	if (err) {
		vmscope_access_release(acc);
		return err;
	}
	file->private_data = acc;
	return nonseekable_open(inode, file);
}

static int vmscope_dev_release(struct inode *inode, struct file *file)
{
	vmscope_access_release(file->private_data);
	return 0;
}

/*
 * A mapping whose faults the module serves and records: faultlog.c, or
 * frames.c once the file has frames.
 */
static int vmscope_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmscope_access *acc = file->private_data;
	int err = -EAGAIN;

	if (!READ_ONCE(acc->frames))
		err = vmscope_fault_log_mmap(acc, vma);
	/* the file has frames (set meanwhile, perhaps): they serve it */
	if (err == -EAGAIN)
		err = vmscope_frames_mmap(acc, vma);
	return err;
}

static const struct file_operations vmscope_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= vmscope_dev_open,
	.release	= vmscope_dev_release,
	.unlocked_ioctl	= vmscope_dev_ioctl,
	.mmap		= vmscope_dev_mmap,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vmscope_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmscope",
	.fops	= &vmscope_dev_fops,
};

/**
 * vmscope_dev_init() - register /dev/vmscope
 *
 * Context: module load.
 * Return: 0 or the error from misc_register().
 */
int vmscope_dev_init(void)
{
	vmscope_miscdev.mode = vmscope_file_mode(0600);
	return misc_register(&vmscope_miscdev);
}

/**
 * vmscope_dev_exit() - unregister /dev/vmscope
 *
 * Open files pin the module (fops.owner), so this runs with none open.
 *
 * Context: module unload, or a failed load.
 */
void vmscope_dev_exit(void)
{
	misc_deregister(&vmscope_miscdev);
}
