/* SPDX-License-Identifier: MIT */
/*
 * The board: guest RAM as one host mapping, the MMIO devices (UART,
 * CLINT, finisher) behind tcg's mmio callbacks, the CLINT timer thread,
 * the UART's stdin reader and one host thread per hart.
 *
 * Timer: mtime is CLOCK_MONOTONIC since boot in 100 ns ticks (10 MHz).
 * MTIP is a level computed from mtime >= mtimecmp[h]: set when a hart's
 * mtimecmp is written in the past or when the timer thread, sleeping until
 * the earliest future mtimecmp, wakes up; cleared when mtimecmp is written
 * in the future.  The vCPU sees it at its next block boundary.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include "system/board.h"
#include "system/tracing.h"

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t board_mtime(struct board *b)
{
	return (host_ns() - b->start_ns) / 100 + (uint64_t)b->mtime_offset;
}

static uint64_t read_time_cb(void *opaque)
{
	return board_mtime(opaque);
}

/* ---------------------------------------------------------------- UART */

#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

static int uart_read(struct board *b, uint64_t off, uint64_t *val)
{
	uint8_t v = 0;

	pthread_mutex_lock(&b->uart_lock);
	switch (off) {
	case 0:
		if (b->uart_lcr & 0x80) {
			v = b->uart_dll;
		} else if (b->uart_rx >= 0) {
			v = (uint8_t)b->uart_rx;
			b->uart_rx = -1;
		}
		break;
	case 1: v = (b->uart_lcr & 0x80) ? b->uart_dlm : b->uart_ier; break;
	case 2: v = 0x01; break; /* IIR: no interrupt pending */
	case 3: v = b->uart_lcr; break;
	case 4: v = b->uart_mcr; break;
	case 5:
		v = UART_LSR_THRE | UART_LSR_TEMT |
		    (b->uart_rx >= 0 ? UART_LSR_DR : 0);
		break;
	case 6: v = 0; break;
	case 7: v = b->uart_scr; break;
	}
	pthread_mutex_unlock(&b->uart_lock);
	*val = v;
	return 0;
}

static int uart_write(struct board *b, uint64_t off, uint8_t v)
{
	pthread_mutex_lock(&b->uart_lock);
	switch (off) {
	case 0:
		if (b->uart_lcr & 0x80) {
			b->uart_dll = v;
		} else {
			ssize_t r;

			do
				r = write(b->uart_out_fd, &v, 1);
			while (r < 0 && errno == EINTR);
		}
		break;
	case 1:
		if (b->uart_lcr & 0x80)
			b->uart_dlm = v;
		else
			b->uart_ier = v & 0x0f;
		break;
	case 3: b->uart_lcr = v; break;
	case 4: b->uart_mcr = v & 0x1f; break;
	case 7: b->uart_scr = v; break;
	default: break; /* FCR, LSR, MSR: ignored */
	}
	pthread_mutex_unlock(&b->uart_lock);
	return 0;
}

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
}

/* stdin to the UART's receive register, one byte at a time. */
static void *uart_stdin_thread(void *arg)
{
	struct board *b = arg;
	bool ctrl_a = false;

	for (;;) {
		unsigned char c;
		ssize_t r = read(0, &c, 1);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return NULL;
		}
		/* QEMU's mux escape: C-a x quits. */
		if (tio_saved && ctrl_a && c == 'x') {
			fprintf(stderr, "QEMU: Terminated\r\n");
			board_shutdown(b, 0);
			return NULL;
		}
		ctrl_a = tio_saved && c == 1 && !ctrl_a;
		if (ctrl_a)
			continue;
		for (;;) {
			pthread_mutex_lock(&b->uart_lock);
			if (b->uart_rx < 0) {
				b->uart_rx = c;
				pthread_mutex_unlock(&b->uart_lock);
				break;
			}
			pthread_mutex_unlock(&b->uart_lock);
			usleep(1000); /* guest has not read the last byte */
		}
	}
}

/* ---------------------------------------------------------------- CLINT */

static void clint_update_locked(struct board *b)
{
	uint64_t now = board_mtime(b);

	for (unsigned h = 0; h < b->ncpus; h++)
		tcg_cpu_set_irq(b->cpus[h], TCG_MIP_MTIP,
				now >= b->mtimecmp[h]);
	pthread_cond_signal(&b->clint_cond);
}

static void *clint_thread(void *arg)
{
	struct board *b = arg;

	pthread_mutex_lock(&b->clint_lock);
	while (!tcg_machine_is_shutdown(b->m, NULL)) {
		uint64_t now = board_mtime(b), next = UINT64_MAX;

		for (unsigned h = 0; h < b->ncpus; h++) {
			if (now >= b->mtimecmp[h])
				tcg_cpu_set_irq(b->cpus[h], TCG_MIP_MTIP, true);
			else if (b->mtimecmp[h] < next)
				next = b->mtimecmp[h];
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&b->clint_cond, &b->clint_lock);
		} else {
			uint64_t ns = b->start_ns +
				      (next - (uint64_t)b->mtime_offset) * 100;
			struct timespec ts = { (time_t)(ns / 1000000000ull),
					       (long)(ns % 1000000000ull) };

			pthread_cond_timedwait(&b->clint_cond, &b->clint_lock,
					       &ts);
		}
	}
	pthread_mutex_unlock(&b->clint_lock);
	return NULL;
}

static void set_half(uint64_t *reg, uint64_t off, unsigned size, uint64_t v)
{
	if (size == 8)
		*reg = v;
	else if (off & 4)
		*reg = (*reg & 0xffffffffull) | (v << 32);
	else
		*reg = (*reg & ~0xffffffffull) | (v & 0xffffffffull);
}

static int clint_access(struct board *b, struct tcg_cpu *cpu, uint64_t off,
			unsigned size, uint64_t *val, bool write)
{
	if (size != 4 && size != 8)
		return -1;
	if (off < 0x4000) { /* msip */
		unsigned h = (unsigned)(off / 4);

		if (size != 4 || (off & 3) || h >= b->ncpus)
			return write ? 0 : (*val = 0, 0);
		if (write)
			tcg_cpu_set_irq(b->cpus[h], TCG_MIP_MSIP, *val & 1);
		else
			*val = (tcg_cpu_get_mip(b->cpus[h]) & TCG_MIP_MSIP) ? 1 : 0;
		return 0;
	}
	pthread_mutex_lock(&b->clint_lock);
	if (off >= 0x4000 && off < 0x4000 + 8ull * b->ncpus) {
		unsigned h = (unsigned)((off - 0x4000) / 8);

		if (write) {
			set_half(&b->mtimecmp[h], off, size, *val);
			clint_update_locked(b);
		} else {
			*val = size == 8 ? b->mtimecmp[h]
					 : b->mtimecmp[h] >> (off & 4 ? 32 : 0);
		}
	} else if (off == 0xbff8 || off == 0xbffc) {
		uint64_t now = board_mtime(b);

		if (write) {
			uint64_t t = now;

			set_half(&t, off, size, *val);
			b->mtime_offset += (int64_t)(t - now);
			clint_update_locked(b);
		} else {
			*val = size == 8 ? now : now >> (off & 4 ? 32 : 0);
		}
	} else if (!write) {
		*val = 0;
	}
	pthread_mutex_unlock(&b->clint_lock);
	if (!write && size == 4)
		*val &= 0xffffffffull;
	return 0;
}

/* ---------------------------------------------------------------- finisher */

static int test_write(struct board *b, uint64_t off, unsigned size,
		      uint64_t val)
{
	if (size < 2 || size > 4)
		return -1;
	if (off == 0) {
		unsigned status = val & 0xffff, code = (val >> 16) & 0xffff;

		if (status == 0x5555) {
			board_shutdown(b, 0);
			return 0;
		}
		if (status == 0x3333) {
			board_shutdown(b, (int)code);
			return 0;
		}
	}
	if (tcg_log_mask & TCG_LOG_GUEST_ERRORS)
		tcg_log("sifive_test: write 0x%llx at offset 0x%llx not "
			"handled\n", (unsigned long long)val,
			(unsigned long long)off);
	return 0;
}

/* ---------------------------------------------------------------- MMIO */

static int device_read(struct board *b, struct tcg_cpu *cpu, uint64_t addr,
		     unsigned size, uint64_t *val)
{
	if (addr - VIRT_UART_BASE < VIRT_UART_SIZE)
		return uart_read(b, (addr - VIRT_UART_BASE) & 7, val);
	if (addr - VIRT_CLINT_BASE < VIRT_CLINT_SIZE)
		return clint_access(b, cpu, addr - VIRT_CLINT_BASE, size, val,
				    false);
	if (addr - VIRT_TEST_BASE < VIRT_TEST_SIZE) {
		if (size < 2 || size > 4)
			return -1;
		*val = 0;
		return 0;
	}
	return -1;
}

static int device_write(struct board *b, struct tcg_cpu *cpu, uint64_t addr,
		      unsigned size, uint64_t val)
{
	if (addr - VIRT_UART_BASE < VIRT_UART_SIZE)
		return uart_write(b, (addr - VIRT_UART_BASE) & 7, (uint8_t)val);
	if (addr - VIRT_CLINT_BASE < VIRT_CLINT_SIZE)
		return clint_access(b, cpu, addr - VIRT_CLINT_BASE, size, &val,
				    true);
	if (addr - VIRT_TEST_BASE < VIRT_TEST_SIZE)
		return test_write(b, addr - VIRT_TEST_BASE, size, val);
	return -1;
}

/* Every device access goes through here, to be traced on its vCPU. */
static int mmio_read(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		     unsigned size, uint64_t *val)
{
	int r = device_read(opaque, cpu, addr, size, val);

	if (r == 0)
		trace_mmio_read(system_trace_vcpu(cpu), addr, size, *val);
	return r;
}

static int mmio_write(void *opaque, struct tcg_cpu *cpu, uint64_t addr,
		      unsigned size, uint64_t val)
{
	trace_mmio_write(system_trace_vcpu(cpu), addr, size, val);
	return device_write(opaque, cpu, addr, size, val);
}

static const struct tcg_mmio_ops board_mmio = {
	.read = mmio_read,
	.write = mmio_write,
	.read_time = read_time_cb,
};

/* ---------------------------------------------------------------- setup */

int board_init(struct board *b, unsigned ncpus, uint64_t ram_size)
{
	struct tcg_machine_config cfg = { 0 };

	b->ncpus = ncpus;
	b->ram_size = ram_size;
	b->uart_rx = -1;
	b->uart_out_fd = 1;
	b->start_ns = host_ns();
	pthread_mutex_init(&b->run_lock, NULL);
	pthread_cond_init(&b->run_cond, NULL);
	pthread_mutex_init(&b->uart_lock, NULL);
	pthread_mutex_init(&b->clint_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&b->clint_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	for (unsigned h = 0; h < ncpus; h++)
		b->mtimecmp[h] = UINT64_MAX;
	b->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->ram == MAP_FAILED) {
		fprintf(stderr, "vtrace-emu: cannot map %llu bytes of guest "
				"RAM: %s\n", (unsigned long long)ram_size,
			strerror(errno));
		return -1;
	}
	cfg.ram = b->ram;
	cfg.ram_base = VIRT_DRAM_BASE;
	cfg.ram_size = ram_size;
	cfg.mmio = &board_mmio;
	cfg.opaque = b;
	b->m = tcg_machine_create(&cfg);
	if (!b->m)
		return -1;
	for (unsigned h = 0; h < ncpus; h++) {
		b->cpus[h] = tcg_cpu_create(b->m, h);
		if (!b->cpus[h])
			return -1;
	}
	return 0;
}

int board_load_elf(struct board *b, const char *path)
{
	return board_load_elf_image(path, b->ram, VIRT_DRAM_BASE, b->ram_size);
}

int board_setup_boot(struct board *b)
{
	static uint8_t fdt[VIRT_FDT_MAX_SIZE];
	uint64_t addr;

	if (board_build_fdt(b, fdt, sizeof(fdt)))
		return -1;
	addr = board_fdt_addr(VIRT_DRAM_BASE, b->ram_size, VIRT_FDT_MAX_SIZE);
	if (addr < VIRT_DRAM_BASE ||
	    addr + VIRT_FDT_MAX_SIZE > VIRT_DRAM_BASE + b->ram_size) {
		fprintf(stderr, "vtrace-emu: no room for the device tree\n");
		return -1;
	}
	/* QEMU copies the packed blob; the rest of the 1 MiB stays. */
	memcpy(b->ram + (addr - VIRT_DRAM_BASE), fdt, fdt_totalsize(fdt));
	b->fdt_addr = addr;
	for (unsigned h = 0; h < b->ncpus; h++) {
		tcg_cpu_set_pc(b->cpus[h], VIRT_DRAM_BASE);
		tcg_cpu_set_reg(b->cpus[h], 10, h);	/* a0 = hartid */
		tcg_cpu_set_reg(b->cpus[h], 11, addr);	/* a1 = dtb */
	}
	return 0;
}

struct vcpu_arg {
	struct board *b;
	unsigned h;
};

static void *vcpu_thread(void *arg)
{
	struct vcpu_arg *va = arg;
	struct board *b = va->b;
	struct tcg_cpu *cpu = b->cpus[va->h];
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", va->h);
	pthread_setname_np(pthread_self(), name);
	b->tids[va->h] = (int)syscall(SYS_gettid);
	free(va);
	if (b->pin_vcpus) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((unsigned)(tcg_cpu_hartid(cpu) % (ncpu > 0 ? ncpu : 1)), &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	/* After pinning, so the ring's pages go to this CPU's node. */
	system_trace_vcpu_thread_start(cpu);
	for (;;) {
		pthread_mutex_lock(&b->run_lock);
		while (!b->running && !tcg_machine_is_shutdown(b->m, NULL))
			pthread_cond_wait(&b->run_cond, &b->run_lock);
		tcg_cpu_clear_stop(cpu);
		pthread_mutex_unlock(&b->run_lock);
		if (tcg_machine_is_shutdown(b->m, NULL))
			break;
		if (tcg_cpu_exec(cpu) == TCG_EXEC_SHUTDOWN)
			break;
	}
	system_trace_vcpu_thread_stop(cpu);
	return NULL;
}

void board_shutdown(struct board *b, int code)
{
	tcg_machine_shutdown(b->m, code);
	pthread_mutex_lock(&b->run_lock);
	pthread_cond_broadcast(&b->run_cond);
	pthread_mutex_unlock(&b->run_lock);
}

void board_set_running(struct board *b, bool running)
{
	pthread_mutex_lock(&b->run_lock);
	b->running = running;
	for (unsigned h = 0; h < b->ncpus; h++) {
		if (running)
			tcg_cpu_clear_stop(b->cpus[h]);
		else
			tcg_cpu_stop(b->cpus[h]);
	}
	pthread_cond_broadcast(&b->run_cond);
	pthread_mutex_unlock(&b->run_lock);
}

int board_start(struct board *b, bool running)
{
	pthread_t t;

	b->running = running;
	if (b->uart_stdin) {
		if (isatty(0) && tcgetattr(0, &saved_tio) == 0) {
			struct termios raw = saved_tio;

			tio_saved = true;
			atexit(restore_tty);
			raw.c_lflag &= ~(unsigned)(ICANON | ECHO | ISIG | IEXTEN);
			raw.c_iflag &= ~(unsigned)(ICRNL | IXON);
			raw.c_cc[VMIN] = 1;
			raw.c_cc[VTIME] = 0;
			tcsetattr(0, TCSANOW, &raw);
		}
		if (pthread_create(&t, NULL, uart_stdin_thread, b) == 0)
			pthread_detach(t);
	}
	if (pthread_create(&b->clint_thread, NULL, clint_thread, b))
		return -1;
	for (unsigned h = 0; h < b->ncpus; h++) {
		struct vcpu_arg *va = malloc(sizeof(*va));

		if (!va)
			return -1;
		va->b = b;
		va->h = h;
		if (pthread_create(&b->threads[h], NULL, vcpu_thread, va))
			return -1;
	}
	return 0;
}

int board_wait(struct board *b)
{
	int code = 0;

	for (unsigned h = 0; h < b->ncpus; h++)
		pthread_join(b->threads[h], NULL);
	pthread_mutex_lock(&b->run_lock);
	pthread_cond_broadcast(&b->run_cond);
	pthread_mutex_unlock(&b->run_lock);
	pthread_mutex_lock(&b->clint_lock);
	pthread_cond_signal(&b->clint_cond);
	pthread_mutex_unlock(&b->clint_lock);
	pthread_join(b->clint_thread, NULL);
	tcg_machine_is_shutdown(b->m, &code);
	return code;
}
