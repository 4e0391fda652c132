// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmscope/layout: one line per VMA of a process, classified and
 * measured (the text front of VMSCOPE_IOC_LAYOUT).
 *
 * Which process: by default the opener's own (as /proc/self); another one
 * by writing its PID to the open file before reading it.  The choice
 * belongs to that open file alone, so concurrent users cannot disturb one
 * another, and what the file may see was decided when it was opened.
 * Each VMA is measured by vmscope_layout_one(), which takes the target's
 * mmap_lock for a budget of entries at a time; between read() calls only
 * the mm_struct is pinned (mmgrab), never the address space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>

#include "vmscope.h"

/**
 * struct vmscope_layout_file - one open /proc/vmscope/layout
 * @acc: what the opener may see
 * @pid: the process: the opener's own, or the one a write chose
 * @mm: the target's mm_struct, pinned with mmgrab() after the first read
 * @held: @mm's address space is held (mmget) for this read()
 * @next_addr: where the next VMA to show is looked for
 * @next_pos: the seq_file position that @next_addr belongs to
 * @rec: the VMA being shown
 */
struct vmscope_layout_file {
	struct vmscope_access *acc;
	struct pid *pid;
	struct mm_struct *mm;
	bool held;
	unsigned long next_addr;
	loff_t next_pos;
	struct vmscope_layout_vma rec;
};

/* Find (access-checked) and pin the target at the first read. */
static int vmscope_lf_target(struct vmscope_layout_file *lf)
{
	struct mm_struct *mm;

	if (lf->mm)
		return 0;
	mm = vmscope_target_pid(lf->acc, lf->pid, NULL);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	mmgrab(mm);
	mmput(mm);
	lf->mm = mm;
	return 0;
}

/*
 * Measure the VMA at position @pos (1-based; 0 is the header) into
 * lf->rec: NULL after the last, an ERR_PTR if interrupted.
 */
static void *vmscope_lf_vma(struct vmscope_layout_file *lf, loff_t pos)
{
	struct vm_area_struct *vma;
	int err = 0;

	if (pos != lf->next_pos) {	/* not sequential: count again */
		if (mmap_read_lock_killable(lf->mm))
			return ERR_PTR(-EINTR);
		lf->next_addr = 0;
		for (lf->next_pos = 1; lf->next_pos < pos; lf->next_pos++) {
			vma = find_vma(lf->mm, lf->next_addr);
			if (!vma)
				break;
			lf->next_addr = vma->vm_end;
		}
		mmap_read_unlock(lf->mm);
		if (lf->next_pos < pos)
			return NULL;
	}
	err = vmscope_layout_one(lf->mm, &lf->next_addr, &lf->rec,
				 lf->acc->sys_admin, true);
	if (err)
		return err == -ENOENT ? NULL : ERR_PTR(err);
	lf->next_pos = pos + 1;
	return &lf->rec;
}

static void *vmscope_lf_start(struct seq_file *m, loff_t *pos)
{
	struct vmscope_layout_file *lf = m->private;
	int err = vmscope_lf_target(lf);

	if (err)
		return ERR_PTR(err);
	if (!mmget_not_zero(lf->mm))
		return NULL;
	lf->held = true;
	if (!*pos) {
		lf->next_addr = 0;
		lf->next_pos = 1;
		return SEQ_START_TOKEN;
	}
	return vmscope_lf_vma(lf, *pos);
}

static void *vmscope_lf_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmscope_layout_file *lf = m->private;

	++*pos;
	return vmscope_lf_vma(lf, *pos);
}

static void vmscope_lf_stop(struct seq_file *m, void *v)
{
	struct vmscope_layout_file *lf = m->private;

	if (!lf->held)
		return;
	lf->held = false;
	mmput(lf->mm);
}

static const char *const vmscope_seg_names[] = VMSCOPE_SEG_NAMES;

static int vmscope_lf_show(struct seq_file *m, void *v)
{
	struct vmscope_layout_file *lf = m->private;
	struct vmscope_layout_vma *r = &lf->rec;
	char perms[5] = "----";

	/* columns aligned for 47-bit user addresses, as the header */
	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%-25s %-5s %-12s %8s %8s %8s %8s %8s %8s %s\n",
			   "# start-end", "perms", "segment", "rss_kb",
			   "anon_kb", "file_kb", "shmem_kb", "swap_kb",
			   "huge_kb", "name");
		return 0;
	}
	if (r->vma.perms & VMSCOPE_VMA_READ)
		perms[0] = 'r';
	if (r->vma.perms & VMSCOPE_VMA_WRITE)
		perms[1] = 'w';
	if (r->vma.perms & VMSCOPE_VMA_EXEC)
		perms[2] = 'x';
	perms[3] = r->vma.perms & VMSCOPE_VMA_SHARED ? 's' : 'p';
	seq_printf(m, "%012llx-%012llx %-5s %-12s %8llu %8llu %8llu %8llu %8llu %8llu ",
		   r->vma.start, r->vma.end, perms,
		   vmscope_seg_names[r->segment],
		   (r->rss_anon + r->rss_file + r->rss_shmem) >> 10,
		   r->rss_anon >> 10, r->rss_file >> 10, r->rss_shmem >> 10,
		   r->swap >> 10, r->huge >> 10);
	/* as /proc/PID/maps (seq_file_path(m, file, "\n")): a newline in a
	 * file name must not forge a line
	 */
	seq_escape(m, r->vma.name, "\n");
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations vmscope_lf_ops = {
	.start	= vmscope_lf_start,
	.next	= vmscope_lf_next,
	.stop	= vmscope_lf_stop,
	.show	= vmscope_lf_show,
};

static int vmscope_lf_open(struct inode *inode, struct file *file)
{
	struct vmscope_layout_file *lf;
	struct vmscope_access *acc;

	acc = vmscope_access_open(file);
	if (IS_ERR(acc))
		return PTR_ERR(acc);
	lf = __seq_open_private(file, &vmscope_lf_ops, sizeof(*lf));
	if (!lf) {
		vmscope_access_release(acc);
		return -ENOMEM;
	}
	lf->acc = acc;
	lf->pid = get_pid(task_tgid(current));
	return 0;
}

/* "PID\n" chooses the process, before the first read only. */
static ssize_t vmscope_lf_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct vmscope_layout_file *lf = m->private;
	struct pid *pid;
	ssize_t ret;
	u32 nr;

	ret = kstrtou32_from_user(buf, count, 10, &nr);
	if (ret)
		return ret;
	/* in the writer's PID namespace, now */
	pid = vmscope_find_pid(nr);
	if (IS_ERR(pid))
		return PTR_ERR(pid);
	mutex_lock(&m->lock);
	if (lf->mm || m->index || file->f_pos) {
		ret = -EBUSY;
	} else {
		swap(lf->pid, pid);
		ret = count;
	}
	mutex_unlock(&m->lock);
	put_pid(pid);
	return ret;
}

static int vmscope_lf_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmscope_layout_file *lf = m->private;

	if (lf->mm)
		mmdrop(lf->mm);
	put_pid(lf->pid);
	vmscope_access_release(lf->acc);
	return seq_release_private(inode, file);
}

/* proc_ops of /proc/vmscope/layout, for procfs.c */
const struct proc_ops vmscope_layout_proc_ops = {
	.proc_open	= vmscope_lf_open,
	.proc_read_iter	= seq_read_iter,
	.proc_write	= vmscope_lf_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= vmscope_lf_release,
};
