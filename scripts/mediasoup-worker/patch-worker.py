#!/usr/bin/env python3
"""Adapt mediasoup-worker's source tree to Debian's libraries.

1. Meson: 
mediasoup's worker/meson.build pulls libuv, OpenSSL, libsrtp3, abseil,
flatbuffers and unordered_dense as meson subprojects (wraps downloaded from
GitHub/wrapdb). Here every subproject() call is dropped and each
`<proj>.get_variable('<dep>')` becomes a pkg-config dependency() or one of the
compat shims in ./compat. Libraries listed for link_whole (only used by the
never-built libmediasoup-worker target) are dropped.

2. DtlsTransport.cpp: the BIO callback answers 1 to the *return* phase of
every BIO operation except a bare BIO_CB_RETURN, so `BIO_ctrl` on the outgoing
memory BIO reports 1 for any query. Debian's OpenSSL is built with kernel TLS,
and `BIO_get_ktls_send()` then says "yes": OpenSSL skips allocating the DTLS
write buffer and the worker crashes (NULL write in do_dtls1_write) on the first
ClientHello. mediasoup's bundled OpenSSL is built without KTLS, which hides it.
The fix returns the operation's own result for every return phase.

usage: patch-worker.py <worker source dir> <compat include dir>
"""
import pathlib
import re
import sys

SYSTEM_DEPS = {
    "libuv_dep": "dependency('libuv')",
    "openssl_dep": "dependency('openssl')",
    "libsrtp3_dep": "be_srtp_dep",
    "flatbuffers_dep": "dependency('flatbuffers')",
    "absl_container_dep": "dependency('absl_flat_hash_map')",
    "absl_strings_dep": "dependency('absl_strings')",
    "absl_types_dep": "dependency('absl_optional')",
    "catch2_dep": "dependency('', required: false)",
    "wingetopt_dep": "dependency('', required: false)",
}
MARK = "# patched by BranchEdge patch-worker.py"


def drop_subprojects(text: str) -> str:
    """Remove `name_proj = subproject( ... )` statements, parentheses balanced."""
    out, pos = [], 0
    for m in re.finditer(r"^[ \t]*\w+_proj\s*=\s*subproject\(", text, re.M):
        if m.start() < pos:
            continue
        out.append(text[pos:m.start()])
        depth, i = 0, m.end() - 1
        while True:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        pos = text.index("\n", i) + 1
    out.append(text[pos:])
    return "".join(out)


def replace_get_variable(m: re.Match) -> str:
    name = m.group(2)
    if name in SYSTEM_DEPS:
        return SYSTEM_DEPS[name]
    if name.endswith("_dep"):
        raise SystemExit(f"patch-worker.py: no system dependency known for {name}")
    return ""  # a static library for link_whole: not needed when linking against system libs


def patch(path: pathlib.Path, prelude: str) -> None:
    text = path.read_text()
    if MARK in text:
        return
    text = drop_subprojects(text)
    # list entries on their own line: drop the whole line when the entry vanishes
    text = re.sub(
        r"^([ \t]*)(\w+_proj\.get_variable\('(\w+)'\)),?[ \t]*\n",
        lambda m: (f"{m.group(1)}{SYSTEM_DEPS[m.group(3)]},\n" if m.group(3) in SYSTEM_DEPS
                   else replace_get_variable(re.match(r"(\w+_proj)\.get_variable\('(\w+)'\)", m.group(2)))),
        text, flags=re.M)
    text = re.sub(r"(\w+_proj)\.get_variable\('(\w+)'\)", replace_get_variable, text)
    text = text.replace("dependency('unordered_dense')", "be_unordered_dense_dep")
    # Debian bookworm ships meson 1.0.1, which configures this build fine.
    text = re.sub(r"meson_version\s*:\s*'>=\s*[0-9.]+'", "meson_version: '>= 1.0.0'", text)
    if prelude:
        anchor = text.index("be_unordered_dense_dep") if "be_unordered_dense_dep" in text else 0
        anchor = text.rfind("\n", 0, anchor) + 1
        text = text[:anchor] + prelude + text[anchor:]
    if "subproject(" in text or "_proj." in text:
        raise SystemExit(f"patch-worker.py: {path} still refers to a subproject; mediasoup changed its build")
    path.write_text(f"{MARK}\n{text}")


worker = pathlib.Path(sys.argv[1])
compat = pathlib.Path(sys.argv[2]).resolve()
prelude = f"""
be_compat_inc = include_directories('{compat}')
be_srtp_dep = declare_dependency(include_directories: be_compat_inc, dependencies: dependency('libsrtp2'))
be_unordered_dense_dep = declare_dependency(include_directories: be_compat_inc)
"""
patch(worker / "meson.build", prelude)
libwebrtc = worker / "deps" / "libwebrtc" / "meson.build"
if libwebrtc.exists():
    patch(libwebrtc, "")

dtls = worker / "src" / "RTC" / "DtlsTransport.cpp"
BIO_BUG = "(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1"
BIO_FIX = "(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1"
dtls_text = dtls.read_text()
if BIO_BUG in dtls_text:
    dtls.write_text(dtls_text.replace(BIO_BUG, BIO_FIX))
elif BIO_FIX not in dtls_text:
    raise SystemExit("patch-worker.py: DtlsTransport.cpp changed; check its BIO callback against kernel-TLS OpenSSL")
