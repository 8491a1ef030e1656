// SPDX-License-Identifier: MIT
/*
 * Sv39 address spaces for the U-mode tasks.  The kernel stays in M-mode,
 * which is never translated: satp only matters while a task runs, and
 * every trap from U-mode (page faults included) comes to M-mode.
 *
 * Each task has its own root table; its address space is
 *
 *   0x80000000  2 MiB megapage over the kernel image, R|X|U, global: the
 *               task code, format.c and the hart's tick counter live there
 *   0x3fe00000  the hart's shared page (task 0 and task 1), read-only and
 *               marked copy-on-write; the first store copies it, unless the
 *               storing task is the last one that maps it
 *   0x3fff8000  the stack, KL_USTACK_PAGES pages below 0x40000000, mapped
 *               on first touch (demand paging)
 *
 * and nothing else: any other fault kills the task.  Pages come from a
 * per-hart pool and are never freed (a run starts each task once).  Every
 * leaf is created with A (and D if writable) set, so no fault depends on
 * whether the machine updates A/D itself.
 *
 * Each task has its own ASID when satp keeps enough ASID bits; otherwise
 * (ASIDLEN too small) a switch flushes the whole TLB.  A PTE change is
 * followed by sfence.vma of that address.  Only this hart ever reads or
 * writes its tables.
 */
#include "kl.h"

#define PAGE_SIZE 4096UL
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_COW (1UL << 8) /* an RSW bit: read-only until the copy */
#define PTE_PPN_SHIFT 10
#define SATP_SV39 (8UL << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xffffUL

#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

#define KL_IMAGE_VA 0x80000000UL
#define KL_MEGAPAGE (2UL << 20)
#define KL_USTACK_BOTTOM (KL_USTACK_TOP - KL_USTACK_PAGES * PAGE_SIZE)
/* per hart: 3 tables per task, stacks, the shared page and its copy */
#define KL_VM_PAGES 40

struct kl_vm_pool {
	u8 page[KL_VM_PAGES][PAGE_SIZE];
} __attribute__((aligned(4096)));

static struct kl_vm_pool kl_vm_pools[KL_MAX_HARTS];
extern char _end[];

static u64 *vm_alloc(struct kl_hart *h)
{
	u64 *p;

	if (h->vm.used >= KL_VM_PAGES)
		return NULL;
	p = (u64 *)kl_vm_pools[h->hartid].page[h->vm.used++];
	memset(p, 0, PAGE_SIZE);
	return p;
}

static u64 pte_leaf(const void *pa, u64 flags)
{
	return ((u64)pa >> 12) << PTE_PPN_SHIFT | flags | PTE_V;
}

static u64 *pte_page(u64 pte)
{
	return (u64 *)((pte >> PTE_PPN_SHIFT) << 12);
}

static u32 vpn(u64 va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

/* Sv39: bits 63..39 of a valid address are copies of bit 38 */
static int va_canonical(u64 va)
{
	return (s64)va >> 38 == 0 || (s64)va >> 38 == -1;
}

/* The level-0 PTE of @va in @root, or NULL if a table on the way is missing
 * (this kernel maps user pages only at level 0, the image at level 1). */
static u64 *pte_find(u64 *root, u64 va)
{
	u64 *l1, *l0;

	if (!(root[vpn(va, 2)] & PTE_V) ||
	    (root[vpn(va, 2)] & (PTE_R | PTE_X)))
		return NULL;
	l1 = pte_page(root[vpn(va, 2)]);
	if (!(l1[vpn(va, 1)] & PTE_V) || (l1[vpn(va, 1)] & (PTE_R | PTE_X)))
		return NULL;
	l0 = pte_page(l1[vpn(va, 1)]);
	return &l0[vpn(va, 0)];
}

static void sfence_va(const struct kl_hart *h, const struct kl_task *t,
		      u64 va)
{
	if (h->vm.asid_ok)
		__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(t->asid)
				 : "memory");
	else
		__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

/*
 * Once per hart: the image's megapage table, the shared page, and how
 * many ASID bits satp keeps.  0, or -ENOMEM / -ENODEV (no Sv39).
 */
static int vm_hart_init(struct kl_hart *h)
{
	u64 *l1 = vm_alloc(h), *shared = vm_alloc(h), probe;
	u32 i;

	if (!l1 || !shared)
		return -12;
	if ((u64)_end > KL_IMAGE_VA + KL_MEGAPAGE)
		kl_panic("kernel image ends at %lx, past its 2 MiB megapage\n",
			 (u64)_end);
	l1[vpn(KL_IMAGE_VA, 1)] = pte_leaf(
		(void *)KL_IMAGE_VA, PTE_R | PTE_X | PTE_U | PTE_G | PTE_A);
	h->vm.image_l1 = l1;
	for (i = 0; i < PAGE_SIZE / 8; i++)
		shared[i] = 0xc0de000000000000UL | h->hartid << 32 | i;
	h->vm.shared = shared;
	h->vm.shared_refs = 0;

	/* Sv39 with every ASID bit set; satp is WARL, read back what stuck.
	 * M-mode is not translated, so the table need not be complete. */
	probe = SATP_SV39 | SATP_ASID_MASK << SATP_ASID_SHIFT | (u64)l1 >> 12;
	csr_write(satp, probe);
	probe = csr_read(satp);
	csr_write(satp, 0);
	if ((probe >> 60) != 8)
		return -19;
	h->vm.asid_ok = ((probe >> SATP_ASID_SHIFT) & SATP_ASID_MASK) >=
			(u64)KL_MAX_HARTS * 10 + KL_TASKS_PER_HART;
	h->vm.ready = 1;
	return 0;
}

int kl_vm_task_init(struct kl_hart *h, struct kl_task *t, int idx)
{
	u64 *root, *l1, *l0;
	int err;

	if (!h->vm.ready) {
		err = vm_hart_init(h);
		if (err)
			return err;
	}
	root = vm_alloc(h);
	l1 = vm_alloc(h);
	l0 = vm_alloc(h);
	if (!root || !l1 || !l0)
		return -12;
	root[vpn(KL_IMAGE_VA, 2)] = pte_leaf(h->vm.image_l1, 0);
	root[vpn(KL_USTACK_TOP - 1, 2)] = pte_leaf(l1, 0);
	l1[vpn(KL_USTACK_TOP - 1, 1)] = pte_leaf(l0, 0);
	if (idx < KL_SHARED_TASKS) {
		l0[vpn(KL_SHARED_VA, 0)] =
			pte_leaf(h->vm.shared, PTE_R | PTE_U | PTE_A | PTE_COW);
		h->vm.shared_refs++;
	}
	t->root = root;
	t->asid = h->vm.asid_ok ? (u64)t->pid : 0;
	t->satp = SATP_SV39 | t->asid << SATP_ASID_SHIFT | (u64)root >> 12;
	return 0;
}

void kl_vm_switch(const struct kl_hart *h, const struct kl_task *t)
{
	csr_write(satp, t ? t->satp : 0);
	/* a TLB entry of another task under the same (zero) ASID would be
	 * stale; with an ASID per task none is */
	if (!h->vm.asid_ok || !t)
		__asm__ volatile("sfence.vma" ::: "memory");
}

/* A store to the copy-on-write page. */
static int cow_fault(struct kl_hart *h, struct kl_task *t, u64 *pte, u64 va)
{
	u64 *copy;

	if (h->vm.shared_refs > 1) {
		copy = vm_alloc(h);
		if (!copy)
			return -12;
		memcpy(copy, pte_page(*pte), PAGE_SIZE);
		h->vm.shared_refs--;
		t->cow_copies++;
	} else {
		copy = pte_page(*pte); /* the last mapping: keep the page */
		t->cow_reuses++;
	}
	*pte = pte_leaf(copy, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	sfence_va(h, t, va);
	return 0;
}

int kl_vm_fault(struct kl_hart *h, struct kl_task *t, u64 cause, u64 va)
{
	u64 *pte, *page;

	if (!va_canonical(va))
		return -14;
	pte = pte_find(t->root, va);
	if (!pte)
		return -14;
	if (cause == CAUSE_STORE_PAGE_FAULT && (*pte & PTE_COW))
		return cow_fault(h, t, pte, va);
	if (va >= KL_USTACK_BOTTOM && va < KL_USTACK_TOP && !(*pte & PTE_V) &&
	    cause != CAUSE_FETCH_PAGE_FAULT) {
		page = vm_alloc(h);
		if (!page)
			return -12;
		*pte = pte_leaf(page, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
		sfence_va(h, t, va);
		t->stack_faults++;
		return 0;
	}
	return -14;
}

/* Where @va points for @t, if its PTE grants U and @perm; else NULL.
 * A software walk: this is M-mode, which the MMU does not translate. */
static u8 *user_addr(const struct kl_task *t, u64 va, u64 perm)
{
	const u64 *table = t->root;
	u64 pte;
	int level;

	if (!va_canonical(va))
		return NULL;
	for (level = 2; level >= 0; level--) {
		pte = table[vpn(va, level)];
		if (!(pte & PTE_V))
			return NULL;
		if (pte & (PTE_R | PTE_X)) {
			u64 off = va & ((1UL << (12 + 9 * level)) - 1);

			if ((pte & (PTE_U | perm)) != (PTE_U | perm))
				return NULL;
			return (u8 *)pte_page(pte) + off;
		}
		table = pte_page(pte);
	}
	return NULL;
}

int kl_vm_copy_from_user(const struct kl_task *t, void *dst, u64 va, u64 n)
{
	u8 *d = dst;

	for (; n; n--, va++) {
		const u8 *p = user_addr(t, va, PTE_R);

		if (!p)
			return -14;
		*d++ = *p;
	}
	return 0;
}
