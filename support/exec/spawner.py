"""Runs commands for the suite's Node process: one JSON request per line on stdin, one JSON
reply per line on stdout, each command in a thread of its own so that they run side by side.

Why a helper: Node spawns by fork()ing its own process, which copies the page tables of its
whole heap (about 8 ms per command at the suite's 200 MB, 4 ms for an empty Node, measured
here); Python's subprocess uses vfork() and spawns in well under a millisecond. The suite runs
some thousands of commands per course run, all through this one helper.

A request: {"id", "argv", "timeoutMs", "input"?}. A reply: {"id", "exitCode", "signal"?,
"stdout", "stderr", "timedOut"} or {"id", "error"} when the command could not be started.
A timed-out command is sent SIGTERM (as execa does), then SIGKILL a second later.
"""
import signal

# The suite's first Ctrl-C lets it clean up, which runs commands through this helper: it must
# outlive that signal. A handler (not SIG_IGN, which the children would inherit) keeps it alive.
signal.signal(signal.SIGINT, lambda *_: None)
signal.signal(signal.SIGTERM, lambda *_: None)

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


def run(request):
    answer = {"id": request.get("id")}
    child = None
    try:
        feed = request["input"].encode() if "input" in request else None
        child = subprocess.Popen(
            request["argv"],
            stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        with running_lock:
            running.add(child)
        out, err, timed_out = finish(child, feed, request["timeoutMs"] / 1000)
        code = child.returncode
        answer.update(stdout=text(out), stderr=text(err), timedOut=timed_out)
        if code < 0:
            answer.update(exitCode=None, signal=-code)
        else:
            answer.update(exitCode=code)
    except BaseException as error:  # every request gets a reply, or its caller would wait forever
        answer = {"id": request.get("id"), "error": str(error) if isinstance(error, OSError) else repr(error)}
        if child is not None and child.poll() is None:
            child.kill()
    finally:
        if child is not None:
            with running_lock:
                running.discard(child)
    reply(answer)


for line in sys.stdin:
    threading.Thread(target=run, args=(json.loads(line),), daemon=True).start()

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
