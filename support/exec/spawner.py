"""Runs commands for the suite's Node process: one JSON request per line on stdin, one JSON
reply per line on stdout, each command in a thread of its own so that they run side by side.

Why a helper: Node spawns by fork()ing its own process, which copies the page tables of its
whole heap (about 8 ms per command at the suite's 200 MB, 4 ms for an empty Node, measured
here); Python's subprocess uses vfork() and spawns in well under a millisecond. The suite runs
some thousands of commands per course run, all through this one helper.

A request: {"id", "argv", "timeoutMs", "input"?}. A reply: {"id", "exitCode", "signal"?,
"stdout", "stderr", "timedOut"} or {"id", "error"} when the command could not be started.
A timed-out command is sent SIGTERM (as execa does), then SIGKILL a second later.

A command in a lab namespace that needs only the namespace's network (ip, iptables, …) may
carry {"netns": <name>, "inNetns": <argv>} beside its "argv" (`ip netns exec <name> …`): the
thread that serves it enters that network namespace (setns on the thread alone; the helper's
other threads stay where they are) and starts "inNetns" from there, which the child inherits.
That spares `ip netns exec`'s own process, mount namespace and remounts, most of a command's
cost on a machine with many namespaces. Where the namespace cannot be entered, "argv" runs as
given, so its error is the one `ip netns exec` prints.

A background command (a capture that runs while a scenario acts): {"id", "argv", "timeoutMs",
"background": true}. Its output comes as it is written, {"id", "stream": "stdout"|"stderr",
"data"}, and its reply when it has ended, with empty "stdout" and "stderr" (they were sent
already). {"signal": <number>, "of": <id>} sends a signal to a background command still running.

A lab daemon (nginx, a DNS server, BIRD, a namespace holder): {"id", "argv", "detached": true,
"log", "cwd"?}. It runs in a session of its own with its output appended to "log", and it is not
the helper's to end: it outlives the suite's process, as a lab that is kept stays up. The reply,
{"id", "pid"}, comes once it has started; the lab ends it by PID at teardown.
"""
import signal

# The suite's first Ctrl-C lets it clean up, which runs commands through this helper: it must
# outlive that signal. A handler (not SIG_IGN, which the children would inherit) keeps it alive.
signal.signal(signal.SIGINT, lambda *_: None)
signal.signal(signal.SIGTERM, lambda *_: None)

import codecs  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402 (after the handlers, so that no Ctrl-C falls in the window before them)
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

# As execa gave them: the suite's environment, in the C locale (the parsers read English output).
ENV = dict(os.environ, LC_ALL="C")
replying = threading.Lock()
# The commands still running, ended when the suite's process goes away (as execa's cleanup did).
running = set()
# The background commands still running, by request id (to signal them).
background = {}
running_lock = threading.Lock()


def reply(message):
    line = json.dumps(message) + "\n"
    with replying:
        sys.stdout.write(line)
        sys.stdout.flush()


def text(data):
    return data.decode("utf-8", "replace") if data else ""


def finish(child, feed, timeout):
    """Waits for the command (bounded); a timed-out one gets SIGTERM, then SIGKILL a second later.
    A grandchild that keeps the output pipes open cannot hold the reply: the pipes are closed."""
    try:
        out, err = child.communicate(feed, timeout=timeout)
        return out, err, False
    except subprocess.TimeoutExpired:
        pass
    child.terminate()
    try:
        out, err = child.communicate(timeout=1)
        return out, err, True
    except subprocess.TimeoutExpired:
        child.kill()
    try:
        out, err = child.communicate(timeout=1)
    except subprocess.TimeoutExpired:
        for pipe in (child.stdout, child.stderr):
            pipe.close()
        child.wait()
        out, err = b"", b""
    return out, err, True


def ending(code):
    """How a command ended, as a reply says it: its exit code, or the number of the signal that ended it."""
    return {"exitCode": None, "signal": -code} if code < 0 else {"exitCode": code}


def failure(request, child, error):
    """The reply to a request that could not be carried out: every request gets one, or its caller
    would wait forever. A command it started is not left running."""
    if child is not None and child.poll() is None:
        child.kill()
    return {"id": request.get("id"), "error": str(error) if isinstance(error, OSError) else repr(error)}


def stream(request_id, name, pipe):
    """Sends what a background command writes as it writes it; a chunk may end mid-line."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    while True:
        data = os.read(pipe.fileno(), 65536)
        chunk = decoder.decode(data, final=not data)
        if chunk:
            reply({"id": request_id, "stream": name, "data": chunk})
        if not data:
            return


def run_background(request, track):
    child = subprocess.Popen(request["argv"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    track(child, signalled=True)
    readers = [
        threading.Thread(target=stream, args=(request["id"], name, pipe), daemon=True)
        for name, pipe in (("stdout", child.stdout), ("stderr", child.stderr))
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        child.wait(timeout=request["timeoutMs"] / 1000)
    except subprocess.TimeoutExpired:
        timed_out = True
        child.terminate()
        try:
            child.wait(timeout=1)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for reader in readers:
        reader.join(timeout=1)
    return dict(stdout="", stderr="", timedOut=timed_out, **ending(child.returncode))


def start_detached(request, track):
    with open(request["log"], "ab") as log:
        child = subprocess.Popen(
            request["argv"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=ENV,
            cwd=request.get("cwd"),
            start_new_session=True,
        )
    # Reaped when it ends, so that it is not left a zombie of this helper.
    threading.Thread(target=child.wait, daemon=True).start()
    return {"pid": child.pid}


def send_signal(request):
    with running_lock:
        child = background.get(request["of"])
    if child is not None and child.poll() is None:
        child.send_signal(request["signal"])


LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def enter_netns(name):
    """Moves the calling thread, and only it, into the named network namespace (setns(2): a
    network namespace may be joined per thread; what the thread starts inherits it)."""
    if not name or "/" in name or name.startswith("."):
        raise OSError(22, "not a namespace name: %r" % name)
    fd = os.open(os.path.join("/run/netns", name), os.O_RDONLY | os.O_CLOEXEC)
    try:
        if LIBC.setns(fd, CLONE_NEWNET) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    finally:
        os.close(fd)


def argv_for(request):
    """The argv to start: the short one inside the namespace when this thread could enter it."""
    if "netns" not in request:
        return request["argv"]
    try:
        enter_netns(request["netns"])
    except OSError:
        return request["argv"]
    return request["inNetns"]


def run(request, track):
    feed = request["input"].encode() if "input" in request else None
    child = subprocess.Popen(
        argv_for(request),
        stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    track(child)
    out, err, timed_out = finish(child, feed, request["timeoutMs"] / 1000)
    return dict(stdout=text(out), stderr=text(err), timedOut=timed_out, **ending(child.returncode))


def serve(request, carry_out):
    """Carries out a request and replies; the command it starts is known to the helper (to end it
    if the suite goes away, and to signal it if it runs in the background) until it has ended."""
    started = []

    def track(child, signalled=False):
        started.append(child)
        with running_lock:
            running.add(child)
            if signalled:
                background[request["id"]] = child

    try:
        answer = {"id": request.get("id"), **carry_out(request, track)}
    except BaseException as error:
        answer = failure(request, started[0] if started else None, error)
    finally:
        with running_lock:
            for child in started:
                running.discard(child)
            background.pop(request.get("id"), None)
    reply(answer)


for line in sys.stdin:
    request = json.loads(line)
    if "signal" in request:
        send_signal(request)
    else:
        carry_out = start_detached if request.get("detached") else run_background if request.get("background") else run
        threading.Thread(target=serve, args=(request, carry_out), daemon=True).start()

# The suite's process has gone: end what it started and is no longer waiting for.
with running_lock:
    left = list(running)
for child in left:
    child.terminate()
for child in left:
    try:
        child.wait(timeout=1)
    except subprocess.TimeoutExpired:
        child.kill()
