// SPDX-License-Identifier: GPL-2.0
/*
 * A VMA as /proc/PID/maps shows it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "vmscope.h"

static u32 vmscope_vma_perms(const struct vm_area_struct *vma)
{
	u32 perms = 0;

	if (vma->vm_flags & VM_READ)
		perms |= VMSCOPE_VMA_READ;
	if (vma->vm_flags & VM_WRITE)
		perms |= VMSCOPE_VMA_WRITE;
	if (vma->vm_flags & VM_EXEC)
		perms |= VMSCOPE_VMA_EXEC;
	if (vma->vm_flags & VM_MAYSHARE)
		perms |= VMSCOPE_VMA_SHARED;
	return perms;
}

/* The name maps shows for a VMA without a file, or NULL. */
static const char *vmscope_vma_special_name(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	if (vmscope_vma_is_heap(vma))
		return "[heap]";
	if (vma->vm_start <= mm->start_stack &&
	    vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

/* The longest path vmscope_vma_path() builds to truncate it. */
#define VMSCOPE_PATH_MAX	(16 * PATH_MAX)

/*
 * The file's path as maps shows it, truncated to @len - 1 bytes.  d_path()
 * builds a path from its end and fails when the whole does not fit, so a
 * longer one is built in a larger buffer first (maps' seq_file grows its
 * buffer the same way), up to VMSCOPE_PATH_MAX bytes.
 */
static void vmscope_vma_path(struct file *file, char *buf, size_t len)
{
	const struct path *path = vmscope_file_user_path(file);
	char *p = d_path(path, buf, len);
	size_t size = PATH_MAX;
	char *tmp = NULL;

	while (PTR_ERR_OR_ZERO(p) == -ENAMETOOLONG &&
	       size <= VMSCOPE_PATH_MAX) {
		kvfree(tmp);
		tmp = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		p = tmp ? d_path(path, tmp, size) : ERR_PTR(-ENOMEM);
		size *= 2;
	}
	if (IS_ERR(p))
		p = "[unreachable]";
	len = min(strlen(p), len - 1);
	memmove(buf, p, len);
	buf[len] = '\0';
	kvfree(tmp);
}

/**
 * vmscope_vma_describe() - describe a VMA as a line of /proc/PID/maps
 * @vma: the VMA
 * @out: filled in completely
 * @show_pfn: the file was opened with CAP_SYS_ADMIN: a private PFN map's
 *	offset, which remap_pfn_range() replaced by the physical PFN it maps,
 *	is shown; otherwise it is 0, as every other PFN
 *
 * Context: mmap_lock of the VMA's mm held for read.
 */
void vmscope_vma_describe(struct vm_area_struct *vma, struct vmscope_vma *out,
			  bool show_pfn)
{
	const char *anon = vmscope_vma_anon_name(vma);
	struct file *file = vma->vm_file;
	const char *name;

	memset(out, 0, sizeof(*out));
	out->start = vma->vm_start;
	out->end = vma->vm_end;
	out->perms = vmscope_vma_perms(vma);
	if (file) {
		const struct inode *inode = vmscope_file_user_inode(file);

		if (show_pfn || !(vma->vm_flags & VM_PFNMAP) ||
		    (vma->vm_flags & VM_SHARED))
			out->pgoff = (u64)vma->vm_pgoff << PAGE_SHIFT;
		out->ino = inode->i_ino;
		out->dev = new_encode_dev(inode->i_sb->s_dev);
		if (anon)
			snprintf(out->name, sizeof(out->name),
				 "[anon_shmem:%s]", anon);
		else
			vmscope_vma_path(file, out->name, sizeof(out->name));
		return;
	}
	name = vmscope_vma_special_name(vma);
	if (name)
		strscpy(out->name, name, sizeof(out->name));
	else if (anon)
		snprintf(out->name, sizeof(out->name), "[anon:%s]", anon);
}
