/* SPDX-License-Identifier: MIT */
/*
 * The goldfish RTC at 0x101000 (PLIC source 11), as QEMU 7.2's
 * goldfish_rtc: 32-bit registers only.
 *
 *	0x00 TIME_LOW    read: low half of now (ns since the epoch, host
 *	                 CLOCK_REALTIME plus what the guest set), latching
 *	                 the high half; write: set the low half
 *	0x04 TIME_HIGH   the latched high half; write: set the high half
 *	0x08 ALARM_LOW   write arms the alarm at ALARM_HIGH:ALARM_LOW (fires
 *	                 at once if that is not in the future)
 *	0x0c ALARM_HIGH
 *	0x10 IRQ_ENABLED bit 0
 *	0x14 CLEAR_ALARM disarm
 *	0x18 ALARM_STATUS 1 while armed
 *	0x1c CLEAR_INTERRUPT
 *
 * The interrupt line is "alarm fired and not cleared" AND IRQ_ENABLED.
 * A thread sleeps until the armed alarm; rtc_stop() ends it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "system/hw/hw.h"
#include "tcg/cpu.h"

struct rtc {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* wakes the alarm thread */
	pthread_t thread;
	bool stop;
	struct plic *plic;
	unsigned source;
	int64_t offset;		/* ns added to CLOCK_REALTIME */
	uint32_t time_high;
	uint64_t alarm_next;
	bool alarm_running, irq_pending, irq_enabled;
};

static uint64_t count_locked(struct rtc *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
	       (uint64_t)r->offset;
}

static void update_locked(struct rtc *r)
{
	plic_set_irq(r->plic, r->source, r->irq_pending && r->irq_enabled);
}

static void set_alarm_locked(struct rtc *r)
{
	if (r->alarm_next <= count_locked(r)) {
		r->alarm_running = false;
		r->irq_pending = true;
	} else {
		r->alarm_running = true;
		pthread_cond_signal(&r->cond);
	}
	update_locked(r);
}

static void *rtc_thread(void *arg)
{
	struct rtc *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		uint64_t ns;
		struct timespec ts;

		if (!r->alarm_running) {
			pthread_cond_wait(&r->cond, &r->lock);
			continue;
		}
		if (r->alarm_next <= count_locked(r)) {
			r->alarm_running = false;
			r->irq_pending = true;
			update_locked(r);
			continue;
		}
		ns = r->alarm_next - (uint64_t)r->offset;
		ts.tv_sec = (time_t)(ns / 1000000000ull);
		ts.tv_nsec = (long)(ns % 1000000000ull);
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct rtc *rtc_create(struct plic *plic, unsigned source)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->plic = plic;
	r->source = source;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);	/* CLOCK_REALTIME */
	if (pthread_create(&r->thread, NULL, rtc_thread, r)) {
		free(r);
		return NULL;
	}
	return r;
}

void rtc_stop(struct rtc *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
}

int rtc_read(struct rtc *r, uint64_t off, unsigned size, uint64_t *val)
{
	uint64_t v = 0;

	if (size != 4)
		return -1;
	pthread_mutex_lock(&r->lock);
	switch (off) {
	case 0x00:
		v = count_locked(r);
		r->time_high = (uint32_t)(v >> 32);
		v &= 0xffffffffull;
		break;
	case 0x04: v = r->time_high; break;
	case 0x08: v = r->alarm_next & 0xffffffffull; break;
	case 0x0c: v = r->alarm_next >> 32; break;
	case 0x10: v = r->irq_enabled; break;
	case 0x18: v = r->alarm_running; break;
	}
	pthread_mutex_unlock(&r->lock);
	*val = v;
	return 0;
}

int rtc_write(struct rtc *r, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t now;

	if (size != 4)
		return -1;
	val &= 0xffffffffull;
	pthread_mutex_lock(&r->lock);
	switch (off) {
	case 0x00:
		now = count_locked(r);
		r->offset += (int64_t)(((now & ~0xffffffffull) | val) - now);
		break;
	case 0x04:
		now = count_locked(r);
		r->offset += (int64_t)(((now & 0xffffffffull) | val << 32) -
				       now);
		break;
	case 0x08:
		r->alarm_next = (r->alarm_next & ~0xffffffffull) | val;
		set_alarm_locked(r);
		break;
	case 0x0c:
		r->alarm_next = (r->alarm_next & 0xffffffffull) | val << 32;
		break;
	case 0x10:
		r->irq_enabled = val & 1;
		update_locked(r);
		break;
	case 0x14:
		r->alarm_running = false;
		break;
	case 0x1c:
		r->irq_pending = false;
		update_locked(r);
		break;
	}
	pthread_mutex_unlock(&r->lock);
	return 0;
}
