/* SPDX-License-Identifier: MIT */
/*
 * The board: guest RAM as one host mapping, the MROM (read only: the
 * reset code and fw_dynamic_info that boot.c writes), the devices of
 * system/hw/ behind tcg's mmio callbacks, and one host thread per hart.
 * An address no device claims is an access fault, as on QEMU.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "system/board.h"
#include "system/hw/hw.h"
#include "system/tracing.h"

uint64_t board_mtime(struct board *b)
{
	return clint_mtime(b->clint);
}

static uint64_t read_time_cb(void *opaque)
{
	return board_mtime(opaque);
}

static void finisher_poweroff(void *opaque, int code)
{
	board_shutdown(opaque, code);
}

static void finisher_reset(void *opaque)
{
	struct board *b = opaque;

	/* A reboot would reload every image and reset every hart: not
	 * emulated, so a reset ends the run as -no-reboot does. */
	if (!b->boot.no_reboot)
		fprintf(stderr, "vtrace-emu: guest reset: reboot is not "
				"emulated, exiting\n");
	board_shutdown(b, 0);
}

static const struct finisher_ops board_finisher = {
	.poweroff = finisher_poweroff,
	.reset = finisher_reset,
};

/* ---------------------------------------------------------------- MMIO */

static int mrom_read(struct board *b, uint64_t off, unsigned size,
		     uint64_t *val)
{
	uint64_t v = 0;

	if (off + size > VIRT_MROM_SIZE)
		return -1;
	memcpy(&v, b->mrom + off, size);	/* little-endian host */
	*val = v;
	return 0;
}

static int device_read(struct board *b, struct tcg_cpu *cpu, uint64_t addr,
		       unsigned size, uint64_t *val)
{
	if (addr - VIRT_UART_BASE < VIRT_UART_SIZE)
		return uart_read(b->uart, addr - VIRT_UART_BASE, size, val);
	if (addr - VIRT_PLIC_BASE < VIRT_PLIC_SIZE)
		return plic_read(b->plic, addr - VIRT_PLIC_BASE, size, val);
	if (addr - VIRT_CLINT_BASE < VIRT_CLINT_SIZE)
		return clint_read(b->clint, addr - VIRT_CLINT_BASE, size, val);
	if (addr - VIRT_TEST_BASE < VIRT_TEST_SIZE)
		return finisher_read(addr - VIRT_TEST_BASE, size, val);
	if (addr - VIRT_RTC_BASE < VIRT_RTC_SIZE)
		return rtc_read(b->rtc, addr - VIRT_RTC_BASE, size, val);
	if (addr - VIRT_MROM_BASE < VIRT_MROM_SIZE)
		return mrom_read(b, addr - VIRT_MROM_BASE, size, val);
	return -1;
}

static int device_write(struct board *b, struct tcg_cpu *cpu, uint64_t addr,
			unsigned size, uint64_t val)
{
	if (addr - VIRT_UART_BASE < VIRT_UART_SIZE)
		return uart_write(b->uart, addr - VIRT_UART_BASE, size, val);
	if (addr - VIRT_PLIC_BASE < VIRT_PLIC_SIZE)
		return plic_write(b->plic, addr - VIRT_PLIC_BASE, size, val);
	if (addr - VIRT_CLINT_BASE < VIRT_CLINT_SIZE)
		return clint_write(b->clint, addr - VIRT_CLINT_BASE, size, val);
	if (addr - VIRT_TEST_BASE < VIRT_TEST_SIZE)
		return finisher_write(&board_finisher, b,
				      addr - VIRT_TEST_BASE, size, val);
	if (addr - VIRT_RTC_BASE < VIRT_RTC_SIZE)
		return rtc_write(b->rtc, addr - VIRT_RTC_BASE, size, val);
	if (addr - VIRT_MROM_BASE < VIRT_MROM_SIZE)
		return 0;	/* ROM: writes are ignored */
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

int board_init(struct board *b, unsigned ncpus, uint64_t ram_size,
	       const char *backend)
{
	struct tcg_machine_config cfg = { 0 };

	b->ncpus = ncpus;
	b->ram_size = ram_size;
	pthread_mutex_init(&b->run_lock, NULL);
	pthread_cond_init(&b->run_cond, NULL);
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
	cfg.backend = backend;
	b->m = tcg_machine_create(&cfg);
	if (!b->m)
		return -1;
	for (unsigned h = 0; h < ncpus; h++) {
		b->cpus[h] = tcg_cpu_create(b->m, h);
		if (!b->cpus[h])
			return -1;
	}
	b->plic = plic_create(b->cpus, ncpus);
	b->clint = b->plic ? clint_create(b->cpus, ncpus) : NULL;
	b->uart = b->clint ? uart_create(b->plic, VIRT_UART0_IRQ, 1) : NULL;
	b->rtc = b->uart ? rtc_create(b->plic, VIRT_RTC_IRQ) : NULL;
	if (!b->rtc) {
		fprintf(stderr, "vtrace-emu: cannot create the devices\n");
		return -1;
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
		b->parked++;	/* board_pause() waits for all of them */
		pthread_cond_broadcast(&b->run_cond);
		while (!b->running && !tcg_machine_is_shutdown(b->m, NULL))
			pthread_cond_wait(&b->run_cond, &b->run_lock);
		b->parked--;
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

bool board_pause(struct board *b)
{
	bool was_running;

	pthread_mutex_lock(&b->run_lock);
	was_running = b->running;
	b->running = false;
	for (unsigned h = 0; h < b->ncpus; h++)
		tcg_cpu_stop(b->cpus[h]);
	while (b->parked < b->ncpus && !tcg_machine_is_shutdown(b->m, NULL))
		pthread_cond_wait(&b->run_cond, &b->run_lock);
	pthread_mutex_unlock(&b->run_lock);
	return was_running;
}

static void uart_quit(void *opaque)
{
	board_shutdown(opaque, 0);
}

int board_start(struct board *b, bool running)
{
	b->running = running;
	if (b->uart_stdin && uart_start_stdin(b->uart, uart_quit, b))
		return -1;
	if (clint_start(b->clint))
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
	clint_stop(b->clint);
	rtc_stop(b->rtc);
	tcg_machine_is_shutdown(b->m, &code);
	return code;
}
