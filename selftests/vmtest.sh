#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh - run vmscope's selftests in a QEMU VM on a Debian cloud kernel.
#
# Shaped like the kernel's tools/testing/selftests/bpf/vmtest.sh, but instead
# of a rootfs image it boots a small busybox initramfs built on every run:
# the Debian kernel comes from apt (scripts/kernels.sh fetch, never installed
# on the host), /init is selftests/vm-init.sh, and the module, the CLI, the
# tests and the zram and overlay modules are copied in. See usage() for the
# options and vm-init.sh for the lines the guest prints on the serial console.

set -euo pipefail

SCRIPT_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname -- "$SCRIPT_DIR")
KERNELS_SH=$REPO_DIR/scripts/kernels.sh
INIT_SH=$SCRIPT_DIR/vm-init.sh
# shellcheck source=scripts/deps.sh
. "$REPO_DIR/scripts/deps.sh"

VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
QEMU_BINARY='qemu-system-x86_64'
DEPS=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd)
# Copied into the guest for the triage tests (vmscope_triage_test): jq reads
# the CLI's JSON, promtool checks the exposition format, tmux is a real
# terminal for vmscope top (with terminfo and a UTF-8 locale); fincore
# (util-linux) is the page-cache tests' oracle
GUEST_TOOLS=(/usr/bin/jq /usr/bin/promtool /usr/bin/tmux /usr/bin/fincore)
GUEST_TOOL_DIRS=(/lib/terminfo /usr/lib/locale/C.utf8)
DEPS+=(jq prometheus tmux ncurses-base)
GUEST_MEM=${VMSCOPE_VM_MEM:-1G}
GUEST_SMP=2
# init_on_alloc=0: Debian turns it on, and zeroed allocations would hide
# uninitialised bytes copied out (the padding tests look for them)
# watchdog_thresh, rcu_cpu_stall_timeout: the guest's clocks follow the
# host's, and on a loaded 2-core host QEMU's thread can go without a CPU for
# tens of seconds, which a guest with the defaults (20 s, 21 s) reports as a
# soft lockup or an RCU stall of whatever ran then (seen: 26 s in a
# clear_page() during the OOM experiment).  At 120 s and 60 s both still
# catch a real lockup well within a test's timeout.
KERNEL_CMDLINE="console=ttyS0 panic=-1 quiet slub_debug=FZPU init_on_alloc=0 transparent_hugepage=madvise watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60"
# Console lines shown with -q (extended regex)
QUIET_LINES='^(not )?ok [0-9]+|VMSCOPE-TEST [^ ]+ rc=|VMSCOPE-CMD rc=|^VMSCOPE: .* failed( \(.*\))?$|^VMSCOPE: test .* timed out'
# Kernel log lines that fail the "kernel log clean" check (extended regex)
BAD_KERNEL_LOG='BUG:|WARNING:|Oops|general protection|refcount_t|list_add corruption|list_del corruption|KFENCE:|sleeping function called from invalid context|Call Trace|kernel BUG|UBSAN|KASAN|Kernel panic|kmemleak found leaks|possible circular locking|possible recursive locking'

# Options, set by parse_args()
KERNEL=6.12
LEVEL=4
MODULE=
TESTDIR=
ADD_HOSTS=()  # -a HOST[:GUEST], split
ADD_GUESTS=()
TIMEOUT=600
RESULTFILE=
SHELL_MODE=0
QUIET=0
COMMAND=()

# Set by main()
VERSION=
KERNEL_DIR=
WORKDIR=
LOGFILE=
QEMU_RC=

usage()
{
	cat <<EOF
Usage: $0 [-k 6.1|6.12|sid|VERSION] [-l 4|5] [-m MODULE.ko] [-T TESTDIR]
       [-a HOST[:GUEST]]... [-t TIMEOUT_SECS] [-r RESULTFILE] [-s] [-q]
       [-- COMMAND ARGS...]

Boot a Debian cloud kernel in QEMU (TCG) with a busybox initramfs,
load vmscope.ko, put 512M of swap on zram, and run the tests (or COMMAND).

By default every executable regular file in TESTDIR runs, in name order, with
VMSCOPE_KO=/vmscope/vmscope.ko in its environment. COMMAND, if given, runs
instead, with sh -c in /: a single argument is a shell command line
(-- 'uname -r; ls'), several are one quoted command (-- ls -l /); its exit
status is one check. The tests are in /vmscope/tests either way, and the CLI
(userspace/vmscope, if built) is /usr/bin/vmscope.

Options:
  -k KERNEL   6.1, 6.12 (the newest of that bookworm series in apt), sid
              (the newest of Debian unstable, from the apt of a chroot in
              the cache: scripts/sid-chroot.sh) or a full version such as
              6.1.0-56-cloud-amd64 (default: ${KERNEL})
  -l LEVELS   page-table levels: 4 (-cpu qemu64,+rdrand) or 5 (the same
              plus la57) (default: ${LEVEL})
  -m MODULE   the vmscope.ko to load
              (default: \$VMSCOPE_CACHE/build/VERSION/vmscope.ko)
  -T TESTDIR  directory of built test executables
              (default: \$VMSCOPE_CACHE/tests)
  -a H[:G]    also copy host file H to guest path G (default /usr/bin/NAME),
              with the shared libraries it needs; may be repeated
  -t SECS     kill the VM after SECS seconds (default: ${TIMEOUT}); one test
              may take at most VMSCOPE_TEST_TIMEOUT seconds (default: half of
              SECS, at most 300)
  -r FILE     write "passed=N failed=N skipped=N" to FILE
  -s          interactive shell in the VM (module loaded, swap on); COMMAND,
              if given, runs first. 'exit' powers off, Ctrl-a x kills QEMU
  -q          print only TAP result lines and failures
  -h          show this help

Environment: VMSCOPE_VM_MEM sets the guest's memory (default 1G),
VMSCOPE_VM_CPU adds CPU flags (+pdpe1gb: 1G pages, with 5G of memory),
VMSCOPE_VM_APPEND kernel parameters ('hugepagesz=1G hugepages=2'),
VMSCOPE_VM_TCG=multi a host thread per vCPU (default single: see run_vm).

The guest has swap on zram0 and a 64M ext2 file system on zram1 at
/mnt/disk (\$VMSCOPE_DISK in the tests' environment): the root is tmpfs,
whose pages never need I/O.

Counted: every top-level TAP line ("ok N", "not ok N", "# SKIP"); a test that
exits non-zero (not 4, KSFT_SKIP) without a "not ok" line; a test without any
TAP line by its exit status; a failed setup step in the VM; "kernel log clean"
(no BUG/WARNING/Oops/KFENCE/... in dmesg; the stack dump an OOM kill's
report carries is allowed); "vm finished". The last line
printed is "N passed, N failed[, N skipped]"; the exit status is 0 only if
nothing failed. The console log is kept in \$VMSCOPE_CACHE/logs/.

Cache: VMSCOPE_CACHE=${VMSCOPE_CACHE}
EOF
}

die()
{
	echo "vmtest.sh: error: $*" >&2
	exit 1
}

usage_error()
{
	echo "vmtest.sh: error: $*" >&2
	echo "Try '$0 -h' for help." >&2
	exit 2
}

# note MSG - progress message on stderr, silent with -q
note()
{
	((QUIET)) || echo "vmtest.sh: $*" >&2
}

is_uint()
{
	[[ $1 =~ ^[0-9]+$ ]]
}

# add_file HOST[:GUEST] - note an -a option
add_file()
{
	local host=${1%%:*} guest=${1#*:}

	[[ $1 == *:* ]] || guest=/usr/bin/$(basename -- "$host")
	[[ -n $host ]] || usage_error "-a $1: no host path"
	[[ $guest == /* ]] || usage_error "-a $1: the guest path must be absolute"
	ADD_HOSTS+=("$host")
	ADD_GUESTS+=("$guest")
}

parse_args()
{
	local opt

	while getopts ':k:l:m:T:a:t:r:sqh' opt; do
		case $opt in
		k) KERNEL=$OPTARG ;;
		l) LEVEL=$OPTARG ;;
		m) MODULE=$OPTARG ;;
		T) TESTDIR=$OPTARG ;;
		a) add_file "$OPTARG" ;;
		t) TIMEOUT=$OPTARG ;;
		r) RESULTFILE=$OPTARG ;;
		s) SHELL_MODE=1 ;;
		q) QUIET=1 ;;
		h)
			usage
			exit 0
			;;
		:) usage_error "option -$OPTARG needs an argument" ;;
		*) usage_error "unknown option -$OPTARG" ;;
		esac
	done
	shift $((OPTIND - 1))
	COMMAND=("$@")

	[[ $LEVEL == 4 || $LEVEL == 5 ]] || usage_error "-l takes 4 or 5, not '$LEVEL'"
	if ! is_uint "$TIMEOUT" || ((TIMEOUT == 0)); then
		usage_error "-t takes a number of seconds, not '$TIMEOUT'"
	fi
	if ((SHELL_MODE)); then
		((QUIET == 0)) || usage_error "-s and -q do not go together"
		[[ -t 0 && -t 1 ]] || usage_error "-s needs a terminal on stdin and stdout"
	fi
	if [[ -n ${VMSCOPE_TEST_TIMEOUT:-} ]]; then
		if ! is_uint "$VMSCOPE_TEST_TIMEOUT" || ((VMSCOPE_TEST_TIMEOUT == 0)); then
			usage_error "VMSCOPE_TEST_TIMEOUT must be a number of seconds"
		fi
	fi
}

# check_inputs - resolve the defaults of -m and -T and check what we were given
check_inputs()
{
	local host vermagic

	if [[ -z $MODULE ]]; then
		MODULE=$VMSCOPE_CACHE/build/$VERSION/vmscope.ko
		[[ -f $MODULE ]] ||
			die "no module for $VERSION at $MODULE: run 'make modules-all' or pass -m MODULE.ko"
	fi
	[[ -f $MODULE ]] || die "module $MODULE does not exist"
	vermagic=$(modinfo -F vermagic "$MODULE" 2>/dev/null) || die "$MODULE is not a kernel module"
	if [[ ${vermagic%% *} != "$VERSION" ]]; then
		echo "vmtest.sh: warning: $MODULE was built for ${vermagic%% *}, the VM runs $VERSION; expect the load to fail" >&2
	fi

	if [[ -z $TESTDIR ]]; then
		TESTDIR=$VMSCOPE_CACHE/tests
		if [[ ! -d $TESTDIR ]]; then
			# a COMMAND or the shell can do without tests
			((${#COMMAND[@]} || SHELL_MODE)) ||
				die "no tests at $TESTDIR: build them (make selftests), pass -T TESTDIR or give a COMMAND"
			TESTDIR=
		fi
	fi
	[[ -z $TESTDIR || -d $TESTDIR ]] || die "test directory $TESTDIR does not exist"
	if [[ -n $TESTDIR ]] && ((${#COMMAND[@]} == 0 && SHELL_MODE == 0)) &&
		[[ -z $(find -L "$TESTDIR" -maxdepth 1 -type f -perm -u+x -print -quit) ]]; then
		echo "vmtest.sh: warning: no test executables in $TESTDIR" >&2
	fi

	for host in "${ADD_HOSTS[@]}"; do
		[[ -e $host ]] || die "-a: $host does not exist"
	done
}

# is_elf FILE - succeed if FILE starts with the ELF magic
is_elf()
{
	local magic

	magic=$(head -c 4 -- "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n') || return 1
	[[ $magic == 7f454c46 ]]
}

# copy_libs ROOT FILE - copy the shared libraries and loader FILE needs into
# ROOT at their host paths
copy_libs()
{
	local root=$1 file=$2 lib out

	out=$(ldd -- "$file" 2>/dev/null) || return 0 # static, or not a program
	if grep -q 'not found' <<<"$out"; then
		echo "vmtest.sh: warning: $file: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')" >&2
	fi
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname -- "$lib")"
		cp -L -- "$lib" "$root$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
}

# copy_in ROOT HOST GUEST - copy a file or directory into the initramfs
copy_in()
{
	local root=$1 host=$2 guest=$3

	mkdir -p "$root$(dirname -- "$guest")"
	rm -rf -- "${root:?}$guest"
	cp -RL --preserve=mode -- "$host" "$root$guest"
}

# module_files - print the host paths of the kernel modules to load at boot,
# in insmod order: the lz4/lzo compressors that are modules here (so that
# zram has its compressor without modprobe), then zram and overlay and
# their dependencies (zsmalloc on 6.x; .ko.xz or .ko.zst, under /lib or,
# unstable's, /usr/lib behind the lib symlink that scripts/kernels.sh fetch
# makes)
module_files()
{
	local kroot=$KERNEL_DIR/root moddir f name
	local -a names=()

	moddir=$kroot/lib/modules/$VERSION
	for f in "$moddir"/kernel/crypto/lz4*.ko* "$moddir"/kernel/lib/lz4/*.ko* \
		"$moddir"/kernel/crypto/lzo*.ko* "$moddir"/kernel/lib/lzo/*.ko*; do
		[[ -f $f ]] || continue
		name=$(basename -- "$f")
		names+=("${name%%.ko*}")
	done
	# overlayfs, for VMA names of files mapped through it
	names+=(zram overlay)

	for name in "${names[@]}"; do
		if ! modprobe -d "$kroot" -S "$VERSION" --show-depends "$name" 2>/dev/null; then
			echo "vmtest.sh: warning: no module $name in $moddir" >&2
		fi
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# add_modules ROOT - decompress the boot modules into ROOT/vmscope/modules and
# write ROOT/vmscope/modules.order
add_modules()
{
	local root=$1 f name dst
	local -a files

	mapfile -t files < <(module_files)
	mkdir -p "$root/vmscope/modules"
	: >"$root/vmscope/modules.order"
	for f in "${files[@]}"; do
		name=$(basename -- "$f")
		name=${name%%.ko*}.ko
		dst=$root/vmscope/modules/$name
		case $f in
		*.ko.xz) xz -dc -- "$f" >"$dst" ;;
		*.ko.zst) zstd -dcq -- "$f" >"$dst" ;;
		*.ko.gz) gzip -dc -- "$f" >"$dst" ;;
		*.ko) cp -- "$f" "$dst" ;;
		*) die "do not know how to unpack $f" ;;
		esac
		echo "/vmscope/modules/$name" >>"$root/vmscope/modules.order"
	done
	note "boot modules: $(xargs -r -n1 basename <"$root/vmscope/modules.order" | tr '\n' ' ')"
}

# build_initramfs OUT - write the initramfs (uncompressed cpio newc) to OUT
build_initramfs()
{
	local out=$1 root=$WORKDIR/root i f per_test
	local -a elves guests=()

	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc} \
		"$root/vmscope/tests"

	# /init links the other applets with busybox --install -s
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	install -m 755 "$INIT_SH" "$root/init"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"

	install -m 644 "$MODULE" "$root/vmscope/vmscope.ko"
	if [[ -f $REPO_DIR/userspace/vmscope ]]; then
		install -m 755 "$REPO_DIR/userspace/vmscope" "$root/usr/bin/vmscope"
	fi
	if [[ -n $TESTDIR ]]; then
		cp -RL --preserve=mode -- "$TESTDIR/." "$root/vmscope/tests/"
	fi
	for i in "${!ADD_HOSTS[@]}"; do
		copy_in "$root" "${ADD_HOSTS[i]}" "${ADD_GUESTS[i]}"
		guests+=("$root${ADD_GUESTS[i]}")
	done
	for f in "${GUEST_TOOLS[@]}" "${GUEST_TOOL_DIRS[@]}"; do
		[[ -e $f ]] || continue
		copy_in "$root" "$f" "$f"
		guests+=("$root$f")
	done

	# Shared libraries of every program we copied (busybox is static)
	mapfile -t elves < <(find "$root/usr/bin/vmscope" "$root/vmscope/tests" \
		"${guests[@]}" -type f 2>/dev/null)
	for f in "${elves[@]}"; do
		is_elf "$f" && copy_libs "$root" "$f"
	done

	add_modules "$root"

	per_test=${VMSCOPE_TEST_TIMEOUT:-$((TIMEOUT / 2 > 300 ? 300 : (TIMEOUT / 2 < 5 ? 5 : TIMEOUT / 2)))}
	{
		echo "VMSCOPE_TEST_TIMEOUT=$per_test"
		echo "VMSCOPE_SHELL=$SHELL_MODE"
	} >"$root/vmscope/config"
	# One argument is a shell command line; several are quoted word by word
	if ((${#COMMAND[@]} == 1)); then
		printf '%s\n' "${COMMAND[0]}" >"$root/vmscope/cmd"
	elif ((${#COMMAND[@]} > 1)); then
		printf '%q ' "${COMMAND[@]}" >"$root/vmscope/cmd"
		echo >>"$root/vmscope/cmd"
	fi

	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$out" ||
		die "cpio failed"
	note "initramfs: $(du -h "$out" | cut -f1)"
}

# kernel_cmdline - the kernel command line for this kernel
kernel_cmdline()
{
	local cmdline="$KERNEL_CMDLINE${VMSCOPE_VM_APPEND:+ $VMSCOPE_VM_APPEND}"

	if grep -qx 'CONFIG_KFENCE=y' "$KERNEL_DIR/root/boot/config-$VERSION" 2>/dev/null; then
		cmdline+=" kfence.sample_interval=100"
	fi
	echo "$cmdline"
}

# run_vm INITRAMFS RAWLOG - boot; the console goes to stdout (with -q only
# its result lines) and to RAWLOG; QEMU's (or timeout's) status to QEMU_RC
run_vm()
{
	local initrd=$1 rawlog=$2 cpu=qemu64
	local -a qemu

	((LEVEL == 5)) && cpu+=,+la57
	# RDRAND lets the kernel seed its CRNG at boot: without it, mkswap's read
	# of /dev/urandom waits 1-3 s for jitter entropy under TCG.
	cpu+=,+rdrand
	# more CPU flags, e.g. +pdpe1gb: 1G pages (vmscope_hugeleaf_test)
	[[ -z ${VMSCOPE_VM_CPU:-} ]] || cpu+=,$VMSCOPE_VM_CPU
	# One host thread runs both vCPUs in turn.  With a thread per vCPU
	# (MTTCG), a vCPU now and then executes the int3 of a static-key or
	# alternative patch that text_poke_bp() has already removed, and the
	# kernel oopses in its own code (seen: sched_clock_cpu at boot,
	# kmem_cache_free mid-run); VMSCOPE_VM_TCG=multi brings MTTCG back.
	qemu=("$QEMU_BINARY" -nographic -no-reboot -net none
		-accel "tcg,thread=${VMSCOPE_VM_TCG:-single}"
		-m "$GUEST_MEM" -smp "$GUEST_SMP" -cpu "$cpu"
		-kernel "$KERNEL_DIR/root/boot/vmlinuz-$VERSION" -initrd "$initrd"
		-append "$(kernel_cmdline)")

	set +e
	if ((SHELL_MODE)); then
		# QEMU puts the terminal in raw mode; tee passes bytes straight on
		"${qemu[@]}" | tee "$rawlog"
		QEMU_RC=${PIPESTATUS[0]}
	elif ((QUIET)); then
		timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
			clean_console | tee "$rawlog" |
			grep --line-buffered -E "$QUIET_LINES"
		QEMU_RC=${PIPESTATUS[0]}
	else
		timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
			clean_console | tee "$rawlog"
		QEMU_RC=${PIPESTATUS[0]}
	fi
	set -e
}

# died_before_module RAWLOG - succeed if the boot of RAWLOG ended in a kernel
# panic or oops before init loaded vmscope.ko (not in the interactive shell
# mode): under TCG an early boot now and then dies in the kernel's own code
# (seen: an int3 in early boot on a loaded machine), which no test can be
# blamed for; vmtest.sh boots such a VM once more and says so
died_before_module()
{
	((SHELL_MODE)) && return 1
	grep -q -E '^VMSCOPE: module (loaded|load failed)' "$1" && return 1
	grep -q -E 'Kernel panic|BUG:|Oops' "$1"
}

# clean_console - drop carriage returns and the terminal control sequences
# (SeaBIOS resets and clears the screen) from the console output, line by line
clean_console()
{
	sed -u -e 's/\r$//' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g'
}

# summarize LOG ELAPSED - count the results in the console log, print the
# report and, last, the "N passed, N failed" line; fail if anything failed
summarize()
{
	local log=$1 elapsed=$2 counts=$WORKDIR/counts passed failed skipped

	awk -v quiet="$QUIET" -v qemu_rc="$QEMU_RC" -v timeout="$TIMEOUT" \
		-v has_cmd="$((${#COMMAND[@]} > 0))" -v bad="$BAD_KERNEL_LOG" \
		-v counts="$counts" '
	function report(line) { rep[++nrep] = line }
	# bad_line(LINE, I) - whether line I of the kernel log fails its check.
	# An OOM kill reports with dump_header() (mm/oom_kill.c), which dumps
	# the stack: the one "Call Trace:" just after an "invoked oom-killer:"
	# line is part of the report and passes; every other bad line fails.
	function bad_line(line, i) {
		if (line ~ /invoked oom-killer: /) {
			oom_at = i
			return 0
		}
		if (oom_at && i - oom_at <= 6 && line ~ /Call Trace:$/) {
			oom_at = 0
			return 0
		}
		return line ~ bad
	}
	# the output of the test that just ended, for -q, where it was not shown
	function test_output(name,   i, from) {
		if (!quiet || tn == 0)
			return
		from = tn > 40 ? tn - 39 : 1
		report(sprintf("      ----- output of %s%s -----", name, from > 1 ? " (last 40 lines)" : ""))
		for (i = from; i <= tn; i++)
			report("      " tbuf[i])
		report("      -----")
	}
	{ sub(/\r+$/, "") }
	# an end marker after output that did not end in a newline
	/.VMSCOPE-(TEST [^ ]+|CMD) rc=-?[0-9]+$/ {
		i = match($0, /VMSCOPE-(TEST [^ ]+|CMD) rc=-?[0-9]+$/)
		if (intest) tbuf[++tn] = substr($0, 1, i - 1)
		$0 = substr($0, i)
	}
	$0 == "VMSCOPE-DMESG-BEGIN" { indmesg = 1; sawdmesg = 1; next }
	$0 == "VMSCOPE-DMESG-END" { indmesg = 0; next }
	indmesg { dmesg[++nd] = $0; next }
	{ con[++nc] = $0 }
	/^VMSCOPE-TEST-BEGIN / { cur = $2; intest = 1; ttap = 0; tnotok = 0; tn = 0; next }
	/^VMSCOPE-TEST [^ ]+ rc=-?[0-9]+$/ {
		rc = $3; sub(/^rc=/, "", rc); rc += 0
		if (ttap == 0 && rc == 0) {
			npassed++
		} else if (ttap == 0 && rc == 4) {
			nskipped++
		} else if (rc != 0 && rc != 4 && tnotok == 0) {
			report(sprintf("FAIL  %s: exit status %d %s", $2, rc,
				ttap ? "without a \"not ok\" line" : "and no TAP result line"))
			nfailed++
			test_output($2)
		} else if (tnotok) {
			test_output($2)
		}
		intest = 0; cur = ""
		next
	}
	intest { tbuf[++tn] = $0 }
	/^VMSCOPE-CMD rc=/ { cmd_rc = substr($0, 16) + 0; sawcmd = 1; next }
	/^VMSCOPE-EXIT rc=/ { sawexit = 1; next }
	/^VMSCOPE: .* failed( \(.*\))?$/ { report("FAIL  " substr($0, 10)); nfailed++; next }
	/^(not )?ok [0-9]+( |$)/ {
		if (intest) ttap++
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) {
			nskipped++
		} else if ($0 ~ /^not ok/) {
			nfailed++
			if (intest) tnotok++
			report("FAIL  " (intest ? cur ": " : "") $0)
		} else {
			npassed++
		}
		next
	}
	/Kernel panic - not syncing/ && panic == "" { panic = $0 }
	END {
		if (has_cmd) {
			if (!sawcmd) { report("FAIL  command: did not finish"); nfailed++ }
			else if (cmd_rc) { report("FAIL  command: exit status " cmd_rc); nfailed++ }
			else { report("ok    command"); npassed++ }
		}

		if (sawdmesg) { for (i = 1; i <= nd; i++) if (bad_line(dmesg[i], i)) badl[++nbad] = dmesg[i] }
		else { for (i = 1; i <= nc; i++) if (bad_line(con[i], i)) badl[++nbad] = con[i] }
		if (nbad) {
			report(sprintf("FAIL  kernel log clean: %d bad line%s in %s", nbad,
				nbad > 1 ? "s" : "", sawdmesg ? "dmesg" : "the console (no dmesg dump)"))
			for (i = 1; i <= nbad && i <= 40; i++)
				report("        " badl[i])
			if (nbad > 40) report("        ...")
			nfailed++
		} else {
			report("ok    kernel log clean" (sawdmesg ? "" : " (searched the console: no dmesg dump)"))
			npassed++
		}

		if (sawexit) {
			report("ok    vm finished")
			npassed++
		} else {
			if (qemu_rc == 124 || qemu_rc == 137) why = "timed out after " timeout "s"
			else if (panic != "") why = "kernel panic: " panic
			else why = "VM stopped without VMSCOPE-EXIT (qemu exit status " qemu_rc ")"
			if (intest) why = why ", while running test " cur
			report("FAIL  vm finished: " why)
			nfailed++
		}

		print "vmtest.sh: ----- results -----"
		for (i = 1; i <= nrep; i++)
			print rep[i]
		printf "%d %d %d\n", npassed, nfailed, nskipped > counts
	}' "$log"

	read -r passed failed skipped <"$counts"
	echo "vmtest.sh: $VERSION, $LEVEL-level paging, VM ran ${elapsed}s, log: $LOGFILE"
	if [[ -n $RESULTFILE ]]; then
		echo "passed=$passed failed=$failed skipped=$skipped" >"$RESULTFILE" ||
			echo "vmtest.sh: error: cannot write $RESULTFILE" >&2
	fi
	if ((skipped)); then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	((failed == 0))
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	[[ -n $WORKDIR ]] && rm -rf -- "$WORKDIR"
	return 0
}

main()
{
	local rawlog start elapsed

	parse_args "$@"
	need_pkgs "${DEPS[@]}" || die "cannot install what vmtest.sh needs: ${DEPS[*]}"

	VERSION=$("$KERNELS_SH" resolve "$KERNEL") || die "cannot resolve kernel '$KERNEL'"
	check_inputs
	note "kernel $VERSION"
	KERNEL_DIR=$("$KERNELS_SH" fetch "$VERSION") || die "cannot fetch kernel $VERSION"

	mkdir -p "$VMSCOPE_CACHE/logs"
	WORKDIR=$(mktemp -d "$VMSCOPE_CACHE/vmtest.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LOGFILE=$VMSCOPE_CACHE/logs/$VERSION-L$LEVEL.log
	rawlog=$WORKDIR/console.log

	build_initramfs "$WORKDIR/initramfs.cpio"

	if ((SHELL_MODE)); then
		echo "vmtest.sh: starting a shell in the VM: leave with 'exit' or 'poweroff -f' in it, or Ctrl-a x" >&2
	fi
	note "booting $VERSION with $LEVEL-level paging, timeout ${TIMEOUT}s"
	start=$SECONDS
	run_vm "$WORKDIR/initramfs.cpio" "$rawlog"
	if died_before_module "$rawlog"; then
		# the module was not loaded yet: nothing of vmscope's had run
		clean_console <"$rawlog" >"$LOGFILE.boot1"
		echo "vmtest.sh: the kernel died before vmscope.ko was loaded ($(grep -m1 -E 'Kernel panic|BUG:|Oops' "$rawlog" || echo "no init output")); booting once more, that boot's log: $LOGFILE.boot1"
		run_vm "$WORKDIR/initramfs.cpio" "$rawlog"
	fi
	elapsed=$((SECONDS - start))
	clean_console <"$rawlog" >"$LOGFILE"

	summarize "$LOGFILE" "$elapsed"
}

main "$@"; exit
