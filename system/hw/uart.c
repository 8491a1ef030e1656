/* SPDX-License-Identifier: MIT */
/*
 * The ns16550a UART, with the register and interrupt behaviour of QEMU
 * 7.2's serial.c that Linux's 8250 driver relies on:
 *
 *  - IIR reports the highest of: line status (IER.RLSI and LSR.OE/BI),
 *    character timeout (IER.RDI, FIFO data left unread for 4 character
 *    times), received data (IER.RDI and DR, with the FIFO at its trigger
 *    level), THR empty (IER.THRI and a pending THRE event, cleared by
 *    reading IIR or writing THR), modem status (never: the lines do not
 *    move).  The PLIC source follows "IIR has an interrupt".
 *  - Transmission is immediate: a THR write goes to out_fd (or, with
 *    MCR.LOOP, to the receiver) and THRE/TEMT are set again at once, with
 *    a THR-empty event.
 *  - The receiver holds one byte (RBR) or, with FCR.FE, a 16-byte FIFO
 *    with trigger level 1, 4, 8 or 14; stdin offers only what fits, as
 *    QEMU's serial_can_receive does, so input is never lost.
 *
 * Threads: vCPUs call uart_read/uart_write; the stdin thread delivers
 * bytes and fires the character timeout.  All state is under u->lock; the
 * stdin thread is woken through an eventfd when room appears in the
 * receiver or the timeout is re-armed.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "system/hw/hw.h"

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI 0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID 0x06
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c
#define UART_IIR_FE 0xc0
#define UART_FCR_FE 0x01
#define UART_FCR_RFR 0x02
#define UART_FCR_XFR 0x04
#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10
#define UART_MCR_OUT2 0x08
#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_BI 0x10
#define UART_LSR_INT_ANY 0x1e
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_DCD 0x80
#define UART_MSR_ANY_DELTA 0x0f
#define UART_FIFO_LENGTH 16
#define UART_BAUDBASE 399193	/* QEMU virt's serial_mm_init */

struct uart {
	pthread_mutex_t lock;
	struct plic *plic;
	unsigned source;
	int out_fd;
	int wake_fd;		/* eventfd: wakes the stdin thread */
	uint8_t rbr, ier, iir, lcr, mcr, lsr, msr, scr, fcr;
	uint16_t divider;
	bool thr_ipending, timeout_ipending;
	uint8_t fifo[UART_FIFO_LENGTH];
	unsigned fifo_head, fifo_count, fifo_itl;
	uint64_t char_ns;	/* time to send one character */
	uint64_t timeout_at;	/* CLOCK_MONOTONIC ns, 0: no timeout armed */
	void (*quit)(void *);
	void *quit_opaque;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void wake(struct uart *u)
{
	uint64_t one = 1;

	if (write(u->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the thread is awake anyway */
	}
}

struct uart *uart_create(struct plic *plic, unsigned source, int out_fd)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->wake_fd < 0) {
		free(u);
		return NULL;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->plic = plic;
	u->source = source;
	u->out_fd = out_fd;
	/* QEMU's serial_reset: 9600 8N1, OUT2, DCD|DSR|CTS, THR empty. */
	u->iir = UART_IIR_NO_INT;
	u->lsr = UART_LSR_TEMT | UART_LSR_THRE;
	u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	u->divider = 0x0c;
	u->mcr = UART_MCR_OUT2;
	u->char_ns = 1000000000ull / 9600 * 10;
	u->fifo_itl = 1;
	return u;
}

static void update_irq_locked(struct uart *u)
{
	uint8_t id = UART_IIR_NO_INT;

	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_INT_ANY))
		id = UART_IIR_RLSI;
	else if ((u->ier & UART_IER_RDI) && u->timeout_ipending)
		id = UART_IIR_CTI;
	else if ((u->ier & UART_IER_RDI) && (u->lsr & UART_LSR_DR) &&
		 (!(u->fcr & UART_FCR_FE) || u->fifo_count >= u->fifo_itl))
		id = UART_IIR_RDI;
	else if ((u->ier & UART_IER_THRI) && u->thr_ipending)
		id = UART_IIR_THRI;
	else if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_ANY_DELTA))
		id = UART_IIR_MSI;
	u->iir = id | (u->iir & 0xf0);
	plic_set_irq(u->plic, u->source, id != UART_IIR_NO_INT);
}

static void update_params_locked(struct uart *u)
{
	unsigned frame = 1 + (u->lcr & 3) + 5 + (u->lcr & 4 ? 2 : 1) +
			 (u->lcr & 8 ? 1 : 0);
	unsigned speed;

	if (!u->divider)
		return;
	speed = UART_BAUDBASE / u->divider;
	if (speed)
		u->char_ns = 1000000000ull / speed * frame;
}

/* Bytes the receiver takes now (QEMU's serial_can_receive). */
static unsigned can_receive_locked(struct uart *u)
{
	if (!(u->fcr & UART_FCR_FE))
		return !(u->lsr & UART_LSR_DR);
	if (u->fifo_count >= UART_FIFO_LENGTH)
		return 0;
	return u->fifo_count <= u->fifo_itl ? u->fifo_itl - u->fifo_count
					    : 1;
}

static void receive_locked(struct uart *u, uint8_t c)
{
	if (u->fcr & UART_FCR_FE) {
		if (u->fifo_count < UART_FIFO_LENGTH)
			u->fifo[(u->fifo_head + u->fifo_count++) %
				UART_FIFO_LENGTH] = c;
		else
			u->lsr |= UART_LSR_OE;
		u->lsr |= UART_LSR_DR;
		u->timeout_at = now_ns() + 4 * u->char_ns;
		wake(u);
	} else {
		if (u->lsr & UART_LSR_DR)
			u->lsr |= UART_LSR_OE;
		u->rbr = c;
		u->lsr |= UART_LSR_DR;
	}
	update_irq_locked(u);
}

static void transmit_locked(struct uart *u, uint8_t c)
{
	u->thr_ipending = false;
	u->lsr &= (uint8_t)~(UART_LSR_THRE | UART_LSR_TEMT);
	update_irq_locked(u);
	if (u->mcr & UART_MCR_LOOP) {
		receive_locked(u, c);
	} else {
		ssize_t r;

		do
			r = write(u->out_fd, &c, 1);
		while (r < 0 && errno == EINTR);
	}
	u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	u->thr_ipending = true;
	update_irq_locked(u);
}

static uint8_t read_rbr_locked(struct uart *u)
{
	uint8_t v;

	if (u->fcr & UART_FCR_FE) {
		v = 0;
		if (u->fifo_count) {
			v = u->fifo[u->fifo_head];
			u->fifo_head = (u->fifo_head + 1) % UART_FIFO_LENGTH;
			u->fifo_count--;
		}
		if (!u->fifo_count)
			u->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
		else
			u->timeout_at = now_ns() + 4 * u->char_ns;
		u->timeout_ipending = false;
	} else {
		v = u->rbr;
		u->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
	}
	update_irq_locked(u);
	wake(u);
	return v;
}

static uint8_t read_locked(struct uart *u, uint64_t off)
{
	uint8_t v = 0;

	switch (off & 7) {
	case 0:
		v = u->lcr & UART_LCR_DLAB ? (uint8_t)u->divider
					   : read_rbr_locked(u);
		break;
	case 1:
		v = u->lcr & UART_LCR_DLAB ? (uint8_t)(u->divider >> 8)
					   : u->ier;
		break;
	case 2:
		v = u->iir;
		if ((v & UART_IIR_ID) == UART_IIR_THRI &&
		    !(v & UART_IIR_NO_INT)) {
			u->thr_ipending = false;
			update_irq_locked(u);
		}
		break;
	case 3:
		v = u->lcr;
		break;
	case 4:
		v = u->mcr;
		break;
	case 5:
		v = u->lsr;
		if (u->lsr & (UART_LSR_BI | UART_LSR_OE)) {
			u->lsr &= (uint8_t)~(UART_LSR_BI | UART_LSR_OE);
			update_irq_locked(u);
		}
		break;
	case 6:
		if (u->mcr & UART_MCR_LOOP) {
			/* the modem outputs wired back to the inputs */
			v = (uint8_t)((u->mcr & 0x0c) << 4 |
				      (u->mcr & 0x02) << 3 |
				      (u->mcr & 0x01) << 5);
		} else {
			v = u->msr;
			if (u->msr & UART_MSR_ANY_DELTA) {
				u->msr &= 0xf0;
				update_irq_locked(u);
			}
		}
		break;
	case 7:
		v = u->scr;
		break;
	}
	return v;
}

/*
 * A wider access is one byte access per register, as on QEMU.  The
 * registers are the window's first 8 bytes; an access reaching past them
 * faults (QEMU maps an 8-byte region in virt's 0x100-byte window).
 */
int uart_read(struct uart *u, uint64_t off, unsigned size, uint64_t *val)
{
	uint64_t v = 0;

	if (off + size > 8)
		return -1;
	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_locked(u, off + i) << (8 * i);
	pthread_mutex_unlock(&u->lock);
	*val = v;
	return 0;
}

static void write_fcr_locked(struct uart *u, uint8_t v)
{
	/* Turning the FIFOs on or off also empties them. */
	if ((v ^ u->fcr) & UART_FCR_FE)
		v |= UART_FCR_XFR | UART_FCR_RFR;
	if (v & UART_FCR_RFR) {
		u->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
		u->timeout_at = 0;
		u->timeout_ipending = false;
		u->fifo_head = u->fifo_count = 0;
	}
	if (v & UART_FCR_XFR) {
		u->lsr |= UART_LSR_THRE;
		u->thr_ipending = true;
	}
	u->fcr = v & 0xc9;
	if (u->fcr & UART_FCR_FE) {
		static const unsigned itl[4] = { 1, 4, 8, 14 };

		u->iir |= UART_IIR_FE;
		u->fifo_itl = itl[v >> 6];
	} else {
		u->iir &= (uint8_t)~UART_IIR_FE;
	}
	update_irq_locked(u);
	wake(u);
}

static void write_locked(struct uart *u, uint64_t off, uint8_t v)
{
	uint8_t changed;

	switch (off & 7) {
	case 0:
		if (u->lcr & UART_LCR_DLAB) {
			u->divider = (uint16_t)((u->divider & 0xff00) | v);
			update_params_locked(u);
		} else {
			transmit_locked(u, v);
		}
		break;
	case 1:
		if (u->lcr & UART_LCR_DLAB) {
			u->divider = (uint16_t)((u->divider & 0x00ff) | v << 8);
			update_params_locked(u);
			break;
		}
		changed = (u->ier ^ v) & 0x0f;
		u->ier = v & 0x0f;
		/* Turning IER.THRI on re-raises THRE if THR is empty. */
		if (changed & UART_IER_THRI)
			u->thr_ipending = (u->ier & UART_IER_THRI) &&
					  (u->lsr & UART_LSR_THRE);
		if (changed)
			update_irq_locked(u);
		break;
	case 2:
		write_fcr_locked(u, v);
		break;
	case 3:
		u->lcr = v;
		update_params_locked(u);
		break;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		break;
	default:
		break;	/* LSR and MSR are read only */
	}
}

int uart_write(struct uart *u, uint64_t off, unsigned size, uint64_t val)
{
	if (off + size > 8)
		return -1;
	pthread_mutex_lock(&u->lock);
	for (unsigned i = 0; i < size; i++)
		write_locked(u, off + i, (uint8_t)(val >> (8 * i)));
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
}

/*
 * stdin to the receiver, as much as it takes at a time, and the character
 * timeout.  Ends at EOF of stdin only when no timeout can be pending.
 */
static void *uart_stdin_thread(void *arg)
{
	struct uart *u = arg;
	bool ctrl_a = false, eof = false;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = u->wake_fd, .events = POLLIN },
					 { .fd = 0, .events = POLLIN } };
		struct timespec ts, *tsp = NULL;
		unsigned room;
		uint64_t now;

		pthread_mutex_lock(&u->lock);
		now = now_ns();
		if (u->timeout_at && now >= u->timeout_at) {
			u->timeout_at = 0;
			if (u->fifo_count) {
				u->timeout_ipending = true;
				update_irq_locked(u);
			}
		}
		if (u->timeout_at) {
			uint64_t d = u->timeout_at - now;

			ts.tv_sec = (time_t)(d / 1000000000ull);
			ts.tv_nsec = (long)(d % 1000000000ull);
			tsp = &ts;
		}
		room = can_receive_locked(u);
		pthread_mutex_unlock(&u->lock);

		if (ppoll(pfd, eof || !room ? 1 : 2, tsp, NULL) < 0 &&
		    errno != EINTR)
			return NULL;
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			if (read(u->wake_fd, &n, sizeof(n)) < 0) {
				/* already drained */
			}
		}
		if (eof || !room || !(pfd[1].revents & (POLLIN | POLLHUP)))
			continue;

		unsigned char buf[UART_FIFO_LENGTH];
		ssize_t r = read(0, buf, room);

		if (r <= 0) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			eof = true;
			continue;
		}
		for (ssize_t i = 0; i < r; i++) {
			/* QEMU's mux escape on a terminal: C-a x quits. */
			if (tio_saved && ctrl_a && buf[i] == 'x') {
				fprintf(stderr, "QEMU: Terminated\r\n");
				u->quit(u->quit_opaque);
				return NULL;
			}
			ctrl_a = tio_saved && buf[i] == 1 && !ctrl_a;
			if (ctrl_a)
				continue;
			pthread_mutex_lock(&u->lock);
			receive_locked(u, buf[i]);
			pthread_mutex_unlock(&u->lock);
		}
	}
}

int uart_start_stdin(struct uart *u, void (*quit)(void *), void *opaque)
{
	pthread_t t;

	u->quit = quit;
	u->quit_opaque = opaque;
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
	if (pthread_create(&t, NULL, uart_stdin_thread, u))
		return -1;
	pthread_detach(t);
	return 0;
}
