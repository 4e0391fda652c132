#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tour.sh - the guided tour `make demo` runs inside the test VM (busybox sh),
# with the vmscope module loaded.  Each step says what it shows, then runs it.

step()
{
	printf '\n\033[1m==> %s\033[0m\n' "$1"
	shift
	printf '$ %s\n' "$*"
	"$@"
}

echo
echo "vmscope tour on $(uname -r)"
step "The module is loaded and exposes /proc/vmscope and /dev/vmscope" \
	ls -l /proc/vmscope /dev/vmscope
step "What the MMU is walking: levels, page size, the user/kernel split" \
	vmscope info
step "The same as a cat-able /proc file" \
	cat /proc/vmscope/info
step "And as JSON for scripts" \
	vmscope info --json
grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
step "A user without CAP_SYS_ADMIN is refused (root-only by default)" \
	sh -c "su -s /bin/sh nobody -c 'vmscope info' 2>&1 || true"
