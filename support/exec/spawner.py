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
import json
import os
import signal
import subprocess
import sys
import threading

# The suite's first Ctrl-C lets it clean up, which runs commands through this helper: it must
# outlive that signal. A handler (not SIG_IGN, which the children would inherit) keeps it alive.
signal.signal(signal.SIGINT, lambda *_: None)
signal.signal(signal.SIGTERM, lambda *_: None)

# As execa gave them: the suite's environment, in the C locale (the parsers read English output).
ENV = dict(os.environ, LC_ALL="C")
replying = threading.Lock()


def reply(message):
    line = json.dumps(message) + "\n"
    with replying:
        sys.stdout.write(line)
        sys.stdout.flush()


def text(data):
    return data.decode("utf-8", "replace") if data else ""


def run(request):
    answer = {"id": request["id"]}
    try:
        child = subprocess.Popen(
            request["argv"],
            stdin=subprocess.PIPE if "input" in request else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
        )
    except OSError as error:
        answer["error"] = str(error)
        reply(answer)
        return
    feed = request["input"].encode() if "input" in request else None
    timed_out = False
    try:
        out, err = child.communicate(feed, timeout=request["timeoutMs"] / 1000)
    except subprocess.TimeoutExpired:
        timed_out = True
        child.terminate()
        try:
            out, err = child.communicate(timeout=1)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
    code = child.returncode
    answer.update(stdout=text(out), stderr=text(err), timedOut=timed_out)
    if code < 0:
        answer.update(exitCode=None, signal=-code)
    else:
        answer.update(exitCode=code)
    reply(answer)


for line in sys.stdin:
    threading.Thread(target=run, args=(json.loads(line),), daemon=True).start()
