/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints, system kvm_pmu_partition: what the module does to each VM
 * and vCPU, as it happens.  Every event names the VM ("<pid>-<fd>", as
 * vms/), the vCPU (vcpu_idx; -1 for the VM as a whole) and the pCPU.
 * Disabled, each is a static branch: no argument is evaluated.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_pmu_partition

#if !defined(KPP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KPP_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#define KPP_TP_VM_ASSIGN(name, id)					\
	do {								\
		strscpy(__entry->vm, (name), sizeof(__entry->vm));	\
		__entry->vcpu = (id);					\
		__entry->cpu = raw_smp_processor_id();			\
	} while (0)

/* A vCPU's PMU state into hardware: at its load, or by the fold. */
TRACE_EVENT(vcpu_partition,
	    TP_PROTO(const char *vm, int vcpu, u32 hpmn, const char *at),
	    TP_ARGS(vm, vcpu, hpmn, at),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(u32, hpmn)
			     __array(char, at, 8)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->hpmn = hpmn;
			   strscpy(__entry->at, at, sizeof(__entry->at));),
	    TP_printk("vm=%s vcpu=%d cpu=%d hpmn=%u at=%s",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->hpmn,
		      __entry->at)
);

/* Out of hardware into KVM's copies: at put, rmmod, or a lost hook. */
TRACE_EVENT(vcpu_unpartition,
	    TP_PROTO(const char *vm, int vcpu, const char *at),
	    TP_ARGS(vm, vcpu, at),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __array(char, at, 8)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   strscpy(__entry->at, at, sizeof(__entry->at));),
	    TP_printk("vm=%s vcpu=%d cpu=%d at=%s",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->at)
);

/* vms/<vm>/mode written: taken (ret 0), or refused with an errno. */
TRACE_EVENT(mode_request,
	    TP_PROTO(const char *vm, bool partitioned, int ret),
	    TP_ARGS(vm, partitioned, ret),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(bool, partitioned)
			     __field(int, ret)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, -1);
			   __entry->partitioned = partitioned;
			   __entry->ret = ret;),
	    TP_printk("vm=%s vcpu=%d cpu=%d mode=%s ret=%d",
		      __entry->vm, __entry->vcpu, __entry->cpu,
		      __entry->partitioned ? "partitioned" : "trapped",
		      __entry->ret)
);

/* A vCPU changed mode (its VM's stats/mode_switches). */
TRACE_EVENT(mode_switch,
	    TP_PROTO(const char *vm, int vcpu, bool partitioned),
	    TP_ARGS(vm, vcpu, partitioned),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(bool, partitioned)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->partitioned = partitioned;),
	    TP_printk("vm=%s vcpu=%d cpu=%d mode=%s",
		      __entry->vm, __entry->vcpu, __entry->cpu,
		      __entry->partitioned ? "partitioned" : "trapped")
);

/* The fold ran: KVM's perf events into the vCPU's copies, released. */
TRACE_EVENT(fold,
	    TP_PROTO(const char *vm, int vcpu, unsigned int events),
	    TP_ARGS(vm, vcpu, events),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(unsigned int, events)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->events = events;),
	    TP_printk("vm=%s vcpu=%d cpu=%d events=%u",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->events)
);

/* A guest overflow interrupt forwarded: its PMOVSSET_EL0 bits. */
TRACE_EVENT(overflow,
	    TP_PROTO(const char *vm, int vcpu, u64 mask),
	    TP_ARGS(vm, vcpu, mask),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(u64, mask)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->mask = mask;),
	    TP_printk("vm=%s vcpu=%d cpu=%d mask=%#llx",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->mask)
);

/* A VM kept trapped (vms/<vm>/reason): at its first run, or a mode write. */
TRACE_EVENT(admit_refused,
	    TP_PROTO(const char *vm, const char *reason),
	    TP_ARGS(vm, reason),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __array(char, reason, 80)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, -1);
			   strscpy(__entry->reason, reason, sizeof(__entry->reason));),
	    TP_printk("vm=%s vcpu=%d cpu=%d reason=\"%s\"",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->reason)
);

/* reserve=dynamic: host events off the guest's counters at a claim. */
TRACE_EVENT(host_events_moved,
	    TP_PROTO(const char *vm, int vcpu, unsigned int moved, unsigned int waiting,
		     unsigned int pinned_lost),
	    TP_ARGS(vm, vcpu, moved, waiting, pinned_lost),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(unsigned int, moved)
			     __field(unsigned int, waiting)
			     __field(unsigned int, pinned_lost)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->moved = moved;
			   __entry->waiting = waiting;
			   __entry->pinned_lost = pinned_lost;),
	    TP_printk("vm=%s vcpu=%d cpu=%d moved=%u waiting=%u lost=%u",
		      __entry->vm, __entry->vcpu, __entry->cpu, __entry->moved,
		      __entry->waiting, __entry->pinned_lost)
);

/* Lazy ownership: a free vCPU's guest touched its PMU, or stopped. */
TRACE_EVENT(lazy,
	    TP_PROTO(const char *vm, int vcpu, bool owned),
	    TP_ARGS(vm, vcpu, owned),
	    TP_STRUCT__entry(__array(char, vm, 32)
			     __field(int, vcpu)
			     __field(int, cpu)
			     __field(bool, owned)),
	    TP_fast_assign(KPP_TP_VM_ASSIGN(vm, vcpu);
			   __entry->owned = owned;),
	    TP_printk("vm=%s vcpu=%d cpu=%d now=%s",
		      __entry->vm, __entry->vcpu, __entry->cpu,
		      __entry->owned ? "owned" : "free")
);

#endif /* KPP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kpp_trace
#include <trace/define_trace.h>
