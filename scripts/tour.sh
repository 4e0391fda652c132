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

# region NAME: the address vmscope-shape printed for NAME
region()
{
	awk -v n="$1" '$1 == n { print $2 }' /tmp/shape.out
}

echo
echo "vmscope tour on $(uname -r)"
step "The module is loaded and exposes /proc/vmscope and /dev/vmscope" \
	ls -l /proc/vmscope /dev/vmscope
step "What the MMU is walking: levels, page size, the user/kernel split" \
	vmscope info
step "The same as a cat-able /proc file" \
	cat /proc/vmscope/info

vmscope-shape >/tmp/shape.out &
pid=$!
while [ ! -s /tmp/shape.out ] || [ "$(wc -l </tmp/shape.out)" -lt 6 ]; do
	sleep 0.1
done
echo
echo "A process of known shape, vmscope-shape (PID $pid), has mapped:"
cat /tmp/shape.out

t=$(region touched)
step "Translate one address of it, level by level, as the MMU does" \
	vmscope translate "$pid" "$t"
step "A page of the 'sparse' region that was never touched: demand paging" \
	vmscope translate "$pid" "$(printf '%x' $(($(region sparse) + 4096)))"
step "A page that was swapped out (MADV_PAGEOUT, zram swap)" \
	vmscope translate "$pid" "$(region swapped)"
step "A 2 MiB THP: the walk ends one level early, at a PMD leaf" \
	vmscope translate "$pid" "$(region thp)"
step "Every page of the 'sparse' region, as ranges of like pages" \
	vmscope walk "$pid" "$(region sparse)" +64K
step "The THP region: 1024 pages under two PMD leaves" \
	vmscope walk "$pid" "$(region thp)" +4M
step "The swapped region (MADV_PAGEOUT: how much went to zram)" \
	vmscope walk "$pid" "$(region swapped)" +256K
step "The PROT_NONE guard region: a VMA, but nothing may be mapped" \
	vmscope translate "$pid" "$(region guard)"
step "What its page tables cost, against one flat table" \
	vmscope pagetable "$pid"
step "The whole process as a textbook draws it: segments, residency, picture" \
	vmscope layout "$pid"
step "The same as text in /proc (here: for cat itself, the opener)" \
	cat /proc/vmscope/layout
step "The page faults behind all that: first touches are minor faults" \
	vmscope faults "$pid"
step "Which process the OOM killer would choose first, and why" \
	sh -c "vmscope oom | head -12"
step "And as JSON for scripts" \
	vmscope translate --json "$pid" "$(region shared)"
kill "$pid"
step "How the kernel reclaims: watermarks, free lists, LRU lists, counters" \
	vmscope reclaim
step "The counters as a cat-able /proc file (names as in /proc/vmstat)" \
	sh -c "head -12 /proc/vmscope/reclaim"
step "Triage: the system and its processes as top shows them, one frame" \
	vmscope top -b -n 1
step "Triage: what is wrong, with the evidence (a quiet VM: nothing)" \
	vmscope doctor --duration 2
step "Triage: the same figures for Prometheus (node_exporter textfile)" \
	sh -c "vmscope export --top 1 | head -9"
step "Experiments: textbook claims, tested on this kernel" \
	vmscope exp list
for e in malloc-threshold demand-paging cow thp fault-path layout-32-vs-64 leak; do
	step "Experiment: $e" vmscope exp run "$e"
done

grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
step "A user without CAP_SYS_ADMIN is refused (root-only by default)" \
	sh -c "su -s /bin/sh nobody -c 'vmscope info' 2>&1 || true"
