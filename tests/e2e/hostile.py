#!/usr/bin/env python3
"""Hostile and crowded HTTP clients for tests/e2e/test_hardening.sh: many
connections that trickle headers or say nothing, bursts of concurrent
requests, chunked bodies, oversized request heads. Raw sockets only (curl
cannot trickle or hold a thousand connections). Every command prints
key=value lines for the shell script to check.

    hostile.py hold     PORT COUNT ADDRS TRICKLE_S DURATION_S READY_FILE
    hostile.py burst    PORT COUNT ADDR PATH
    hostile.py chunked  PORT PATH TOKEN|- MAX_BYTES
    hostile.py slowbody PORT PATH TOKEN EVERY_S DURATION_S
    hostile.py head     PORT uri|field|fields|cookies|params N
    hostile.py idle     PORT
"""
import os
import selectors
import socket
import sys
import time


def connect(port, src=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def status_of(data):
    """(status, is our JSON error or answer) of a raw response."""
    if not data.startswith(b"HTTP/1.1 "):
        return None, False
    status = int(data[9:12])
    head, _, body = data.partition(b"\r\n\r\n")
    json = b"content-type: application/json" in head.lower() and body.startswith(b"{")
    return status, json


def read_all(s, timeout):
    """Everything s yields until EOF, reset or timeout: (bytes, how it ended)."""
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return out, "eof"
            out += d
    except socket.timeout:
        return out, "timeout"
    except OSError:
        return out, "reset"


def hold(port, count, addrs, trickle, duration, ready):
    """COUNT connections spread over ADDRS (comma-separated). With TRICKLE_S
    > 0 each sends a request line and then one header line every TRICKLE_S
    seconds, never finishing; with 0 each says nothing. Reports when the
    server closed them (seconds after connecting)."""
    addrs = addrs.split(",")
    sel = selectors.DefaultSelector()
    opened, failed, closed, answered = {}, 0, {}, 0
    for k in range(count):
        try:
            s = connect(port, addrs[k % len(addrs)])
        except OSError:
            failed += 1
            continue
        opened[s] = time.monotonic()
        if trickle > 0:
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    with open(ready, "w") as f:
        f.write("opened=%d failed=%d\n" % (len(opened), failed))
    start, line = time.monotonic(), 0
    next_trickle = start + trickle
    while len(closed) < len(opened) and time.monotonic() - start < duration:
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if d:
                answered += 1
            sel.unregister(s)
            closed[s] = time.monotonic() - opened[s]
        if trickle > 0 and time.monotonic() >= next_trickle:
            line += 1
            for s in opened:
                if s not in closed:
                    try:
                        s.send(b"X-Trickle-%d: x\r\n" % line)
                    except OSError:
                        pass
            next_trickle += trickle
    t = sorted(closed.values())
    print("opened=%d failed=%d closed=%d answered=%d" % (len(opened), failed, len(t), answered))
    if t:
        print("first_close=%.2f last_close=%.2f" % (t[0], t[-1]))


def burst(port, count, addr, path):
    """COUNT concurrent requests from ADDR: every connection is opened
    before any request is sent, and every request sent before any answer
    is read."""
    socks, counts = [], {}
    req = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode()
    for _ in range(count):
        try:
            socks.append(connect(port, addr))
        except OSError:
            counts["refused"] = counts.get("refused", 0) + 1
    time.sleep(0.2)  # let the server take them all in
    for s in socks:
        try:
            s.sendall(req)
        except OSError:
            pass  # closed by the server: counted below
    sel = selectors.DefaultSelector()
    data = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        data[s] = b""
    deadline = time.monotonic() + 30
    left = len(socks)
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if d:
                data[s] += d
                continue
            sel.unregister(s)
            left -= 1
            status, json = status_of(data[s])
            if status is None:
                kind = "empty" if not data[s] else "garbage"
            elif status != 200 and not json:
                kind = "%d_not_json" % status
            else:
                kind = str(status)
            counts[kind] = counts.get(kind, 0) + 1
    if left:
        counts["unanswered"] = left
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))


def chunked(port, path, token, max_bytes):
    """A POST whose chunked body keeps coming (64 KiB chunks, up to
    MAX_BYTES, never the last chunk) while the answer is awaited."""
    s = connect(port)
    head = b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" % path.encode()
    if token != "-":
        head += b"Authorization: Bearer %s\r\n" % token.encode()
    s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    s.setblocking(False)
    sent, got, start = 0, b"", time.monotonic()
    while time.monotonic() - start < 5:
        try:
            d = s.recv(65536)
            if not d:
                break
            got += d
            if b"\r\n\r\n" in got:
                break
        except BlockingIOError:
            pass
        except OSError:
            break
        if sent >= max_bytes:
            time.sleep(0.01)
            continue
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            pass
    s.setblocking(True)
    rest, end = read_all(s, 2)
    got += rest
    status, json = status_of(got)
    body = got.partition(b"\r\n\r\n")[2][:200].decode("utf-8", "replace")
    print("status=%s json=%s sent=%d end=%s" % (status, "yes" if json else "no", sent, end))
    print("body=%s" % body)


def slowbody(port, path, token, every, duration):
    """A POST announcing 1000 bytes of body and sending one every EVERY_S."""
    s = connect(port)
    s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
              b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
              % (path.encode(), token.encode()))
    start = time.monotonic()
    s.settimeout(every)
    while time.monotonic() - start < duration:
        try:
            if not s.recv(4096):
                print("closed_after=%.2f" % (time.monotonic() - start))
                return
        except socket.timeout:
            pass
        except OSError:
            print("closed_after=%.2f" % (time.monotonic() - start))
            return
        try:
            s.send(b" ")
        except OSError:
            print("closed_after=%.2f" % (time.monotonic() - start))
            return
    print("closed_after=never")


def head(port, what, n):
    """One GET /healthz with an oversized part: a request target of N bytes,
    a header field of N bytes, N header fields, N cookies or N query
    parameters."""
    uri, fields = b"/healthz", b""
    if what == "uri":
        uri = b"/healthz?q=" + b"a" * (n - len(b"/healthz?q="))
    elif what == "field":
        fields = b"X-Big: " + b"a" * n + b"\r\n"
    elif what == "fields":
        fields = b"".join(b"X-Field-%d: a\r\n" % k for k in range(n))
    elif what == "cookies":
        fields = b"Cookie: " + b"; ".join(b"c%d=1" % k for k in range(n)) + b"\r\n"
    elif what == "params":
        uri = b"/healthz?" + b"&".join(b"p%d=1" % k for k in range(n))
    s = connect(port)
    start = time.monotonic()
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (uri, fields))
    got, end = read_all(s, 5)
    status, json = status_of(got)
    body = got.partition(b"\r\n\r\n")[2][:200].decode("utf-8", "replace")
    print("status=%s json=%s end=%s secs=%.2f" % (status, "yes" if json else "no", end,
                                                  time.monotonic() - start))
    print("body=%s" % body)


def idle(port):
    """One keep-alive GET /healthz, then silence: when does the server close?"""
    s = connect(port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(10)
    got = b""
    while b"}" not in got:
        d = s.recv(4096)
        if not d:
            break
        got += d
    start = time.monotonic()
    rest, end = read_all(s, 8)
    print("status=%s end=%s closed_after=%.2f" % (status_of(got)[0], end,
                                                   time.monotonic() - start))


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "hold":
        hold(int(args[0]), int(args[1]), args[2], float(args[3]), float(args[4]), args[5])
    elif cmd == "burst":
        burst(int(args[0]), int(args[1]), args[2], args[3])
    elif cmd == "chunked":
        chunked(int(args[0]), args[1], args[2], int(args[3]))
    elif cmd == "slowbody":
        slowbody(int(args[0]), args[1], args[2], float(args[3]), float(args[4]))
    elif cmd == "head":
        head(int(args[0]), args[1], int(args[2]))
    elif cmd == "idle":
        idle(int(args[0]))
    else:
        sys.exit("unknown command " + cmd)
    sys.stdout.flush()
    os._exit(0)  # thousands of sockets: no need to close them one by one


if __name__ == "__main__":
    main(sys.argv)
