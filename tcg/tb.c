/* SPDX-License-Identifier: MIT */
/*
 * The block cache, shared by all vCPUs.
 *
 * Lookup is lock-free: the hash is an array of atomic list heads, blocks
 * are published with a store-release of the head after they are fully
 * built, and readers walk with acquire loads.  Every change (insert,
 * unlink, page lists, code buffer allocation) happens under m->tb_lock.  The
 * hooks that report flushes and invalidations (events) run after tb_lock
 * is released: an event may wait for room in its ring (policy=block), and
 * no other vCPU's translation must wait behind it.
 *
 * Blocks are never freed while vCPUs run.  Invalidation (a store to a page
 * holding code) marks the block invalid, unlinks it from the hash and its
 * pages, and lets the backend make entering it exit; chains and jump-cache
 * entries that still point at it are harmless and re-resolved by the
 * dispatcher.  The code buffer is reclaimed only by a flush, inside an exclusive
 * section where no vCPU is executing (QEMU's start_exclusive in small).
 *
 * Self-modifying code: m->store_slow[p] is set for a page holding code and
 * for the page before it (a store there may straddle).  Such stores take
 * tcg_helper_store(), which writes and then invalidates every block on the
 * pages it touched.  Known window: a store on one hart racing a
 * translation of the same page on another may leave a stale block; guest
 * code that follows the ISA rule (cross-modifying stores visible before
 * the other hart's fence.i) never sees it, because the writer invalidates
 * before it can signal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/guest-ram.h"
#include "tcg/tcg-internal.h"

static inline unsigned tb_hash(uint64_t phys, unsigned priv, uint64_t mask)
{
	uint64_t h = (phys >> 1) ^ ((uint64_t)priv << 28) ^
		     (mask * 0x9e3779b97f4a7c15ull);

	h ^= h >> 17;
	return (unsigned)h & (TCG_HASH_SIZE - 1);
}

/* What a lookup looks for: the key of struct tcg_tb, page1 for a block
 * whose first instruction straddles (else UINT32_MAX). */
struct tb_key {
	uint64_t pc, phys;
	uint64_t mask;
	unsigned priv;
	uint8_t paged;
	uint32_t page1;
};

static struct tcg_tb *hash_lookup(struct tcg_machine *m,
				  const struct tb_key *k)
{
	/* Pairs with the release in tb_gen(). */
	struct tcg_tb *tb = __atomic_load_n(
		&m->hash[tb_hash(k->phys, k->priv, k->mask)], __ATOMIC_ACQUIRE);

	for (; tb; tb = __atomic_load_n(&tb->hash_next, __ATOMIC_ACQUIRE))
		if (tb->pc == k->pc && tb->phys_pc == k->phys &&
		    tb->priv == k->priv && tb->paged == k->paged &&
		    tb->trace_mask == k->mask &&
		    (!tb->cross || tb->page[1] == k->page1) &&
		    !__atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE))
			return tb;
	return NULL;
}

void tcg_jc_flush(struct tcg_cpu *cpu)
{
	memset(cpu->jc, 0, sizeof(cpu->jc));
}

/* Under tb_lock: wipe everything.  Callers are exclusive. */
static void tb_flush_locked(struct tcg_machine *m)
{
	memset(m->hash, 0, sizeof(m->hash));
	memset(m->page_tbs, 0, m->npages * sizeof(*m->page_tbs));
	memset(m->store_slow, 0, m->npages + 1);
	tcg_codebuf_reset(&m->code);
	m->st_live = 0;
	for (unsigned i = 0; i < m->ncpus; i++) {
		tcg_jc_flush(m->cpus[i]);
		m->cpus[i]->last_tb = NULL;
	}
	__atomic_fetch_add(&m->st_flushes, 1, __ATOMIC_RELAXED);
}

/*
 * Exclusive sections.  `running` counts vCPUs inside tcg_cpu_exec() and
 * not asleep; a vCPU wanting exclusivity leaves that count, raises
 * excl_pending, kicks everyone and waits for running == 0.  vCPUs notice at
 * their next block boundary and park in tcg_exec_start().
 */
void tcg_exec_start(struct tcg_cpu *cpu)
{
	struct tcg_machine *m = cpu->m;

	pthread_mutex_lock(&m->excl_lock);
	while (m->excl_pending)
		pthread_cond_wait(&m->excl_cond, &m->excl_lock);
	m->running++;
	cpu->in_exec = 1;
	pthread_mutex_unlock(&m->excl_lock);
}

void tcg_exec_end(struct tcg_cpu *cpu)
{
	struct tcg_machine *m = cpu->m;

	pthread_mutex_lock(&m->excl_lock);
	m->running--;
	cpu->in_exec = 0;
	if (m->excl_pending)
		pthread_cond_broadcast(&m->excl_cond);
	pthread_mutex_unlock(&m->excl_lock);
}

static void start_exclusive(struct tcg_machine *m)
{
	pthread_mutex_lock(&m->excl_lock);
	while (m->excl_pending)
		pthread_cond_wait(&m->excl_cond, &m->excl_lock);
	m->excl_pending = 1;
	for (unsigned i = 0; i < m->ncpus; i++)
		tcg_kick(m->cpus[i]);
	while (m->running > 0)
		pthread_cond_wait(&m->excl_cond, &m->excl_lock);
	pthread_mutex_unlock(&m->excl_lock);
}

static void end_exclusive(struct tcg_machine *m)
{
	pthread_mutex_lock(&m->excl_lock);
	m->excl_pending = 0;
	pthread_cond_broadcast(&m->excl_cond);
	pthread_mutex_unlock(&m->excl_lock);
}

/* From a vCPU thread (inside exec) or any other thread. */
static void flush_from(struct tcg_machine *m, struct tcg_cpu *self)
{
	unsigned blocks;

	if (self && self->in_exec)
		tcg_exec_end(self);
	start_exclusive(m);
	pthread_mutex_lock(&m->tb_lock);
	blocks = (unsigned)m->st_live;
	tb_flush_locked(m);
	pthread_mutex_unlock(&m->tb_lock);
	end_exclusive(m);
	if (m->hooks && m->hooks->tb_flush)
		m->hooks->tb_flush(m->opaque, self, blocks,
				   self ? "full" : "request");
	if (self)
		tcg_exec_start(self);
}

void tcg_machine_flush(struct tcg_machine *m)
{
	flush_from(m, NULL);
}

static void mark_page(struct tcg_machine *m, uint32_t page)
{
	__atomic_store_n(&m->store_slow[page], 1, __ATOMIC_RELAXED);
	if (page)
		__atomic_store_n(&m->store_slow[page - 1], 1, __ATOMIC_RELAXED);
}

/* Under tb_lock; the caller reports the block after the lock. */
static void tb_invalidate_locked(struct tcg_machine *m, struct tcg_tb *tb)
{
	struct tcg_tb **pp;
	unsigned h = tb_hash(tb->phys_pc, tb->priv, tb->trace_mask);

	__atomic_store_n(&tb->invalid, 1, __ATOMIC_RELEASE);
	m->backend->invalidate(tb);
	/* Unlink from the hash; readers on tb keep walking its next. */
	for (pp = &m->hash[h]; *pp; pp = &(*pp)->hash_next) {
		if (*pp == tb) {
			__atomic_store_n(pp, tb->hash_next, __ATOMIC_RELEASE);
			break;
		}
	}
	m->recent_invalid[(tb->pc >> 1) % TCG_RECENT_SIZE] = tb->pc;
	m->st_live--;
	__atomic_fetch_add(&m->st_invalidated, 1, __ATOMIC_RELAXED);
}

/*
 * Invalidate every block on the pages that [off, off + size) touches
 * (RAM offsets).  Returns how many blocks went.
 */
int tcg_tb_invalidate_range(struct tcg_cpu *cpu, uint64_t off, unsigned size)
{
	struct tcg_machine *m = cpu->m;
	uint64_t first = off >> TCG_PAGE_BITS;
	uint64_t last = (off + size - 1) >> TCG_PAGE_BITS;
	struct tcg_tb *dead = NULL;
	int n = 0;

	if (last >= m->npages)
		last = m->npages - 1;
	pthread_mutex_lock(&m->tb_lock);
	for (uint64_t p = first; p <= last; p++) {
		struct tcg_tb *tb = m->page_tbs[p];

		m->page_gen[p]++;
		while (tb) {
			unsigned which = tb->page[0] == p ? 0 : 1;
			struct tcg_tb *nx = tb->page_next[which];

			if (!tb->invalid) {
				tb_invalidate_locked(m, tb);
				tb->dead_page = (uint32_t)p;
				tb->dead_next = dead;
				dead = tb;
				n++;
			}
			/* Drop it from the other page's list as well. */
			if (tb->page[0] != tb->page[1]) {
				uint32_t other = tb->page[which ^ 1];
				struct tcg_tb **pp = &m->page_tbs[other];

				while (*pp && *pp != tb)
					pp = &(*pp)->page_next[
						(*pp)->page[0] == other ? 0 : 1];
				if (*pp)
					*pp = tb->page_next[which ^ 1];
			}
			tb = nx;
		}
		m->page_tbs[p] = NULL;
	}
	pthread_mutex_unlock(&m->tb_lock);
	/*
	 * Only this thread follows dead_next: the blocks are out of every list
	 * and marked invalid, so no other invalidation takes them again, and
	 * the code buffer cannot be flushed while this vCPU is inside exec.
	 */
	for (; dead && m->hooks && m->hooks->tb_invalidate;
	     dead = dead->dead_next) {
		uint64_t page = (uint64_t)dead->dead_page << TCG_PAGE_BITS;

		m->hooks->tb_invalidate(m->opaque, cpu, dead->pc,
					m->ram_base + page, "store");
	}
	return n;
}

/* Translate, then publish under tb_lock.  NULL if the code buffer is full. */
static struct tcg_tb *tb_gen(struct tcg_cpu *cpu, const struct tb_key *k)
{
	struct tcg_machine *m = cpu->m;
	static __thread struct tcg_ir_block ir;
	uint64_t t0 = tcg_now_ns(), dt, pc = k->pc;
	uint32_t gen[2], page[2];
	const uint8_t *code[2];
	size_t need;
	struct tcg_tb *tb, proto;
	bool cross;

	page[0] = (uint32_t)((k->phys - m->ram_base) >> TCG_PAGE_BITS);
	page[1] = k->page1 != UINT32_MAX ? k->page1 : page[0];
	code[0] = m->ram + ((uint64_t)page[0] << TCG_PAGE_BITS);
	code[1] = k->page1 != UINT32_MAX
			  ? m->ram + ((uint64_t)page[1] << TCG_PAGE_BITS)
			  : NULL;
	/* Mark before reading the code: a racing store sees it. */
	pthread_mutex_lock(&m->tb_lock);
	mark_page(m, page[0]);
	mark_page(m, page[1]);
	gen[0] = m->page_gen[page[0]];
	gen[1] = m->page_gen[page[1]];
	pthread_mutex_unlock(&m->tb_lock);
	tcg_full_fence();
	tcg_translate(cpu, pc, code, &ir);
	cross = ir.end_pc > (pc | (TCG_PAGE_SIZE - 1)) + 1;
	if (!cross) {
		page[1] = page[0];
		gen[1] = gen[0];
	}

	memset(&proto, 0, sizeof(proto));
	proto.pc = pc;
	proto.phys_pc = k->phys;
	proto.priv = cpu->priv;
	proto.paged = k->paged;
	proto.cross = cross;
	proto.trace_mask = cpu->key_mask;
	proto.ninsns = (uint16_t)ir.ninsns;
	proto.size = ir.size;
	proto.flags = ir.flags;
	proto.exit_pc[0] = ir.exit_pc[0];
	proto.exit_pc[1] = ir.exit_pc[1];
	proto.page[0] = page[0];
	proto.page[1] = page[1];
	need = (sizeof(*tb) + m->backend->code_size(&proto, &ir) + 15) &
	       ~(size_t)15;
	if (need > m->code.size) {
		fprintf(stderr, "vtrace: code buffer too small for one block "
				"(%zu bytes)\n", need);
		abort();
	}
	pthread_mutex_lock(&m->tb_lock);
	tb = tcg_codebuf_alloc(&m->code, need);
	if (!tb) {
		pthread_mutex_unlock(&m->tb_lock);
		return NULL;
	}
	*tb = proto;
	m->backend->compile(tb, &ir, tb + 1,
			    tcg_codebuf_rx(&m->code, tb + 1));
	for (unsigned i = 0; i < 2; i++) {
		if (i == 1 && page[1] == page[0])
			break;
		tb->page_next[i] = m->page_tbs[page[i]];
		m->page_tbs[page[i]] = tb;
	}
	/* Code changed while we read it: keep it out of the hash. */
	if (m->page_gen[page[0]] != gen[0] || m->page_gen[page[1]] != gen[1]) {
		__atomic_store_n(&tb->invalid, 1, __ATOMIC_RELEASE);
		m->backend->invalidate(tb);
	}
	if (!tb->invalid) {
		unsigned h = tb_hash(k->phys, tb->priv, tb->trace_mask);

		tb->hash_next = m->hash[h];
		/* Publish: pairs with the acquire in hash_lookup(). */
		__atomic_store_n(&m->hash[h], tb, __ATOMIC_RELEASE);
		m->st_live++;
	}
	if (m->recent_invalid[(pc >> 1) % TCG_RECENT_SIZE] == pc) {
		m->recent_invalid[(pc >> 1) % TCG_RECENT_SIZE] = 0;
		m->st_retranslated++;
	}
	pthread_mutex_unlock(&m->tb_lock);

	dt = tcg_now_ns() - t0;
	__atomic_fetch_add(&m->st_translated, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->st_translate_ns, dt, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->st_guest_insns, ir.ninsns, __ATOMIC_RELAXED);
	cpu->stats.translations++;
	if (ir.flags)
		cpu->stats.traced_translations++;
	if (m->hooks && m->hooks->translated)
		m->hooks->translated(m->opaque, cpu, pc, ir.ninsns, dt);
	return tb;
}

/*
 * The RAM page a fetch at va reads, or -1 with the exception (a page
 * fault, or an access fault outside RAM: code runs from RAM only).
 */
static int64_t fetch_page(struct tcg_cpu *cpu, uint64_t va, uint64_t *cause,
			  uint64_t *tval)
{
	uint64_t pa, pa2, off;
	unsigned n1;
	int c;

	c = tcg_mmu_translate(cpu, va, 1, TCG_ACC_FETCH, &pa, &pa2, &n1, tval);
	if (c) {
		*cause = (uint64_t)c;
		return -1;
	}
	off = pa - cpu->ram_base;
	if (off >= cpu->ram_size) {
		*cause = EXC_INSN_ACCESS;
		*tval = va;
		return -1;
	}
	return (int64_t)(off >> TCG_PAGE_BITS);
}

/*
 * The dispatcher's lookup: jump cache (virtual pc), then the hash
 * (physical pc), then translate.  A fetch that faults on the block's
 * first instruction raises here and returns NULL (cpu->pc is then the
 * trap handler).  May run a flush (which parks every other vCPU) when the
 * code buffer is full.
 */
struct tcg_tb *tcg_tb_find(struct tcg_cpu *cpu, uint64_t pc)
{
	unsigned j = tcg_jc_hash(pc);
	struct tcg_tb *tb = cpu->jc[j];
	struct tb_key k;
	uint64_t cause, tval;
	int64_t p0, p1 = -1;
	uint8_t paged = (uint8_t)tcg_mmu_tb_paged(cpu);

	/* An execute trigger fires before the fetch could fault (QEMU). */
	if (cpu->trig & TCG_TRIG_EXEC) {
		if (tcg_trigger_exec(cpu))
			return NULL;
		paged |= TCG_TB_TRIGGERS;
	}
	if (tb && tb->pc == pc && tb->priv == cpu->priv &&
	    tb->trace_mask == cpu->key_mask && tb->paged == paged &&
	    !__atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE)) {
		cpu->stats.jc_hits++;
		return tb;
	}
	cpu->stats.hash_lookups++;
	p0 = fetch_page(cpu, pc, &cause, &tval);
	if (p0 < 0)
		goto fault;
	k.pc = pc;
	k.phys = cpu->ram_base + ((uint64_t)p0 << TCG_PAGE_BITS) +
		 (pc & (TCG_PAGE_SIZE - 1));
	/* Only a block's first instruction may straddle two pages (QEMU);
	 * a fault on the second half has the second page's address. */
	if ((pc & (TCG_PAGE_SIZE - 1)) == TCG_PAGE_SIZE - 2 &&
	    (tcg_ram_load(&cpu->ram[k.phys - cpu->ram_base], 1) & 3) == 3) {
		p1 = fetch_page(cpu, pc + 2, &cause, &tval);
		if (p1 < 0)
			goto fault;
	}
	k.page1 = p1 < 0 ? UINT32_MAX : (uint32_t)p1;
	k.priv = cpu->priv;
	k.paged = paged;
	k.mask = cpu->key_mask;
	tb = hash_lookup(cpu->m, &k);
	/* Other vCPUs may fill the buffer again between the flush and our
	 * next try: flush again. */
	if (!tb)
		while (!(tb = tb_gen(cpu, &k)))
			flush_from(cpu->m, cpu);
	cpu->jc[j] = tb;
	return tb;

fault:
	tcg_raise(cpu, cause, tval);
	return NULL;
}

/*
 * May a jump from `from` enter `to` without a lookup?  Same key, and
 * under paging `to` lies on from's virtual page: a mapping change that
 * could move `to` also stops from being entered (the jump cache and the
 * TLB are flushed, lookups are by physical address).
 */
bool tcg_tb_may_link(const struct tcg_tb *from, const struct tcg_tb *to)
{
	if (from->priv != to->priv || from->trace_mask != to->trace_mask ||
	    from->paged != to->paged)
		return false;
	return !(from->paged & TCG_TB_FETCH_PAGED) ||
	       (((from->pc ^ to->pc) >> TCG_PAGE_BITS) == 0 && !to->cross);
}

void tcg_tb_chain(struct tcg_cpu *cpu, struct tcg_tb *from, unsigned slot,
		  struct tcg_tb *to)
{
	if (!tcg_tb_may_link(from, to) ||
	    __atomic_load_n(&from->invalid, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&from->jmp[slot], __ATOMIC_RELAXED) == to)
		return;
	/* Pairs with the acquire load of tb->jmp[] in the backend. */
	__atomic_store_n(&from->jmp[slot], to, __ATOMIC_RELEASE);
	if (cpu->m->backend->chain)
		cpu->m->backend->chain(from, slot, to);
	__atomic_fetch_add(&cpu->m->st_chained, 1, __ATOMIC_RELAXED);
}

void tcg_machine_jit_stats(struct tcg_machine *m, struct tcg_jit_stats *st)
{
	pthread_mutex_lock(&m->tb_lock);
	st->translated = m->st_translated;
	st->retranslated = m->st_retranslated;
	st->invalidated = m->st_invalidated;
	st->flushes = m->st_flushes;
	st->chained = m->st_chained;
	st->live_blocks = m->st_live;
	st->code_bytes = m->code.used;
	st->code_capacity = m->code.size;
	st->translate_ns = m->st_translate_ns;
	st->guest_insns = m->st_guest_insns;
	pthread_mutex_unlock(&m->tb_lock);
}
