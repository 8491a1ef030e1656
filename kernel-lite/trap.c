// SPDX-License-Identifier: MIT
/*
 * Traps: timer and software interrupts, U-mode syscalls, and a
 * cooperative round-robin scheduler over the hart's U-mode tasks.
 *
 * Tasks switch only on yield and exit, never on a timer tick, so the order
 * in which a hart's tasks run (and therefore what they log) depends on
 * nothing but the program.  Each hart schedules its own tasks; nothing in
 * here is shared between harts except the CLINT registers, and each hart
 * only writes its own (the IPI sender writes the target's msip, which the
 * target clears before counting, see kl_send_ipi()).
 *
 * Each task runs in its own Sv39 address space (vm.c); its page faults
 * come here, and the kernel reads task memory through vm.c, never by the
 * task's pointer.
 *
 * FP state is switched lazily with mstatus.FS.  A task starts with FS=Off;
 * its first FP instruction traps (illegal instruction) and the kernel
 * gives it zeroed registers and FS=Initial.  On a switch the outgoing
 * task's registers are saved only if its FS is Dirty (and it goes on with
 * FS=Clean); the incoming task's are loaded only if it has FP state and
 * the registers hold another task's (h->fp_owner).
 */
#include "kl.h"

#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_ECALL_U 8
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15
#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7

static volatile u64 *mtimecmp(u64 hartid)
{
	return (volatile u64 *)(KL_CLINT_MTIMECMP + 8 * hartid);
}

static volatile u32 *msip(u64 hartid)
{
	return (volatile u32 *)(KL_CLINT_MSIP + 4 * hartid);
}

void kl_timer_start(struct kl_hart *h, u64 interval)
{
	h->timer_interval = interval;
	*mtimecmp(h->hartid) = kl_mtime() + interval;
	csr_set(mie, MIE_MTIE);
}

void kl_timer_stop(struct kl_hart *h)
{
	csr_clear(mie, MIE_MTIE);
	*mtimecmp(h->hartid) = ~0ULL;
}

/*
 * Raise a software interrupt on @hartid.  The target clears its msip
 * before it bumps ipi_rx, so a sender that waits for ipi_rx to move before
 * sending again never has two IPIs merge into one.
 */
void kl_send_ipi(u32 hartid)
{
	kl_fence(); /* our earlier stores are visible before the IPI */
	*msip(hartid) = 1;
}

static void log_append(struct kl_hart *h, const char *s, u64 n)
{
	while (n--) {
		if (h->log_len >= KL_LOG_SIZE - 1) {
			h->log_overflow = 1;
			return;
		}
		h->log[h->log_len++] = *s++;
	}
}

static void log_printf(struct kl_hart *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_printf(struct kl_hart *h, const char *fmt, ...)
{
	char buf[96];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kl_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_append(h, buf, n < (int)sizeof(buf) ? (u64)n : sizeof(buf) - 1);
}

static u64 fs_of(const struct kl_frame *f)
{
	return f->mstatus & MSTATUS_FS;
}

/*
 * Leave the current task (saving *f unless it is done) and load the next
 * runnable one into *f.  NULL: no task left, back to the kernel.
 */
static struct kl_frame *switch_task(struct kl_hart *h, struct kl_frame *f,
				    int done)
{
	struct kl_task *t = &h->tasks[h->cur];
	int i;

	if (done) {
		if (h->fp_owner == t)
			h->fp_owner = NULL;
	} else {
		if (fs_of(f) == MSTATUS_FS_DIRTY) {
			kl_fp_save(&t->fp);
			t->fp_saves++;
			f->mstatus = (f->mstatus & ~MSTATUS_FS) |
				     MSTATUS_FS_CLEAN;
		}
		t->frame = *f;
	}
	for (i = 1; i <= h->ntasks; i++) {
		int next = (h->cur + i) % h->ntasks;
		struct kl_task *n = &h->tasks[next];

		if (n->state != KL_TASK_RUNNABLE)
			continue;
		h->cur = next;
		*f = n->frame;
		if (fs_of(f) != MSTATUS_FS_OFF && h->fp_owner != n) {
			kl_fp_load(&n->fp);
			n->fp_restores++;
			h->fp_owner = n;
		}
		kl_vm_switch(h, n);
		return f;
	}
	return NULL;
}

/*
 * The instruction at @t's @pc is an F/D one: it uses the FP registers or
 * fcsr.  It is read through the task's page table, as any task memory.
 */
static int is_fp_insn(const struct kl_task *t, u64 pc)
{
	u16 p[2];
	u32 insn, op, csr, f3;

	if (kl_vm_copy_from_user(t, p, pc, 2))
		return 0;
	insn = p[0];
	if ((insn & 3) != 3) {
		/* C.FLD, C.FSD (quadrant 0), C.FLDSP, C.FSDSP (quadrant 2) */
		f3 = insn >> 13;
		return ((insn & 3) == 0 || (insn & 3) == 2) &&
		       (f3 == 1 || f3 == 5);
	}
	if (kl_vm_copy_from_user(t, &p[1], pc + 2, 2))
		return 0;
	insn |= (u32)p[1] << 16;
	op = insn & 0x7f;
	switch (op) {
	case 0x07: /* LOAD-FP */
	case 0x27: /* STORE-FP */
	case 0x43: /* MADD, MSUB, NMSUB, NMADD */
	case 0x47:
	case 0x4b:
	case 0x4f:
	case 0x53: /* OP-FP */
		return 1;
	case 0x73: /* SYSTEM: a CSR access to fflags, frm or fcsr */
		f3 = (insn >> 12) & 7;
		csr = insn >> 20;
		return f3 != 0 && f3 != 4 && csr >= 1 && csr <= 3;
	default:
		return 0;
	}
}

/*
 * A task's first FP instruction (FS=Off): give it zeroed FP registers and
 * fcsr, FS=Initial, and run the instruction again.
 */
static struct kl_frame *fp_first_use(struct kl_hart *h, struct kl_frame *f)
{
	struct kl_task *t = &h->tasks[h->cur];

	memset(&t->fp, 0, sizeof(t->fp));
	kl_fp_load(&t->fp);
	h->fp_owner = t;
	t->fp_first_use++;
	f->mstatus = (f->mstatus & ~MSTATUS_FS) | MSTATUS_FS_INITIAL;
	return f;
}

static const char *cause_name(u64 cause)
{
	switch (cause) {
	case 0: return "instruction address misaligned";
	case 1: return "instruction access fault";
	case 2: return "illegal instruction";
	case 3: return "breakpoint";
	case 4: return "load address misaligned";
	case 5: return "load access fault";
	case 6: return "store address misaligned";
	case 7: return "store access fault";
	case 12: return "instruction page fault";
	case 13: return "load page fault";
	case 15: return "store page fault";
	default: return "exception";
	}
}

/* write(fd, buf, len) into the hart's log: len, or -EINVAL / -EFAULT */
static long sys_write(struct kl_hart *h, const struct kl_task *t, u64 fd,
		      u64 buf, u64 len)
{
	char chunk[64];
	u64 done, n;

	if (fd != 1 || len > KL_LOG_SIZE)
		return -22;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (kl_vm_copy_from_user(t, chunk, buf + done, n))
			return -14;
		log_append(h, chunk, n);
	}
	return (long)len;
}

static int is_page_fault(u64 cause)
{
	return cause == CAUSE_FETCH_PAGE_FAULT ||
	       cause == CAUSE_LOAD_PAGE_FAULT ||
	       cause == CAUSE_STORE_PAGE_FAULT;
}

static struct kl_frame *syscall(struct kl_hart *h, struct kl_frame *f)
{
	struct kl_task *t = &h->tasks[h->cur];
	u64 *a = &f->x[10];

	t->syscalls++;
	f->mepc += 4;
	switch (f->x[17]) {
	case KL_SYS_WRITE:
		a[0] = (u64)sys_write(h, t, a[0], a[1], a[2]);
		break;
	case KL_SYS_GETPID:
		a[0] = t->pid;
		break;
	case KL_SYS_YIELD:
		a[0] = 0;
		return switch_task(h, f, 0);
	case KL_SYS_EXIT:
		t->exit_code = (long)a[0];
		t->state = KL_TASK_DONE;
		return switch_task(h, f, 1);
	default:
		a[0] = (u64)-38; /* ENOSYS */
		break;
	}
	return f;
}

struct kl_frame *kl_trap(struct kl_frame *f)
{
	struct kl_hart *h = kl_this_hart();
	u64 cause = csr_read(mcause);

	if ((s64)cause < 0) {
		switch (cause & 0xff) {
		case IRQ_M_TIMER:
			h->ticks++;
			*mtimecmp(h->hartid) = kl_mtime() + h->timer_interval;
			return f;
		case IRQ_M_SOFT:
			*msip(h->hartid) = 0;
			kl_fence(); /* the clear lands before the sender sees ipi_rx move */
			WRITE_ONCE(h->ipi_rx, h->ipi_rx + 1);
			return f;
		default:
			kl_panic("hart %lu: unexpected interrupt %lu\n",
				 h->hartid, cause & 0xff);
		}
	}
	if (f->mstatus & MSTATUS_MPP)
		kl_panic("hart %lu: %s (mcause %lu) in M-mode at %lx, mtval %lx\n",
			 h->hartid, cause_name(cause), cause, f->mepc,
			 csr_read(mtval));
	if (cause == CAUSE_ECALL_U)
		return syscall(h, f);
	if (is_page_fault(cause) &&
	    !kl_vm_fault(h, &h->tasks[h->cur], cause, csr_read(mtval)))
		return f;
	if (cause == CAUSE_ILLEGAL_INSN && fs_of(f) == MSTATUS_FS_OFF &&
	    is_fp_insn(&h->tasks[h->cur], f->mepc))
		return fp_first_use(h, f);

	/* any other exception kills the task */
	h->tasks[h->cur].killed_cause = cause + 1;
	h->tasks[h->cur].exit_code = -1;
	h->tasks[h->cur].state = KL_TASK_DONE;
	if (is_page_fault(cause))
		log_printf(h, "  [kernel] pid %d killed: %s at %lx\n",
			   h->tasks[h->cur].pid, cause_name(cause),
			   csr_read(mtval));
	else
		log_printf(h, "  [kernel] pid %d killed: %s\n",
			   h->tasks[h->cur].pid, cause_name(cause));
	return switch_task(h, f, 1);
}

static void task_exit_trampoline(long code)
{
	u_exit(code);
}

/*
 * Run @ntasks U-mode tasks on this hart, entries[i](i, &h->ticks) each in
 * its own Sv39 address space, until all have exited.  Returns the number
 * of tasks started.
 */
int kl_run_tasks(struct kl_hart *h, const kl_task_fn entries[], int ntasks)
{
	u64 mstatus = csr_read(mstatus);
	int i, err;

	if (ntasks > KL_TASKS_PER_HART)
		ntasks = KL_TASKS_PER_HART;
	for (i = 0; i < ntasks; i++) {
		struct kl_task *t = &h->tasks[i];

		memset(t, 0, sizeof(*t));
		t->state = KL_TASK_RUNNABLE;
		t->pid = (int)(h->hartid * 10 + i + 1);
		t->frame.x[1] = (u64)task_exit_trampoline;
		t->frame.x[2] = KL_USTACK_TOP;
		t->frame.x[10] = i;
		t->frame.x[11] = (u64)&h->ticks;
		t->frame.mepc = (u64)entries[i];
		/* MPP = U, MPIE = 1: mret enters U-mode; FS = Off: the
		 * first FP instruction traps, see fp_first_use() */
		t->frame.mstatus = (mstatus & ~(MSTATUS_MPP | MSTATUS_MIE |
						MSTATUS_FS)) |
				   MSTATUS_MPIE;
		err = kl_vm_task_init(h, t, i);
		if (err)
			kl_panic("hart %lu: no address space for task %d (%d%s)\n",
				 h->hartid, i, err,
				 err == -19 ? ": satp does not take Sv39" : "");
	}
	h->ntasks = ntasks;
	h->cur = 0;
	kl_vm_switch(h, &h->tasks[0]);
	h->fp_owner = NULL;
	kl_enter_user(&h->tasks[0].frame);
	kl_vm_switch(h, NULL);
	return ntasks;
}
