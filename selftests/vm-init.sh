#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: like dash, it has "local"
#
# vm-init.sh - /init of the initramfs that selftests/vmtest.sh boots.
#
# Runs under busybox sh as PID 1 with the serial console as stdin/stdout.
# Brings up a minimal system (proc, sysfs, devtmpfs, tmpfs, cgroup2, debugfs,
# swap on zram, an ext2 disk on a second zram device), loads vmscope.ko, then
# runs either the command from /vmscope/cmd, an interactive shell, or every
# test in /vmscope/tests, and powers off. The host reads these lines from the
# console:
#
#   VMSCOPE: ... failed            a setup step failed (counted as a failure)
#   VMSCOPE-TEST-BEGIN NAME        before a test runs
#   VMSCOPE-TEST NAME rc=N         after it ran
#   VMSCOPE-CMD rc=N               after the command ran
#   VMSCOPE-DMESG-BEGIN / -END     the kernel log, between these two lines
#   VMSCOPE-EXIT rc=N              last line: init is about to power off
#
# Files (written by vmtest.sh):
#   /vmscope/vmscope.ko     the module under test
#   /vmscope/modules.order  modules to insmod first (zram and compressors)
#   /vmscope/tests/         the tests: those kselftest-list.txt names, or
#                           every executable regular file
#   /vmscope/config         shell variables: VMSCOPE_TEST_TIMEOUT, VMSCOPE_SHELL
#   /vmscope/cmd            a command line to run instead of the tests
#
# The root is a tmpfs, whose page cache cannot be dropped.  Tests that need
# file pages read from a device (major faults) use the ext2 filesystem on
# zram mounted at $VMSCOPE_DISK (/mnt/disk); without it, the variable is
# not set and those tests skip.

if [ $$ -ne 1 ]; then
	echo "vm-init.sh: this is the /init of vmscope's test VM; run selftests/vmtest.sh instead" >&2
	exit 1
fi

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Link every applet (files copied in, e.g. by vmtest.sh -a, are kept)
/bin/busybox --install -s
export HOME=/root TERM="${TERM:-vt100}"
umask 022

VMSCOPE_KO=/vmscope/vmscope.ko
VMSCOPE_TEST_TIMEOUT=300
VMSCOPE_SHELL=0
ZRAM_SIZE=512M
DISK_SIZE=64M
DISK_DIR=/mnt/disk
# shellcheck disable=SC1091 # written by vmtest.sh into the initramfs
[ -r /vmscope/config ] && . /vmscope/config
export VMSCOPE_KO

failures=0

# fail WHAT - report a failed setup step to the host
fail()
{
	echo "VMSCOPE: $* failed"
	failures=$((failures + 1))
}

mount_filesystems()
{
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mkdir -p /dev/pts /dev/shm /run
	mount -t devpts devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=755 tmpfs /run
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "mount cgroup2"
	if grep -qw debugfs /proc/filesystems; then
		mount -t debugfs debugfs /sys/kernel/debug
	fi
	if grep -qw tracefs /proc/filesystems && [ -d /sys/kernel/tracing ]; then
		mount -t tracefs tracefs /sys/kernel/tracing
	fi
	hostname vmscope-vm
}

load_modules()
{
	local m

	[ -r /vmscope/modules.order ] || return 0
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "$m" || fail "insmod $m"
	done </vmscope/modules.order
}

setup_swap()
{
	local z=/sys/block/zram0

	if [ ! -e $z ] && [ -e /sys/class/zram-control/hot_add ]; then
		read -r _ </sys/class/zram-control/hot_add
	fi
	if [ ! -e $z ]; then
		fail "zram swap setup (no /sys/block/zram0)"
		return
	fi
	if grep -qw lz4 $z/comp_algorithm; then
		echo lz4 >$z/comp_algorithm || echo "VMSCOPE: warning: cannot select lz4 for zram"
	fi
	if echo $ZRAM_SIZE >$z/disksize && mkswap /dev/zram0 >/dev/null &&
		swapon /dev/zram0; then
		echo "VMSCOPE: swap on zram0, $ZRAM_SIZE, compressor: $(cat $z/comp_algorithm)"
	else
		fail "zram swap setup"
	fi
}

# setup_disk - an ext2 filesystem on a new zram device at $DISK_DIR, for the
# tests that need a page cache backed by a block device; on success its path
# is exported as VMSCOPE_DISK, and without it those tests skip
setup_disk()
{
	local n z

	if [ -r /sys/class/zram-control/hot_add ]; then
		read -r n </sys/class/zram-control/hot_add
	fi
	z=/sys/block/zram$n
	if [ -z "$n" ] || [ ! -e "$z" ]; then
		echo "VMSCOPE: warning: cannot add a zram device: no disk at $DISK_DIR, tests that need one skip"
		return
	fi
	mkdir -p $DISK_DIR
	if echo $DISK_SIZE >"$z/disksize" &&
		mke2fs -b 4096 -I 256 "/dev/zram$n" >/dev/null &&
		mount -t ext2 "/dev/zram$n" $DISK_DIR; then
		export VMSCOPE_DISK=$DISK_DIR
		echo "VMSCOPE: ext2 on zram$n, $DISK_SIZE, at $DISK_DIR"
	else
		echo "VMSCOPE: warning: cannot put ext2 on zram$n at $DISK_DIR: tests that need a disk skip"
	fi
}

load_vmscope()
{
	if [ ! -f "$VMSCOPE_KO" ]; then
		echo "VMSCOPE: module load failed ($VMSCOPE_KO is missing)"
		failures=$((failures + 1))
	elif insmod "$VMSCOPE_KO"; then
		echo "VMSCOPE: module loaded"
	else
		echo "VMSCOPE: module load failed (insmod $VMSCOPE_KO)"
		failures=$((failures + 1))
	fi
}

# uptime_cs - print the uptime in centiseconds
uptime_cs()
{
	local up

	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}" | sed 's/^0*//; s/^$/0/'
}

# centisecs N - print N centiseconds as seconds
centisecs()
{
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}

# test_names - the tests to run: those kselftest-list.txt names
# ("collection:name" lines, as lib.mk's emit_tests writes them), or else
# every executable regular file in /vmscope/tests, sorted
test_names()
{
	if [ -r /vmscope/tests/kselftest-list.txt ]; then
		sed -n 's/^[^:]*://p' /vmscope/tests/kselftest-list.txt
	else
		ls /vmscope/tests
	fi
}

# vmscope_refcnt - users of vmscope.ko (open files, mappings); 0 unloaded
vmscope_refcnt()
{
	cat /sys/module/vmscope/refcnt 2>/dev/null || echo 0
}

# vmscope_idle - wait up to 10 s for vmscope.ko to have no users (a
# sampling thread ends a moment after its file is closed); false if it has
vmscope_idle()
{
	local waited=0

	while [ "$(vmscope_refcnt)" -ne 0 ]; do
		[ $waited -ge 10 ] && return 1
		sleep 1
		waited=$((waited + 1))
	done
}

# vmscope_holders - the processes that hold /dev/vmscope or a
# /proc/vmscope file, open or mapped, with where they are in the kernel
vmscope_holders()
{
	local d fd held

	for d in /proc/[0-9]*; do
		held=
		for fd in "$d"/fd/*; do
			case $(readlink "$fd" 2>/dev/null) in
			/dev/vmscope | /proc/vmscope/*) held=1 ;;
			esac
		done
		grep -q ' /dev/vmscope' "$d/maps" 2>/dev/null && held=1
		[ -n "$held" ] || continue
		# state, and the CPU time spent in user space and in the
		# kernel (fields 14, 15): a running task has no stack to show
		echo "VMSCOPE:   held by pid ${d#/proc/} ($(cat "$d/comm")), state $(cut -d' ' -f3 "$d/stat"), in $(cat "$d/wchan"), utime $(cut -d' ' -f14 "$d/stat") stime $(cut -d' ' -f15 "$d/stat") ticks"
		sed 's/^/VMSCOPE:     /' "$d/stack" 2>/dev/null
	done
}

# run_tests - run the tests, one after the other
run_tests()
{
	local t name rc start

	for name in $(test_names); do
		t=/vmscope/tests/$name
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		case $name in
		vmtest.sh | vm-init.sh | run_kselftest.sh) continue ;; # not tests
		esac
		echo "VMSCOPE-TEST-BEGIN $name"
		start=$(uptime_cs)
		(cd /vmscope/tests && exec timeout -k 10 "$VMSCOPE_TEST_TIMEOUT" "$t") </dev/null 2>&1
		rc=$?
		echo "VMSCOPE: test $name took $(centisecs $(($(uptime_cs) - start)))s"
		case $rc in
		0 | 4) ;;
		124 | 137 | 143) echo "VMSCOPE: test $name timed out after ${VMSCOPE_TEST_TIMEOUT}s" ;;
		esac
		echo "VMSCOPE-TEST $name rc=$rc"
		[ $rc -eq 0 ] || [ $rc -eq 4 ] || failures=$((failures + 1))
		# what a test leaves holding the module makes the next
		# reload fail (EAGAIN): say who, where it is noticed
		if ! vmscope_idle; then
			echo "VMSCOPE: vmscope.ko still has $(vmscope_refcnt) users after $name"
			vmscope_holders
		fi
	done
}

# unload_vmscope - once the tests are done, vmscope.ko must unload: a
# user left behind, or a reference the module leaked, is a failure
unload_vmscope()
{
	[ -d /sys/module/vmscope ] || return 0
	if ! vmscope_idle; then
		echo "VMSCOPE: unloading vmscope.ko after the tests failed ($(vmscope_refcnt) users)"
		vmscope_holders
		# where the CPUs are: a holder looping in the kernel shows there
		# (its Call Trace lines fail the kernel-log check as well: the
		# run has failed already)
		echo l >/proc/sysrq-trigger 2>/dev/null
		failures=$((failures + 1))
		return 1
	fi
	if ! rmmod vmscope; then
		echo "VMSCOPE: unloading vmscope.ko after the tests failed"
		failures=$((failures + 1))
		return 1
	fi
}

# leak_scan - on a kernel with kmemleak, scan, and put the leaks allocated
# by vmscope (their backtrace names it) in the kernel log, where the host
# fails the run on them; the rest of the kernel's reports are its own
leak_scan()
{
	local f=/sys/kernel/debug/kmemleak leaks

	[ -w "$f" ] || return 0
	# two scans: an object must be seen unreferenced twice to be reported
	echo scan >"$f"
	sleep 1
	echo scan >"$f"
	leaks=$(awk '/^unreferenced object/ { if (r ~ /vmscope/) print r; r = "" }
		{ r = r $0 "\n" } END { if (r ~ /vmscope/) print r }' "$f")
	echo "VMSCOPE: kmemleak: $(grep -c '^unreferenced object' "$f") reports in all"
	if [ -n "$leaks" ]; then
		echo "vmscope: kmemleak found leaks:" >/dev/kmsg
		printf '%b' "$leaks" | head -n 100 | sed 's/^/kmemleak: /' >/dev/kmsg
	fi
}

run_command()
{
	local rc

	echo "VMSCOPE: running: $(cat /vmscope/cmd)"
	(cd / && exec sh -c "$(cat /vmscope/cmd)") </dev/null 2>&1
	rc=$?
	echo "VMSCOPE-CMD rc=$rc"
	return $rc
}

run_shell()
{
	echo
	echo "VMSCOPE: interactive shell; vmscope.ko is loaded, tests are in /vmscope/tests."
	echo "VMSCOPE: 'exit' (or Ctrl-d) powers off; Ctrl-a x kills QEMU."
	cd /
	setsid cttyhack sh -l
	cd /
}

main()
{
	local rc

	mount_filesystems
	load_modules
	setup_swap
	setup_disk
	load_vmscope

	if [ -f /vmscope/cmd ]; then
		run_command
		rc=$?
	elif [ "$VMSCOPE_SHELL" = 1 ]; then
		rc=0
	else
		run_tests
	fi
	[ "$VMSCOPE_SHELL" = 1 ] && run_shell

	leak_scan
	# after the scan, while kmemleak can still name the module's code
	if [ ! -f /vmscope/cmd ] && [ "$VMSCOPE_SHELL" != 1 ]; then
		unload_vmscope
		rc=$((failures != 0))
	fi
	echo "VMSCOPE-DMESG-BEGIN"
	dmesg
	echo "VMSCOPE-DMESG-END"
	echo "VMSCOPE-EXIT rc=$rc"
	# let the UART drain before the power goes
	sleep 0.2
	poweroff -f
}

main "$@"
# not reached unless poweroff failed; PID 1 must not exit
while :; do sleep 1000; done
