#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tracetool: turn trace-events files (QEMU grammar) into vtrace's event table.

    tracetool.py --format=h|c|list -o OUT FILE...

Grammar of one line (as in QEMU's docs/devel/tracing.rst):

    [disable] [vcpu] [tcg] name(type arg, ...) "format"

- `disable`: static state off; TRACE_NAME_ENABLED is 0 and trace_name()
  compiles to nothing.
- `vcpu`: the event belongs to a vCPU.  trace_name() takes the vCPU
  (struct trace_vcpu *) as an implicit first argument and tests a bit in that
  vCPU's own mask; the record goes to that vCPU's ring.
- `tcg` (needs `vcpu`): decided at translation time.  The emulator hands
  the vCPU's tcg bits (TRACE_TCG_MASK) to its translator, which puts the
  trace op into the blocks it translates with the bit on; the op calls
  trace_name_exec(vcpu, ...) when the block runs.  A second format
  string, if present, is the execution-time one (QEMU's "trans", "exec").

Arguments are stdint types, size_t, ssize_t, bool, int, unsigned, long,
uintptr_t, pointers and `const char *` strings; at most 10.  Each event gets a
fixed record layout: the arguments in order with natural alignment, strings
inline in STRING_ROOM bytes, padded to whole 64-byte slots (48 payload bytes in
the first slot, 64 in each further one).  Any error names file:line and the
reason and makes the build fail.
"""
import argparse
import os
import re
import sys

MAX_ARGS = 10
MAX_VCPU_EVENTS = 64
STRING_ROOM = 64
FIRST_PAYLOAD = 48
SLOT = 64
MAX_SLOTS = 63

# C type -> (storage C type, size, signed, base) ; base 16 for pointers
INT_TYPES = {
    "uint8_t": ("uint8_t", 1, False), "int8_t": ("int8_t", 1, True),
    "uint16_t": ("uint16_t", 2, False), "int16_t": ("int16_t", 2, True),
    "uint32_t": ("uint32_t", 4, False), "int32_t": ("int32_t", 4, True),
    "uint64_t": ("uint64_t", 8, False), "int64_t": ("int64_t", 8, True),
    "int": ("int32_t", 4, True), "unsigned": ("uint32_t", 4, False),
    "unsigned int": ("uint32_t", 4, False), "long": ("int64_t", 8, True),
    "unsigned long": ("uint64_t", 8, False), "size_t": ("uint64_t", 8, False),
    "ssize_t": ("int64_t", 8, True), "uintptr_t": ("uint64_t", 8, False),
    "bool": ("uint8_t", 1, False),
}
PRI_EXPANSION = {"8": "", "16": "", "32": "", "64": "l", "PTR": "l", "MAX": "l"}
# Argument names the generated code cannot use: C keywords and macros from
# the headers it includes.
C_WORDS = frozenset("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while asm typeof bool true false NULL errno EOF
alignas alignof noreturn static_assert thread_local offsetof""".split())
# Identifiers of the run-time (trace/*.h) and the generated globals that an
# event's generated names must not redefine.
RESERVED_IDENTIFIERS = frozenset("""TRACE_EVENT_COUNT TRACE_VCPU_EVENT_COUNT TRACE_TCG_MASK
TRACE_ALL_VCPUS TRACE_VCPU_NONE TRACE_ARG_POINTER TRACE_ARG_SIGNED TRACE_ARG_STRING
TRACE_ARG_UNSIGNED trace_arg_kind trace_backend_configure trace_backend_dropped
trace_backend_flush trace_backend_off trace_backend_on trace_backend_opts trace_backend_session
trace_backend_set_dir trace_backend_sibling trace_backend_start trace_backend_status
trace_backend_stop trace_clock_calibrate trace_clock_info trace_clock_now trace_clock_ticks_to_ns
trace_cmdline trace_cmdline_list trace_cmdline_parse trace_control_reset trace_copy_string
trace_ctf_env trace_ctf_events trace_ctf_metadata trace_event trace_event_arg trace_event_count
trace_event_find trace_event_foreach trace_event_get trace_event_is_vcpu trace_event_set
trace_events trace_events_enabled_count trace_events_file_apply trace_events_parse_line
trace_hmp_info_events trace_hmp_trace_event trace_hmp_trace_file trace_vcpu trace_vcpu_count
trace_vcpu_get trace_vcpu_register trace_vcpu_ring trace_event_id""".split())
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LINE_RE = re.compile(r"^(?P<props>(?:[A-Za-z0-9_]+\s+)*)(?P<name>[A-Za-z0-9_]+)\((?P<args>.*)\)\s*(?P<fmt>.*)$")


class TraceError(Exception):
    def __init__(self, path, lineno, msg):
        super().__init__("%s:%d: %s" % (path, lineno, msg))


class Arg:
    def __init__(self, ctype, name):
        self.ctype = ctype          # as written, normalised spacing
        self.name = name
        self.is_string = False
        self.is_pointer = False
        if re.fullmatch(r"const char \*", ctype):
            self.is_string = True
            self.store, self.size, self.signed = "char", STRING_ROOM, False
            self.align = 1
        elif ctype.endswith("*"):
            self.is_pointer = True
            self.store, self.size, self.signed = "uint64_t", 8, False
            self.align = 8
        else:
            self.store, self.size, self.signed = INT_TYPES[ctype]
            self.align = self.size
        self.offset = 0


class Event:
    def __init__(self, path, lineno, props, name, args, fmts):
        self.path, self.lineno = path, lineno
        self.props = props
        self.name = name
        self.args = args
        self.fmt = fmts[-1]     # execution-time format
        self.fmts = fmts
        self.id = 0
        self.vcpu_index = None
        self.layout()

    disabled = property(lambda self: "disable" in self.props)
    vcpu = property(lambda self: "vcpu" in self.props)
    tcg = property(lambda self: "tcg" in self.props)

    def layout(self):
        off = 0
        for a in self.args:
            off = (off + a.align - 1) // a.align * a.align
            a.offset = off
            off += a.size
        self.payload = off
        if off <= FIRST_PAYLOAD:
            self.nslots = 1
        else:
            self.nslots = 1 + (off - FIRST_PAYLOAD + SLOT - 1) // SLOT
        self.capacity = FIRST_PAYLOAD + SLOT * (self.nslots - 1)
        self.pad = self.capacity - off

    @property
    def upper(self):
        return self.name.upper()

    def c_params(self):
        ps = ["%s %s" % (a.ctype if not a.ctype.endswith("*") else a.ctype[:-1].rstrip() + " *", a.name)
              for a in self.args]
        if self.vcpu:
            ps.insert(0, "struct trace_vcpu *vcpu")
        if not ps:
            return "void"
        return ", ".join(ps).replace("* ", "*")

    def expanded_fmt(self):
        return expand_format(self.fmt)


def parse_string_concat(text, path, lineno):
    """Parse `"a" PRIx64 "b"` (QEMU allows PRI macros between literals) into
    the C spelling and the list of pieces.  Returns a list of formats (one or
    two, comma separated)."""
    fmts = []
    pos = 0
    text = text.strip()
    if not text:
        raise TraceError(path, lineno, "missing format string")
    cur = []
    while pos < len(text):
        c = text[pos]
        if c.isspace():
            pos += 1
        elif c == '"':
            end = pos + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                raise TraceError(path, lineno, "unterminated format string")
            cur.append(("lit", text[pos + 1:end]))
            pos = end + 1
        elif text.startswith("PRI", pos):
            m = re.match(r"PRI([diouxX])(8|16|32|64|PTR|MAX)", text[pos:])
            if not m:
                raise TraceError(path, lineno, "bad format macro near '%s'" % text[pos:pos + 10])
            cur.append(("pri", m.group(0)))
            pos += len(m.group(0))
        elif c == ",":
            if not cur:
                raise TraceError(path, lineno, "empty format string")
            fmts.append(cur)
            cur = []
            pos += 1
        else:
            raise TraceError(path, lineno, "unexpected text after the format: '%s'" % text[pos:])
    if not cur:
        raise TraceError(path, lineno, "empty format string")
    fmts.append(cur)
    if len(fmts) > 2:
        raise TraceError(path, lineno, "at most two formats (translation, execution)")
    return fmts


def expand_format(pieces):
    out = []
    for kind, v in pieces:
        if kind == "lit":
            out.append(v)
        else:
            m = re.match(r"PRI([diouxX])(8|16|32|64|PTR|MAX)", v)
            out.append(PRI_EXPANSION[m.group(2)] + m.group(1))
    return "".join(out)


def c_format(pieces):
    out = []
    for kind, v in pieces:
        out.append('"%s"' % v if kind == "lit" else v)
    return " ".join(out)


CONV_RE = re.compile(r"%(%|[-+ #0]*(\d+|\*)?(\.(\d+|\*))?(hh|h|ll|l|z|j|t)?([diouxXcsp]))")


def check_format(ev, fmt_text):
    path, lineno = ev.path, ev.lineno
    if fmt_text.endswith("\\n"):
        raise TraceError(path, lineno, "format must not end with a newline")
    if "%m" in fmt_text:
        raise TraceError(path, lineno, "'%m' is not allowed in a trace format")
    convs = [m for m in CONV_RE.finditer(fmt_text) if m.group(1) != "%"]
    # Any '%' that is not a known conversion is an error.
    stripped = CONV_RE.sub("", fmt_text)
    if "%" in stripped:
        raise TraceError(path, lineno, "unknown conversion in format '%s'" % fmt_text)
    if any(m.group(2) == "*" or m.group(4) == "*" for m in convs):
        raise TraceError(path, lineno, "'*' width or precision is not supported")
    if len(convs) != len(ev.args):
        raise TraceError(path, lineno, "format has %d conversions for %d arguments"
                         % (len(convs), len(ev.args)))
    for m, a in zip(convs, ev.args):
        conv = m.group(6)
        if conv == "s" and not a.is_string:
            raise TraceError(path, lineno, "'%%s' for non-string argument '%s'" % a.name)
        if a.is_string and conv != "s":
            raise TraceError(path, lineno, "string argument '%s' needs '%%s'" % a.name)


def parse_args(text, path, lineno):
    text = text.strip()
    if text == "void" or text == "":
        return []
    args = []
    names = set()
    for raw in text.split(","):
        raw = " ".join(raw.split())
        if not raw:
            raise TraceError(path, lineno, "empty argument")
        m = re.fullmatch(r"(.*?[\s*])([A-Za-z_][A-Za-z0-9_]*)", raw)
        if not m or not m.group(1).strip():
            raise TraceError(path, lineno, "argument '%s' needs a type and a name" % raw)
        ctype = m.group(1).strip()
        ctype = re.sub(r"\s*\*", " *", ctype).replace("* *", "**")
        name = m.group(2)
        base = ctype.replace("const ", "")
        if ctype == "const char *":
            pass
        elif ctype.endswith("*"):
            if not NAME_RE.match(base.rstrip("* ").replace("struct ", "").replace(" ", "_")):
                raise TraceError(path, lineno, "bad type '%s'" % ctype)
        elif ctype not in INT_TYPES:
            raise TraceError(path, lineno, "bad type '%s' for argument '%s'" % (ctype, name))
        if name in names:
            raise TraceError(path, lineno, "argument '%s' appears twice" % name)
        if name in ("vcpu", "vt_pad") or name.startswith("_"):
            raise TraceError(path, lineno, "argument name '%s' is reserved" % name)
        if name in C_WORDS:
            raise TraceError(path, lineno, "argument name '%s' is a C keyword or macro" % name)
        names.add(name)
        args.append(Arg(ctype, name))
    if len(args) > MAX_ARGS:
        raise TraceError(path, lineno, "too many arguments (%d, at most %d)" % (len(args), MAX_ARGS))
    return args


def parse_file(path, events, seen):
    try:
        f = open(path, "rb")
    except OSError as e:
        raise TraceError(path, 0, "cannot read: %s" % e.strerror)
    with f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as e:
                raise TraceError(path, lineno, "not UTF-8 (byte 0x%02x at column %d)"
                                 % (raw[e.start], e.start + 1))
            if not line or line.startswith("#"):
                continue
            m = LINE_RE.match(line)
            if not m:
                raise TraceError(path, lineno, "expected '[props] name(args) \"format\"'")
            props = m.group("props").split()
            for p in props:
                if p not in ("disable", "vcpu", "tcg"):
                    raise TraceError(path, lineno, "unknown property '%s'" % p)
            if len(set(props)) != len(props):
                raise TraceError(path, lineno, "property given twice")
            if "tcg" in props and "vcpu" not in props:
                raise TraceError(path, lineno, "'tcg' events must also be 'vcpu' events")
            name = m.group("name")
            if not NAME_RE.match(name):
                raise TraceError(path, lineno, "bad event name '%s'" % name)
            if name in seen:
                raise TraceError(path, lineno, "duplicate event name '%s' (first at %s)" % (name, seen[name]))
            args = parse_args(m.group("args"), path, lineno)
            fmts = parse_string_concat(m.group("fmt"), path, lineno)
            ev = Event(path, lineno, props, name, args, fmts)
            for pieces in fmts[-1:]:
                check_format(ev, expand_format(pieces))
            if ev.nslots > MAX_SLOTS:
                raise TraceError(path, lineno, "arguments need %d slots, more than a packet" % ev.nslots)
            seen[name] = "%s:%d" % (path, lineno)
            events.append(ev)


def generated_names(ev):
    """The identifiers gen_h and gen_c define for @ev."""
    up, n = ev.upper, ev.name
    names = ["TRACE_%s" % up, "TRACE_%s_ENABLED" % up, "trace_%s" % n]
    if ev.vcpu:
        names.append("TRACE_%s_VCPU_BIT" % up)
    if ev.tcg:
        names.append("trace_%s_exec" % n)
    if not ev.disabled:
        names += ["_TRACE_%s_DSTATE" % up, "_trace_%s_emit" % n, "_trace_%s_args" % n]
    if ev.args:
        names.append("_trace_%s_argv" % n)
    return names


def check_names(events):
    """Two events, or an event and the run-time API, must not generate the
    same C identifier (foo and FOO both make TRACE_FOO; tcg foo makes
    trace_foo_exec; an event copy_string would redefine trace_copy_string)."""
    taken = {}
    for ev in events:
        for ident in generated_names(ev):
            if ident in RESERVED_IDENTIFIERS:
                raise TraceError(ev.path, ev.lineno, "event name '%s' clashes with the run-time "
                                 "identifier %s" % (ev.name, ident))
            if ident in taken:
                raise TraceError(ev.path, ev.lineno, "event '%s' generates %s, as '%s' does (at %s)"
                                 % (ev.name, ident, taken[ident].name,
                                    "%s:%d" % (taken[ident].path, taken[ident].lineno)))
        for ident in generated_names(ev):
            taken[ident] = ev


def assign_ids(events):
    check_names(events)
    vcpu_index = 0
    for i, ev in enumerate(events):
        ev.id = i
        if ev.vcpu:
            if vcpu_index >= MAX_VCPU_EVENTS:
                raise TraceError(ev.path, ev.lineno, "more than %d vcpu events" % MAX_VCPU_EVENTS)
            ev.vcpu_index = vcpu_index
            vcpu_index += 1
    return vcpu_index


def ctf_type(a):
    if a.is_string:
        return None
    if a.is_pointer:
        return "x64_t"
    return a.store


def ctf_event(ev):
    lines = ['event {', '\tname = "%s";' % ev.name, "\tid = %d;" % ev.id,
             "\tstream_id = 0;", "\tfields := struct {"]
    for a in ev.args:
        if a.is_string:
            lines.append("\t\tinteger { size = 8; align = 8; signed = false; encoding = UTF8; } %s[%d];"
                         % (a.name, a.size))
        else:
            lines.append("\t\t%s %s;" % (ctf_type(a), a.name))
    if ev.pad:
        lines.append("\t\tinteger { size = 8; align = 8; signed = false; encoding = UTF8; } vt_pad[%d];"
                     % ev.pad)
    lines += ["\t};", "};", ""]
    return "\n".join(lines)


def c_string(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def tsdl_string(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


HEADER = """/* This file is autogenerated by tools/tracetool from %s; do not edit. */
"""


def gen_h(events, sources, nvcpu, out):
    w = out.write
    w(HEADER % ", ".join(sources))
    w("#ifndef VTRACE_GENERATED_TRACE_H\n#define VTRACE_GENERATED_TRACE_H\n\n")
    w('#include "trace/trace-rt.h"\n\n')
    w("enum trace_event_id {\n")
    for ev in events:
        w("\tTRACE_%s = %d,\n" % (ev.upper, ev.id))
    w("\tTRACE_EVENT_COUNT = %d\n};\n\n" % len(events))
    w("#define TRACE_VCPU_EVENT_COUNT %d\n" % nvcpu)
    tcg_mask = 0
    for ev in events:
        if ev.tcg:
            tcg_mask |= 1 << ev.vcpu_index
    w("/* vCPU mask bits of the tcg events: the part of a vCPU's mask that the\n"
      " * translator puts into the block-cache key. */\n")
    w("#define TRACE_TCG_MASK 0x%xull\n\n" % tcg_mask)
    for ev in events:
        w("#define TRACE_%s_ENABLED %d\n" % (ev.upper, 0 if ev.disabled else 1))
    w("\n")
    for ev in events:
        if ev.vcpu:
            w("#define TRACE_%s_VCPU_BIT (1ull << %d)\n" % (ev.upper, ev.vcpu_index))
    w("\n")
    for ev in events:
        if not ev.disabled:
            w("extern uint16_t _TRACE_%s_DSTATE;\n" % ev.upper)
    w("\n")
    for ev in events:
        gen_h_event(ev, w)
    w("#endif /* VTRACE_GENERATED_TRACE_H */\n")


def unused(ev):
    """Statements that mark an empty trace call's parameters as used."""
    names = (["vcpu"] if ev.vcpu else []) + [a.name for a in ev.args]
    return "".join("\t(void)%s;\n" % n for n in names)


def gen_h_event(ev, w):
    up = ev.upper
    w('#line %d "%s"\n' % (ev.lineno, ev.path))
    if ev.disabled:
        w("static inline void trace_%s(%s)\n{\n%s}\n" % (ev.name, ev.c_params(), unused(ev)))
        if ev.tcg:
            w("static inline void trace_%s_exec(%s)\n{\n%s}\n" % (ev.name, ev.c_params(), unused(ev)))
        w("\n")
        return
    # The record layout, identical to the event's CTF fields.
    w("struct _trace_%s_args {\n" % ev.name)
    for a in ev.args:
        if a.is_string:
            w("\tchar %s[%d];\n" % (a.name, a.size))
        else:
            w("\t%s %s;\n" % (a.store, a.name))
    if ev.pad:
        w("\tuint8_t vt_pad[%d];\n" % ev.pad)
    w("};\n")
    w("_Static_assert(sizeof(struct _trace_%s_args) == %d, \"%s fills %d slots\");\n"
      % (ev.name, ev.capacity, ev.name, ev.nslots))
    # Out-of-line-free emit: reserve, store the args, commit.
    w("static inline void _trace_%s_emit(struct ring_writer *_w%s)\n{\n"
      % (ev.name, "".join(", " + p for p in ev.c_params().split(", ")
                          if not p.startswith("struct trace_vcpu") and p != "void")))
    w("\tstruct ring_record *_rec = ring_reserve(_w, %d);\n" % ev.nslots)
    w("\tif (__builtin_expect(_rec == NULL, 0))\n\t\treturn;\n")
    w("\tstruct ring_ctl *_ctl = _w->ctl;\n")
    w("\tuint64_t _head = ring_stamp(_w, _rec, TRACE_%s, %d, trace_clock_now());\n"
      % (up, ev.nslots))
    w("\tstruct _trace_%s_args *_args = (struct _trace_%s_args *)_rec->args;\n" % (ev.name, ev.name))
    if (ev.pad or any(a.is_string for a in ev.args) or
            sum(a.size for a in ev.args) != ev.payload):
        # The slot held an older record: padding, alignment holes and
        # string tails are zeroed so none of its bytes reach the disk.
        w("\tmemset(_args, 0, sizeof(*_args));\n")
    for a in ev.args:
        if a.is_string:
            w("\ttrace_copy_string(_args->%s, %s, sizeof(_args->%s));\n" % (a.name, a.name, a.name))
        elif a.is_pointer:
            w("\t_args->%s = (uint64_t)(uintptr_t)%s;\n" % (a.name, a.name))
        else:
            w("\t_args->%s = %s;\n" % (a.name, a.name))
    w("\tring_publish(_w, _ctl, _head);\n}\n")
    call_args = "".join(", " + a.name for a in ev.args)
    if ev.tcg:
        w("/* Called by the trace op of a block translated with the event on. */\n")
        w("static inline void trace_%s_exec(%s)\n{\n" % (ev.name, ev.c_params()))
        w("\t_trace_%s_emit(trace_vcpu_ring(vcpu)%s);\n}\n" % (ev.name, call_args))
    w("static inline void trace_%s(%s)\n{\n" % (ev.name, ev.c_params()))
    # Without CONFIG_TRACE (QEMU's nop backend) the call is empty.
    w("#ifdef CONFIG_TRACE\n")
    if ev.vcpu:
        # One load from this vCPU's own hot state.
        w("\tif (__builtin_expect((__atomic_load_n(&vcpu->mask, __ATOMIC_RELAXED) &\n"
          "\t\t\t       TRACE_%s_VCPU_BIT) != 0, 0))\n" % up)
        w("\t\t_trace_%s_emit(trace_vcpu_ring(vcpu)%s);\n" % (ev.name, call_args))
    else:
        # "Nothing enabled" is one predictable load of the global count.
        w("\tif (__builtin_expect(__atomic_load_n(&trace_events_enabled_count,\n"
          "\t\t\t\t\t __ATOMIC_RELAXED) != 0, 0) &&\n"
          "\t    __atomic_load_n(&_TRACE_%s_DSTATE, __ATOMIC_RELAXED))\n" % up)
        w("\t\t_trace_%s_emit(ring_self_writer()%s);\n" % (ev.name, call_args))
    w("#else\n%s#endif\n}\n\n" % unused(ev))


def gen_c(events, sources, out):
    w = out.write
    w(HEADER % ", ".join(sources))
    w('#include "trace.h"\n#include "trace/control.h"\n\n')
    for ev in events:
        if not ev.disabled:
            w("uint16_t _TRACE_%s_DSTATE;\n" % ev.upper)
    w("\n")
    for ev in events:
        if not ev.args:
            continue
        w("static const struct trace_event_arg _trace_%s_argv[] = {\n" % ev.name)
        for a in ev.args:
            kind = "TRACE_ARG_STRING" if a.is_string else \
                "TRACE_ARG_POINTER" if a.is_pointer else \
                "TRACE_ARG_SIGNED" if a.signed else "TRACE_ARG_UNSIGNED"
            w("\t{ %s, %s, %s, %d, %d },\n" % (c_string(a.name), c_string(a.ctype), kind, a.offset, a.size))
        w("};\n")
    w("\nstruct trace_event trace_events[TRACE_EVENT_COUNT] = {\n")
    for ev in events:
        w("\t{\n")
        w("\t\t.id = TRACE_%s,\n" % ev.upper)
        w("\t\t.name = %s,\n" % c_string(ev.name))
        w("\t\t.format = %s,\n" % c_string(ev.expanded_fmt()))
        w("\t\t.sstate = %d,\n" % (0 if ev.disabled else 1))
        w("\t\t.vcpu_id = %s,\n" % (ev.vcpu_index if ev.vcpu else "TRACE_VCPU_NONE"))
        w("\t\t.is_tcg = %d,\n" % (1 if ev.tcg else 0))
        w("\t\t.nargs = %d,\n" % len(ev.args))
        w("\t\t.nslots = %d,\n" % ev.nslots)
        w("\t\t.args = %s,\n" % ("_trace_%s_argv" % ev.name if ev.args else "NULL"))
        w("\t\t.dstate = %s,\n" % ("NULL" if ev.disabled else "&_TRACE_%s_DSTATE" % ev.upper))
        w("\t},\n")
    w("};\n")
    w("const unsigned trace_event_count = TRACE_EVENT_COUNT;\n\n")
    w("/* The CTF metadata of every event: the env lines with the formats, then\n"
      " * the event blocks (trace/ctf-metadata.c adds the rest). */\n")
    w("const char trace_ctf_env[] =\n")
    for ev in events:
        line = '\tvtrace_fmt_%d = "%s";\n' % (ev.id, tsdl_string(ev.expanded_fmt()))
        w("\t%s\n" % c_string(line))
    w("\t\"\";\n")
    w("const char trace_ctf_events[] =\n")
    for ev in events:
        for line in ctf_event(ev).split("\n"):
            w("\t%s\n" % c_string(line + "\n"))
    w("\t\"\";\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", choices=("h", "c", "list"), required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    events, seen = [], {}
    try:
        for path in args.files:
            parse_file(path, events, seen)
        nvcpu = assign_ids(events)
    except TraceError as e:
        print("tracetool: error: %s" % e, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        if args.format == "h":
            gen_h(events, args.files, nvcpu, out)
        elif args.format == "c":
            gen_c(events, args.files, out)
        else:
            for ev in events:
                out.write("%d %s %s\n" % (ev.id, ev.name, ev.expanded_fmt()))
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
