/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmscope doctor's analysis: samples of the system over a window, and the
 * findings they support, each with its evidence (measured value against
 * threshold).  Used by vmscope doctor and the experiments.
 */
#ifndef VMSCOPE_DOCTOR_H
#define VMSCOPE_DOCTOR_H

#include <stdint.h>

#define DOC_MAX_FINDINGS	32
#define DOC_MAX_PIDS		8
#define DOC_MAX_CGROUPS		4
#define DOC_MAX_EVIDENCE	10

enum doc_severity { DOC_INFO, DOC_WARNING, DOC_CRITICAL };

struct doc_evidence {
	char name[40];
	double value;
	char op[3];		/* how value compares with threshold: > >= < */
	double threshold;	/* NAN: a fact, not compared */
	char unit[16];
};

struct doc_finding {
	char kind[24];		/* leak, swap, thrashing, ... */
	enum doc_severity severity;
	char summary[200];
	uint32_t pids[DOC_MAX_PIDS];
	int nr_pids;
	char cgroups[DOC_MAX_CGROUPS][256];
	int nr_cgroups;
	struct doc_evidence ev[DOC_MAX_EVIDENCE];
	int nr_ev;
	char next[160];
	/* leak findings: what grew, and how fast (bytes/s) */
	char segment[16];
	double rate;
};

struct doc_result {
	double duration_s;
	int nr;
	struct doc_finding f[DOC_MAX_FINDINGS];
};

void doctor_run(int fd, double duration, struct doc_result *r);
const char *doc_severity_name(enum doc_severity s);

#endif
