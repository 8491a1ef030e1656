# ring/: the producer side of the shared-memory rings.
ring-y := ring/producer.c ring/session.c
RING_LIBS := -lnuma
