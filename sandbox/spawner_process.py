"""The per-slot spawner ("zygote"): a small root process that lives inside a slot's cgroups.

Run as `python -I -S -c <this file> SOCKET_FD` (stdlib only). Why it exists: moving a process
into a cgroup takes a kernel-wide lock that waits for an RCU grace period (~10 ms per
controller), while a fork inherits the cgroup for free. So each slot keeps one of these, already
in its cgroups, and forks every jail from it; being small and single-threaded, it forks in
well under a millisecond, unlike a large multi-threaded server.

Protocol on a stream socket, each message a 4-byte length + JSON, fds by SCM_RIGHTS:
  server -> spawner  {"op": "spawn", argv, targets, rlimits, uid, gid} + fds  |  {"op": "kill"}
  spawner -> server  {"pid"} or {"error"}, then at exit {"status", "utime", "stime", "maxrss"}
The spawner kills its child itself, so a signal can never reach a reused pid.
"""

import array
import fcntl
import json
import os
import resource
import select
import signal
import socket
import struct
import sys

HEADER = struct.Struct("<I")
MAX_FDS = 8


def recv_exact(sock, n):
    chunks = []
    while n:
        data = sock.recv(n)
        if not data:
            return None
        chunks.append(data)
        n -= len(data)
    return b"".join(chunks)


def recv_msg(sock):
    """One message and the fds sent with it, or (None, []) at EOF."""
    fds = array.array("i")
    head, anc, _, _ = sock.recvmsg(HEADER.size, socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    if not head:
        return None, list(fds)
    if len(head) < HEADER.size:
        rest = recv_exact(sock, HEADER.size - len(head))
        if rest is None:
            return None, list(fds)
        head += rest
    body = recv_exact(sock, HEADER.unpack(head)[0])
    if body is None:
        return None, list(fds)
    return json.loads(body), list(fds)


def send_msg(sock, obj):
    data = json.dumps(obj).encode()
    sock.sendall(HEADER.pack(len(data)) + data)


def exec_child(req, fds):
    """In the forked child: fds into place, oom score, rlimits, drop root, exec. Never returns."""
    try:
        targets = req["targets"]
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds]
        for target, fd in zip(targets, high, strict=True):
            os.dup2(fd, target, inheritable=True)
        os.closerange(max(targets) + 1, 1 << 20)
        for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        for res, soft, hard in req["rlimits"]:
            resource.setrlimit(res, (soft, hard))
        if req["gid"] is not None:
            os.setgroups([])
            os.setresgid(req["gid"], req["gid"], req["gid"])
        if req["uid"] is not None:
            os.setresuid(req["uid"], req["uid"], req["uid"])
        os.execve(req["argv"][0], req["argv"], {})
    except BaseException as e:  # noqa: BLE001 - report anything, then die
        try:
            os.write(2, f"sandbox spawner: {type(e).__name__}: {e}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(127)


def supervise(sock, pid):
    """Wait for the child while answering kill requests; False if the server went away."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            ready, _, _ = select.select(
                [sock] + ([pidfd] if pidfd is not None else []),
                [],
                [],
                None if pidfd is not None else 0.01,
            )
            if pidfd is not None and pidfd in ready:
                return True
            if pidfd is None and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                return True
            if sock in ready:
                msg, extra = recv_msg(sock)
                for fd in extra:
                    os.close(fd)
                if msg is None:
                    os.kill(pid, signal.SIGKILL)
                    return False
                if msg.get("op") == "kill":
                    os.kill(pid, signal.SIGKILL)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def main():
    sock = socket.socket(fileno=int(sys.argv[1]))
    if os.geteuid() == 0:
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("-1000")  # the OOM killer of the slot's cgroup must pick the jail
        except OSError:
            pass
    send_msg(sock, {"ready": os.getpid()})
    while True:
        req, fds = recv_msg(sock)
        if req is None:
            return
        if req.get("op") != "spawn":
            for fd in fds:
                os.close(fd)
            continue
        try:
            pid = os.fork()
        except OSError as e:
            for fd in fds:
                os.close(fd)
            send_msg(sock, {"error": str(e)})
            continue
        if pid == 0:
            sock.close()
            exec_child(req, fds)
        for fd in fds:
            os.close(fd)
        send_msg(sock, {"pid": pid})
        server_alive = supervise(sock, pid)
        _, status, ru = os.wait4(pid, 0)
        if not server_alive:
            return
        send_msg(
            sock,
            {"status": status, "utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss},
        )


if __name__ == "__main__":
    main()
