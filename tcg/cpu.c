/* SPDX-License-Identifier: MIT */
/*
 * vCPU life cycle, the dispatcher loop and the memory helpers behind the
 * backend's slow paths (traps and interrupts: trap.c).
 *
 * The dispatcher (tcg_cpu_exec) is the only place that takes interrupts,
 * applies a new trace mask, parks for stop or an exclusive section, and
 * sleeps in WFI.  It runs when a block exits; other threads get it to run
 * by setting the condition and then cpu->exit_request (tcg_kick), which
 * the next TB_ENTRY sees.
 *
 * Guest RAM accesses from helpers use host atomics where the ISA needs
 * them: LR records (address, value); SC is a compare-and-swap against that
 * value, so it fails if any hart changed the word since (QEMU's approach).
 * AMOs are host atomic read-modify-writes.  Misaligned AMO/LR/SC trap;
 * misaligned plain loads and stores are done, as QEMU 7.2 virt does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/guest-ram.h"
#include "tcg/tcg-internal.h"

/* ---------------------------------------------------------------- log */

unsigned tcg_log_mask;
static FILE *tcg_log_file;

void tcg_log_set_file(void *file)
{
	tcg_log_file = file;
}

void tcg_log(const char *fmt, ...)
{
	FILE *f = tcg_log_file ? tcg_log_file : stderr;
	va_list ap;

	va_start(ap, fmt);
	flockfile(f);
	vfprintf(f, fmt, ap);
	funlockfile(f);
	va_end(ap);
}

static const struct {
	const char *name;
	unsigned mask;
	const char *help;
} log_items[] = {
	{ "int", TCG_LOG_INT, "show traps and interrupts" },
	{ "in_asm", TCG_LOG_IN_ASM, "show guest code of each translated block" },
	{ "exec", TCG_LOG_EXEC, "show every block entered from the dispatcher" },
	{ "guest_errors", TCG_LOG_GUEST_ERRORS,
	  "log bad guest accesses (unmapped MMIO, bad finisher values)" },
	{ "unimp", TCG_LOG_UNIMP, "log accesses to unimplemented CSRs" },
};

int tcg_log_parse(const char *spec, unsigned *mask, const char **bad)
{
	char buf[256], *save = NULL, *tok;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned i, n = sizeof(log_items) / sizeof(log_items[0]);

		for (i = 0; i < n; i++)
			if (!strcmp(tok, log_items[i].name))
				break;
		if (i == n) {
			*bad = strstr(spec, tok) ? strstr(spec, tok) : spec;
			return -1;
		}
		*mask |= log_items[i].mask;
	}
	return 0;
}

void tcg_log_print_items(void *file)
{
	for (unsigned i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++)
		fprintf(file, "%-13s %s\n", log_items[i].name, log_items[i].help);
}

/* ---------------------------------------------------------------- setup */

static const struct tcg_backend *const backends[] = {
	&tcg_backend_interp,
#ifdef __x86_64__
	&tcg_backend_native,
#endif
};

static const struct tcg_backend *backend_by_name(const char *name)
{
	for (unsigned i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

bool tcg_backend_exists(const char *name)
{
	return backend_by_name(name) != NULL;
}

const char *tcg_machine_backend(const struct tcg_machine *m)
{
	return m->backend->name;
}

struct tcg_machine *tcg_machine_create(const struct tcg_machine_config *cfg)
{
	const struct tcg_backend *be =
		backend_by_name(cfg->backend ? cfg->backend : "interp");
	struct tcg_machine *m;

	if (!cfg->ram || cfg->ram_size < TCG_PAGE_SIZE ||
	    cfg->ram_size % TCG_PAGE_SIZE || !be)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->ram = cfg->ram;
	m->ram_base = cfg->ram_base;
	m->ram_size = cfg->ram_size;
	m->npages = cfg->ram_size >> TCG_PAGE_BITS;
	m->mmio = cfg->mmio;
	m->hooks = cfg->hooks;
	m->opaque = cfg->opaque;
	m->backend = be;
	m->store_slow = calloc(m->npages + 1, 1);
	m->page_tbs = calloc(m->npages, sizeof(*m->page_tbs));
	m->page_gen = calloc(m->npages, sizeof(*m->page_gen));
	if (!m->store_slow || !m->page_tbs || !m->page_gen)
		goto out_free;
	if (tcg_codebuf_init(&m->code, cfg->code_buffer_size
					       ? cfg->code_buffer_size
					       : (size_t)64 << 20))
		goto out_free;
	pthread_mutex_init(&m->tb_lock, NULL);
	pthread_mutex_init(&m->excl_lock, NULL);
	pthread_cond_init(&m->excl_cond, NULL);
	return m;

out_free:
	free(m->store_slow);
	free(m->page_tbs);
	free(m->page_gen);
	free(m);
	return NULL;
}

void tcg_machine_set_hooks(struct tcg_machine *m, const struct tcg_hooks *h,
			   void *opaque)
{
	m->hooks = h;
	m->opaque = opaque;
}

void tcg_machine_destroy(struct tcg_machine *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->ncpus; i++) {
		pthread_mutex_destroy(&m->cpus[i]->lock);
		pthread_cond_destroy(&m->cpus[i]->cond);
		free(m->cpus[i]);
	}
	tcg_codebuf_destroy(&m->code);
	free(m->store_slow);
	free(m->page_tbs);
	free(m->page_gen);
	free(m);
}

struct tcg_cpu *tcg_cpu_create(struct tcg_machine *m, unsigned hartid)
{
	struct tcg_cpu *cpu;

	if (m->ncpus >= CONFIG_MAX_VCPUS)
		return NULL;
	cpu = aligned_alloc(64, (sizeof(*cpu) + 63) & ~(size_t)63);
	if (!cpu)
		return NULL;
	memset(cpu, 0, sizeof(*cpu));
	cpu->m = m;
	cpu->ram = m->ram;
	cpu->ram_base = m->ram_base;
	cpu->ram_size = m->ram_size;
	cpu->store_slow = m->store_slow;
	cpu->hartid = hartid;
	cpu->priv = TCG_PRIV_M;
	cpu->pc = m->ram_base;
	cpu->mstatus = (2ull << 32) | (2ull << 34); /* UXL = SXL = 64 */
	tcg_csr_reset(cpu);
	cpu->state = TCG_CPU_STOPPED; /* until tcg_cpu_exec() */
	tcg_mmu_flush(cpu);
	pthread_mutex_init(&cpu->lock, NULL);
	pthread_cond_init(&cpu->cond, NULL);
	m->cpus[m->ncpus++] = cpu;
	return cpu;
}

unsigned tcg_cpu_hartid(const struct tcg_cpu *cpu) { return (unsigned)cpu->hartid; }
struct tcg_machine *tcg_cpu_machine(const struct tcg_cpu *cpu) { return cpu->m; }
void tcg_cpu_set_pc(struct tcg_cpu *cpu, uint64_t pc) { cpu->pc = pc & ~1ull; }
uint64_t tcg_cpu_get_pc(const struct tcg_cpu *cpu) { return cpu->pc; }
enum tcg_priv tcg_cpu_get_priv(const struct tcg_cpu *cpu) { return cpu->priv; }
void tcg_cpu_set_priv(struct tcg_cpu *cpu, enum tcg_priv p) { cpu->priv = (uint8_t)p; }

void tcg_cpu_set_reg(struct tcg_cpu *cpu, unsigned reg, uint64_t val)
{
	if (reg && reg < 32)
		cpu->x[reg] = val;
}

uint64_t tcg_cpu_get_reg(const struct tcg_cpu *cpu, unsigned reg)
{
	return reg < 32 ? cpu->x[reg] : 0;
}

uint64_t tcg_cpu_get_freg(const struct tcg_cpu *cpu, unsigned reg)
{
	return reg < 32 ? cpu->f[reg] : 0;
}

int tcg_cpu_read_csr(struct tcg_cpu *cpu, unsigned csr, uint64_t *val)
{
	return tcg_csr_access(cpu, csr, val, 0, 0, false, TCG_PRIV_M) ? -1 : 0;
}

int tcg_cpu_write_csr(struct tcg_cpu *cpu, unsigned csr, uint64_t val)
{
	uint64_t old;

	return tcg_csr_access(cpu, csr, &old, val, ~0ull, true, TCG_PRIV_M)
		       ? -1 : 0;
}

void tcg_cpu_get_stats(const struct tcg_cpu *cpu, struct tcg_cpu_stats *st)
{
	*st = cpu->stats;
	st->instret = cpu->instret;
}

enum tcg_cpu_state tcg_cpu_state(const struct tcg_cpu *cpu)
{
	return __atomic_load_n(&cpu->state, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- control */

void tcg_kick(struct tcg_cpu *cpu)
{
	/* Pairs with the acquire in TB_ENTRY and the xchg in the dispatcher. */
	__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&cpu->lock);
	pthread_cond_broadcast(&cpu->cond);
	pthread_mutex_unlock(&cpu->lock);
}

void tcg_cpu_stop(struct tcg_cpu *cpu)
{
	__atomic_store_n(&cpu->stop_request, 1, __ATOMIC_RELEASE);
	tcg_kick(cpu);
}

void tcg_cpu_clear_stop(struct tcg_cpu *cpu)
{
	__atomic_store_n(&cpu->stop_request, 0, __ATOMIC_RELEASE);
}

void tcg_machine_shutdown(struct tcg_machine *m, int code)
{
	if (__atomic_exchange_n(&m->shutdown, 1, __ATOMIC_ACQ_REL) == 0)
		m->shutdown_code = code;
	for (unsigned i = 0; i < m->ncpus; i++)
		tcg_kick(m->cpus[i]);
}

bool tcg_machine_is_shutdown(struct tcg_machine *m, int *code)
{
	if (!__atomic_load_n(&m->shutdown, __ATOMIC_ACQUIRE))
		return false;
	if (code)
		*code = m->shutdown_code;
	return true;
}

/*
 * Callers are serialized (control's lock).  The mask is stored before the
 * flag is raised; the vCPU takes the flag down with one exchange before it
 * reads the mask, so a change that lands after that exchange raises the
 * flag again and is applied at the next boundary: none is lost.
 */
void tcg_cpu_set_trace_mask(struct tcg_cpu *cpu, uint64_t mask)
{
	__atomic_store_n(&cpu->pending_mask, mask, __ATOMIC_RELAXED);
	/* Pairs with the exchange in handle_exit_request(). */
	__atomic_store_n(&cpu->mask_pending, 1, __ATOMIC_RELEASE);
	tcg_kick(cpu);
}

uint64_t tcg_cpu_trace_mask(const struct tcg_cpu *cpu)
{
	return cpu->key_mask;
}

/* ---------------------------------------------------------------- memory */

static inline bool in_ram(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
			  uint64_t *off)
{
	*off = addr - cpu->ram_base;
	return *off < cpu->ram_size && cpu->ram_size - *off >= size;
}

/* A physical load of size bytes from RAM or a device; -1: access fault. */
static int phys_load(struct tcg_cpu *cpu, uint64_t pa, unsigned size,
		     uint64_t *v)
{
	const struct tcg_mmio_ops *mmio = cpu->m->mmio;
	uint64_t off;

	*v = 0;
	if (in_ram(cpu, pa, size, &off)) {
		*v = tcg_ram_load_n(cpu->ram + off, size);
		return 0;
	}
	if (!mmio || !mmio->read ||
	    mmio->read(cpu->m->opaque, cpu, pa, size, v))
		return -1;
	return 0;
}

/*
 * A misaligned load that starts outside RAM, as QEMU 7.2 does it (device
 * side effects and faults included): two aligned loads
 * of its size around it, whose bytes it takes.  -1 if one faults, with
 * *at the offset of that load's address from pa (the tval).
 */
static int mmio_load_split(struct tcg_cpu *cpu, uint64_t pa, unsigned size,
			   uint64_t *v, int64_t *at)
{
	unsigned sh = (unsigned)(pa & (size - 1));
	uint64_t lo, hi;

	if (phys_load(cpu, pa - sh, size, &lo)) {
		*at = -(int64_t)sh;
		return -1;
	}
	if (phys_load(cpu, pa - sh + size, size, &hi)) {
		*at = (int64_t)(size - sh);
		return -1;
	}
	*v = lo >> (8 * sh) | hi << (8 * (size - sh));
	return 0;
}

/* An access fault outside RAM; tval is addr. */
static void mem_fault(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		      bool store)
{
	if (tcg_log_mask & TCG_LOG_GUEST_ERRORS)
		tcg_log("hart %u: %s of %u bytes at 0x%llx faults\n",
			(unsigned)cpu->hartid, store ? "store" : "load", size,
			(unsigned long long)addr);
	tcg_raise(cpu, store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS, addr);
}

/*
 * QEMU 7.2 does a load that crosses out of a page outside RAM as two
 * aligned loads, the first one before it translates the second page:
 * does that first one fault (neither RAM nor a device there)?
 */
static bool first_part_faults(struct tcg_cpu *cpu, uint64_t addr,
			      unsigned size)
{
	uint64_t pa, pa2, tval, v, off;
	unsigned n1;

	if (tcg_mmu_translate(cpu, addr, 1, TCG_ACC_LOAD, &pa, &pa2, &n1,
			      &tval))
		return false;
	pa &= ~(uint64_t)(size - 1);
	return !in_ram(cpu, pa, size, &off) && phys_load(cpu, pa, size, &v);
}

/*
 * Loads and stores translate first (tcg/mmu.c); one that crosses into a
 * page mapped elsewhere is done in two parts, after both translated.
 */
int tcg_helper_load(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		    bool sign, uint64_t *val)
{
	uint64_t pa, pa2, tval, v, hi = 0;
	unsigned n1;
	int cause;

	cause = tcg_mmu_translate(cpu, addr, size, TCG_ACC_LOAD, &pa, &pa2,
				  &n1, &tval);
	if (cause && tval != addr && first_part_faults(cpu, addr, size)) {
		mem_fault(cpu, addr & ~(uint64_t)(size - 1), size, false);
		return TCG_H_EXIT;
	}
	if (cause) {
		tcg_raise(cpu, (uint64_t)cause, tval);
		return TCG_H_EXIT;
	}
	if ((cpu->trig & TCG_TRIG_MEM) &&
	    tcg_trigger_mem(cpu, addr, size, true, false))
		return TCG_H_EXIT;
	if (n1 == size && (pa & (size - 1)) && !in_ram(cpu, pa, 1, &tval)) {
		int64_t at;

		if (mmio_load_split(cpu, pa, size, &v, &at)) {
			mem_fault(cpu, addr + (uint64_t)at, size, false);
			return TCG_H_EXIT;
		}
	} else if (phys_load(cpu, pa, n1, &v)) {
		/* QEMU 7.2 splits a misaligned load outside RAM into aligned
		 * ones: the first one faults, with its own address. */
		if (!in_ram(cpu, pa, 1, &tval))
			addr &= ~(uint64_t)(size - 1);
		mem_fault(cpu, addr, size, false);
		return TCG_H_EXIT;
	}
	if (n1 < size && phys_load(cpu, pa2, size - n1, &hi)) {
		mem_fault(cpu, addr, size, false);
		return TCG_H_EXIT;
	}
	if (n1 < size)
		v |= hi << (8 * n1);
	if (size < 8) {
		v &= (1ull << (8 * size)) - 1;
		if (sign)
			v = (uint64_t)((int64_t)(v << (64 - 8 * size)) >>
				       (64 - 8 * size));
	}
	*val = v;
	cpu->x[0] = 0; /* a load slow path never targets x0, keep it so */
	return TCG_H_CONT;
}

/* After a RAM write that may hit code: invalidate, leave if any went. */
static int after_code_write(struct tcg_cpu *cpu, uint64_t off, unsigned size)
{
	if (!tcg_store_slow(cpu->store_slow, off >> TCG_PAGE_BITS) &&
	    !tcg_store_slow(cpu->store_slow, (off + size - 1) >> TCG_PAGE_BITS))
		return TCG_H_CONT;
	if (tcg_tb_invalidate_range(cpu, off, size))
		return TCG_H_NEXT;
	return TCG_H_CONT;
}

/* A physical store: TCG_H_CONT or TCG_H_NEXT, or -1 for an access fault. */
static int phys_store(struct tcg_cpu *cpu, uint64_t pa, unsigned size,
		      uint64_t val)
{
	const struct tcg_mmio_ops *mmio = cpu->m->mmio;
	uint64_t off;

	if (in_ram(cpu, pa, size, &off)) {
		tcg_ram_store_n(cpu->ram + off, size, val);
		return after_code_write(cpu, off, size);
	}
	if (size < 8)
		val &= (1ull << (8 * size)) - 1;
	if (!mmio || !mmio->write ||
	    mmio->write(cpu->m->opaque, cpu, pa, size, val))
		return -1;
	/* A device may have asked us to stop (finisher, IPI to self). */
	if (__atomic_load_n(&cpu->exit_request, __ATOMIC_RELAXED))
		return TCG_H_NEXT;
	return TCG_H_CONT;
}

int tcg_helper_store(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
		     uint64_t val)
{
	uint64_t pa, pa2, tval;
	unsigned n1;
	int cause, r, r2 = TCG_H_CONT;

	cause = tcg_mmu_translate(cpu, addr, size, TCG_ACC_STORE, &pa, &pa2,
				  &n1, &tval);
	if (cause) {
		tcg_raise(cpu, (uint64_t)cause, tval);
		return TCG_H_EXIT;
	}
	if ((cpu->trig & TCG_TRIG_MEM) &&
	    tcg_trigger_mem(cpu, addr, size, false, true))
		return TCG_H_EXIT;
	if (n1 == size && (pa & (size - 1)) && !in_ram(cpu, pa, 1, &tval)) {
		/* QEMU 7.2 does a misaligned store outside RAM byte by byte:
		 * a device that takes no byte access faults, tval the byte. */
		for (unsigned i = 0; i < size; i++) {
			r = phys_store(cpu, pa + i, 1, val >> (8 * i));
			if (r < 0) {
				mem_fault(cpu, addr + i, size, true);
				return TCG_H_EXIT;
			}
			r2 = r == TCG_H_NEXT ? r : r2;
		}
		return r2;
	}
	r = phys_store(cpu, pa, n1, val);
	if (r >= 0 && n1 < size)
		r2 = phys_store(cpu, pa2, size - n1, val >> (8 * n1));
	if (r < 0 || r2 < 0) {
		mem_fault(cpu, addr, size, true);
		return TCG_H_EXIT;
	}
	return r == TCG_H_NEXT || r2 == TCG_H_NEXT ? TCG_H_NEXT : TCG_H_CONT;
}

/*
 * Checks shared by LR/SC/AMO: aligned, translated and in RAM, else trap.
 * LR translates as a load; SC and AMOs as a load and then as a store, as
 * QEMU 7.2 probes them: an unreadable page is a load fault, a readable
 * but not writable one a store/AMO fault.  Outside RAM they are load
 * access faults (QEMU 7.2 does them there as a load, then a store; we do
 * not do them on devices).  *off: the RAM offset.
 */
static void *atomic_addr(struct tcg_cpu *cpu, uint64_t addr, unsigned size,
			 bool load, uint64_t *off)
{
	uint64_t pa, pa2, tval;
	unsigned n1;
	int cause;

	if (addr & (size - 1)) {
		tcg_raise(cpu, load ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED,
			  addr);
		return NULL;
	}
	cause = tcg_mmu_translate(cpu, addr, size, TCG_ACC_LOAD, &pa, &pa2,
				  &n1, &tval);
	if (cause) {
		tcg_raise(cpu, (uint64_t)cause, tval);
		return NULL;
	}
	if (!in_ram(cpu, pa, size, off)) {
		tcg_raise(cpu, EXC_LOAD_ACCESS, addr);
		return NULL;
	}
	if (!load) {
		cause = tcg_mmu_translate(cpu, addr, size, TCG_ACC_STORE, &pa,
					  &pa2, &n1, &tval);
		if (cause) {
			tcg_raise(cpu, (uint64_t)cause, tval);
			return NULL;
		}
	}
	return cpu->ram + *off;
}

int tcg_helper_lr(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		  unsigned size)
{
	uint64_t v, off;
	void *p = atomic_addr(cpu, addr, size, true, &off);

	if (!p || ((cpu->trig & TCG_TRIG_MEM) &&
		   tcg_trigger_mem(cpu, addr, size, true, false)))
		return TCG_H_EXIT;
	if (size == 4)
		v = (uint64_t)(int64_t)__atomic_load_n((int32_t *)p,
						       __ATOMIC_SEQ_CST);
	else
		v = __atomic_load_n((uint64_t *)p, __ATOMIC_SEQ_CST);
	cpu->res_addr = off; /* physical: a RAM offset */
	cpu->res_val = v;
	cpu->res_valid = true;
	cpu->x[rd] = v;
	cpu->x[0] = 0;
	return TCG_H_CONT;
}

int tcg_helper_sc(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		  unsigned size, uint64_t val)
{
	uint64_t off;
	void *p = atomic_addr(cpu, addr, size, false, &off);
	bool ok = false;

	if (!p)
		return TCG_H_EXIT;
	if (cpu->res_valid && cpu->res_addr == off) {
		/* QEMU 7.2 writes with a cmpxchg: a read and a write. */
		if ((cpu->trig & TCG_TRIG_MEM) &&
		    tcg_trigger_mem(cpu, addr, size, true, true))
			return TCG_H_EXIT;
		if (size == 4) {
			int32_t expect = (int32_t)cpu->res_val;

			ok = __atomic_compare_exchange_n((int32_t *)p, &expect,
							 (int32_t)val, false,
							 __ATOMIC_SEQ_CST,
							 __ATOMIC_SEQ_CST);
		} else {
			uint64_t expect = cpu->res_val;

			ok = __atomic_compare_exchange_n((uint64_t *)p, &expect,
							 val, false,
							 __ATOMIC_SEQ_CST,
							 __ATOMIC_SEQ_CST);
		}
	}
	cpu->res_valid = false;
	cpu->x[rd] = !ok;
	cpu->x[0] = 0;
	if (ok)
		return after_code_write(cpu, off, size);
	return TCG_H_CONT;
}

#define AMO_CASES(T, p, v, old)                                                \
	switch (funct5) {                                                      \
	case 0x01: old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); break;   \
	case 0x00: old = __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); break;    \
	case 0x04: old = __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST); break;    \
	case 0x0c: old = __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); break;    \
	case 0x08: old = __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); break;     \
	default: {                                                             \
		T cur = __atomic_load_n(p, __ATOMIC_RELAXED), nv;              \
		do {                                                           \
			nv = amo_minmax_##T(funct5, cur, v);                   \
		} while (!__atomic_compare_exchange_n(p, &cur, nv, true,       \
						      __ATOMIC_SEQ_CST,        \
						      __ATOMIC_RELAXED));      \
		old = cur;                                                     \
	}                                                                      \
	}

static inline int32_t amo_minmax_int32_t(unsigned f, int32_t a, int32_t b)
{
	switch (f) {
	case 0x10: return a < b ? a : b;
	case 0x14: return a > b ? a : b;
	case 0x18: return (uint32_t)a < (uint32_t)b ? a : b;
	default: return (uint32_t)a > (uint32_t)b ? a : b;
	}
}

static inline int64_t amo_minmax_int64_t(unsigned f, int64_t a, int64_t b)
{
	switch (f) {
	case 0x10: return a < b ? a : b;
	case 0x14: return a > b ? a : b;
	case 0x18: return (uint64_t)a < (uint64_t)b ? a : b;
	default: return (uint64_t)a > (uint64_t)b ? a : b;
	}
}

int tcg_helper_amo(struct tcg_cpu *cpu, unsigned rd, uint64_t addr,
		   unsigned size, unsigned funct5, uint64_t val)
{
	uint64_t off;
	void *p = atomic_addr(cpu, addr, size, false, &off);

	if (!p || ((cpu->trig & TCG_TRIG_MEM) &&
		   tcg_trigger_mem(cpu, addr, size, true, true)))
		return TCG_H_EXIT;
	if (size == 4) {
		int32_t old, v = (int32_t)val;

		AMO_CASES(int32_t, (int32_t *)p, v, old)
		cpu->x[rd] = (uint64_t)(int64_t)old;
	} else {
		int64_t old, v = (int64_t)val;

		AMO_CASES(int64_t, (int64_t *)p, v, old)
		cpu->x[rd] = (uint64_t)old;
	}
	cpu->x[0] = 0;
	return after_code_write(cpu, off, size);
}

void tcg_helper_trace_tb(struct tcg_cpu *cpu, uint64_t pc)
{
	const struct tcg_hooks *h = cpu->m->hooks;

	if (h && h->exec_tb)
		h->exec_tb(cpu->m->opaque, cpu, pc);
}

void tcg_helper_trace_mem(struct tcg_cpu *cpu, uint64_t addr, unsigned info)
{
	const struct tcg_hooks *h = cpu->m->hooks;

	if (h && h->mem)
		h->mem(cpu->m->opaque, cpu, addr, info);
}

/* ---------------------------------------------------------------- exec */

static void cpu_idle(struct tcg_cpu *cpu, bool idle)
{
	const struct tcg_hooks *h = cpu->m->hooks;

	if (h && h->idle)
		h->idle(cpu->m->opaque, cpu, idle);
}

/*
 * Handle everything that waits for a block boundary.  Returns -1 to keep
 * running, else the tcg_exec_status to return.
 */
static int handle_exit_request(struct tcg_cpu *cpu)
{
	struct tcg_machine *m = cpu->m;

	for (;;) {
		/* Everything set before a kick is visible after this xchg. */
		__atomic_exchange_n(&cpu->exit_request, 0, __ATOMIC_ACQ_REL);
		cpu->last_tb = NULL;
		if (m->hooks && m->hooks->boundary)
			m->hooks->boundary(m->opaque, cpu);
		if (__atomic_load_n(&m->shutdown, __ATOMIC_ACQUIRE))
			return TCG_EXEC_SHUTDOWN;
		if (__atomic_load_n(&cpu->stop_request, __ATOMIC_ACQUIRE))
			return TCG_EXEC_STOPPED;
		if (__atomic_load_n(&m->excl_pending, __ATOMIC_ACQUIRE)) {
			tcg_exec_end(cpu);
			tcg_exec_start(cpu);
		}
		/* Pairs with the release in tcg_cpu_set_trace_mask(). */
		if (__atomic_exchange_n(&cpu->mask_pending, 0, __ATOMIC_ACQ_REL)) {
			uint64_t old = cpu->key_mask;
			const struct tcg_hooks *h = m->hooks;

			cpu->key_mask = __atomic_load_n(&cpu->pending_mask,
							__ATOMIC_RELAXED);
			cpu->tb_flags = h && h->tb_flags
				? h->tb_flags(m->opaque, cpu->key_mask) : 0;
			tcg_jc_flush(cpu);
			if (h && h->mask_changed)
				h->mask_changed(m->opaque, cpu, old,
						cpu->key_mask);
		}
		if (tcg_take_interrupt(cpu)) {
			cpu->halted = 0;
			return -1;
		}
		if (!cpu->halted)
			return -1;
		/* WFI: wake on any pending-and-enabled-in-mie interrupt. */
		if (tcg_mip(cpu) & cpu->mie) {
			cpu->halted = 0;
			return -1;
		}
		cpu->stats.wfi_sleeps++;
		__atomic_store_n(&cpu->state, TCG_CPU_HALTED, __ATOMIC_RELAXED);
		tcg_exec_end(cpu);
		cpu_idle(cpu, true);
		pthread_mutex_lock(&cpu->lock);
		while (!__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&cpu->cond, &cpu->lock);
		pthread_mutex_unlock(&cpu->lock);
		cpu_idle(cpu, false);
		tcg_exec_start(cpu);
		__atomic_store_n(&cpu->state, TCG_CPU_RUNNING, __ATOMIC_RELAXED);
	}
}

enum tcg_exec_status tcg_cpu_exec(struct tcg_cpu *cpu)
{
	const struct tcg_backend *be = cpu->m->backend;
	int ret;

	__atomic_store_n(&cpu->state, TCG_CPU_RUNNING, __ATOMIC_RELAXED);
	cpu_idle(cpu, false);
	tcg_exec_start(cpu);
	/* Apply a trace mask set before we started, check stop/shutdown. */
	__atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
	cpu->last_tb = NULL;
	for (;;) {
		struct tcg_tb *tb;

		if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
			ret = handle_exit_request(cpu);
			if (ret >= 0)
				break;
		}
		tb = tcg_tb_find(cpu, cpu->pc);
		if (!tb) {
			/* A fetch fault: cpu->pc is the handler now. */
			cpu->last_tb = NULL;
			continue;
		}
		if (cpu->last_tb)
			tcg_tb_chain(cpu, cpu->last_tb, cpu->last_slot, tb);
		if (tcg_log_mask & TCG_LOG_EXEC)
			tcg_log("Trace %u: [%016llx] priv %u\n",
				(unsigned)cpu->hartid,
				(unsigned long long)tb->pc, tb->priv);
		be->exec(cpu, tb);
	}
	cpu->halted = 0;
	tcg_exec_end(cpu);
	cpu_idle(cpu, true);
	__atomic_store_n(&cpu->state, TCG_CPU_STOPPED, __ATOMIC_RELAXED);
	return (enum tcg_exec_status)ret;
}
