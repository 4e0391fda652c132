// SPDX-License-Identifier: GPL-2.0
/*
 * Arrays written to user space, the one way every ioctl does it: filled in
 * a kernel buffer (under whatever lock the filler needs), then copied out
 * with no lock held; records of a caller-given size (rec_size) copied
 * min(rec_size, the module's size) bytes each, the excess cleared.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmscope.h"

/**
 * vmscope_array_out() - fill an array of records and copy it to user space
 * @ubuf: user address of the caller's array (u64, as in the uapi)
 * @count: its capacity in records; 0 for none (@fill still runs)
 * @size: bytes per record
 * @fill: fills the first records of a kernel buffer (NULL when @count is
 *	0) and returns how many there are in all
 * @arg: for @fill
 * @total: returns what @fill returned
 *
 * Context: process context; @fill runs with no lock held by this, and the
 * copy to user space runs after it returned.
 * Return: 0, -ENOMEM or -EFAULT.
 */
int vmscope_array_out(u64 ubuf, u32 count, size_t size,
		      vmscope_fill_fn fill, void *arg, u32 *total)
{
	void *out = NULL;
	int err = 0;

	if (count) {
		out = kvcalloc(count, size, GFP_KERNEL_ACCOUNT);
		if (!out)
			return -ENOMEM;
	}
	*total = fill(out, count, arg);
	if (count && copy_to_user(u64_to_user_ptr(ubuf), out,
				  min(count, *total) * size))
		err = -EFAULT;
	kvfree(out);
	return err;
}

/**
 * vmscope_records_copy() - copy records to a caller's array of rec_size
 * @dst: the caller's array, at the first record to write
 * @rec_size: the caller's record size (checked by the request)
 * @recs: the module's records
 * @ksize: the module's record size
 * @n: records to copy
 *
 * A caller built with a smaller record gets the first @rec_size bytes of
 * each; one built with a larger record gets the excess zeroed.
 *
 * Context: process context, no lock held.
 * Return: 0 or -EFAULT.
 */
int vmscope_records_copy(void __user *dst, u32 rec_size, const void *recs,
			 size_t ksize, u64 n)
{
	size_t len = min_t(size_t, rec_size, ksize);
	u64 i;

	if (rec_size == ksize)
		return copy_to_user(dst, recs, n * ksize) ? -EFAULT : 0;
	for (i = 0; i < n; i++, dst += rec_size, recs += ksize) {
		if (copy_to_user(dst, recs, len))
			return -EFAULT;
		if (rec_size > len && clear_user(dst + len, rec_size - len))
			return -EFAULT;
	}
	return 0;
}
