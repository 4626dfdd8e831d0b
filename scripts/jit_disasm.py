#!/usr/bin/env python3
"""Disassembles the C2-compiled methods of a HotSpot -XX:+PrintAssembly log with objdump.

Machines of this kind have no hsdis plugin, so HotSpot prints compiled code as hex words. This
script turns each C2 nmethod of such a log back into bytes and hands them to binutils' objdump
(on every machine of this kind), so the hot loops of the Vector API kernels can be read as x86
instructions.

Usage:
    java --add-modules jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \\
         -XX:CompileCommand=print,*FloorPlan::quantize -cp ... Main ... > jit.log
    scripts/jit_disasm.py jit.log                 # the last whole-method C2 nmethod of the log
    scripts/jit_disasm.py jit.log --all           # every C2 nmethod, in log order
    scripts/jit_disasm.py jit.log --count vmulps   # how often a mnemonic occurs, per nmethod
    scripts/jit_disasm.py --self-test             # parses a made-up log of known bytes (CI runs it)

By default the last C2 nmethod compiled for a whole method (its header has no '%', which marks an
on-stack-replacement version) is shown, else the last one: in a steady run that is the code that
runs. Addresses are the ones HotSpot printed, so jumps read as in the log.
Only x86-64 logs are understood.
"""
import re
import subprocess
import sys
import tempfile

HEX_LINE = re.compile(r"^\s+0x([0-9a-f]+): ([0-9a-f |]+?)\s*$")
HEADER = re.compile(r"^Compiled method \(c2\)")


def nmethods(lines):
    """Yields (header, base address, code bytes) for each C2 nmethod's [MachCode] section."""
    header = None
    in_code = False
    base = None
    code = bytearray()
    for line in lines:
        if HEADER.match(line):
            header = line.strip()
        elif line.startswith("[MachCode]"):
            in_code, base, code = header is not None, None, bytearray()
        elif line.startswith("[/MachCode]"):
            if in_code and base is not None:
                yield header, base, bytes(code)
            in_code, header = False, None
        elif in_code:
            m = HEX_LINE.match(line.split(";")[0])   # a ';' starts HotSpot's comment
            if not m:
                continue
            address = int(m.group(1), 16)
            if base is None:
                base = address
            gap = address - base - len(code)
            if gap < 0:
                raise ValueError("addresses go backwards at %#x" % address)
            code.extend(b"\x90" * gap)   # never seen; keeps later addresses right
            code.extend(bytes.fromhex(m.group(2).replace("|", "").replace(" ", "")))


def choose(found):
    """The last nmethod compiled for a whole method (no '%' in its header), else the last one."""
    whole = [n for n in found if " % " not in n[0]]
    return (whole or found)[-1]


def disassemble(base, code):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(code)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "--no-show-raw-insn",
                              "--adjust-vma=%#x" % base, f.name], capture_output=True, text=True, check=True)
    return [l for l in out.stdout.splitlines() if re.match(r"^\s+[0-9a-f]+:\t", l)]


# A made-up log in HotSpot's layout: an OSR version, then the whole method, whose code (one
# instruction per group, split across a comment line) is vmulps %ymm1,%ymm0,%ymm0; vpand
# %ymm2,%ymm1,%ymm3; ret.
SAMPLE = """Compiled method (c2) 10 1 %     4       Demo::run @ 5 (20 bytes)
[MachCode]
  0x0000000000001000: c3
[/MachCode]
Compiled method (c2) 20 2       4       Demo::run (20 bytes)
[MachCode]
[Verified Entry Point]
  0x0000000000002000: c5fc 59c1 | c5f5 dbda ;   {section_word}
  0x0000000000002008: ;   {poll_return}
  0x0000000000002008: c3
[/MachCode]
"""


def self_test():
    found = list(nmethods(SAMPLE.splitlines()))
    assert [n[1] for n in found] == [0x1000, 0x2000], found
    assert choose(found) is found[1] and choose(found[:1]) is found[0]
    assert found[1][2] == bytes.fromhex("c5fc59c1c5f5dbdac3"), found[1][2].hex()
    text = [l.split("\t", 1)[1].split() for l in disassemble(found[1][1], found[1][2])]
    want = [["vmulps", "%ymm1,%ymm0,%ymm0"], ["vpand", "%ymm2,%ymm1,%ymm3"], ["ret"]]
    assert text == want, text
    print("jit_disasm self-test: ok")
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    with open(argv[1], errors="replace") as f:
        found = list(nmethods(f.read().splitlines()))
    if not found:
        print("no C2 nmethod with hex code in %s (was -XX:+PrintAssembly or CompileCommand=print on?)" % argv[1],
              file=sys.stderr)
        return 1
    chosen = found if "--all" in argv else [choose(found)]
    mnemonic = argv[argv.index("--count") + 1] if "--count" in argv else None
    for header, base, code in chosen:
        instructions = disassemble(base, code)
        if mnemonic:
            n = sum(1 for l in instructions if l.split("\t")[1].split()[0] == mnemonic)
            print("%6d %s  %s" % (n, mnemonic, header))
            continue
        print("; " + header)
        print("\n".join(instructions))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
