"""A run releases the GIL while it runs and stops on Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import linkage

# A run long enough (minutes) that only an interrupt ends it within the test.
LONG = "linkage.run(residents=100_000, ticks=3650, warmup=0, progress=False)"


def test_ctrl_c_stops_a_run(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys, time, linkage
        print("started", flush=True)
        t = time.monotonic()
        try:
            {LONG}
        except KeyboardInterrupt:
            print(f"interrupted after {{time.monotonic() - t:.1f}} s", flush=True)
            sys.exit(7)
        print("finished", flush=True)
        """
    )
    # Not from the source folder, whose linkage/ lacks the built extension.
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert p.stdout.readline().strip() == "started"
        time.sleep(1.5)  # into the run: the world is built and stepping
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 7, (out, err)
    assert out.startswith("interrupted after"), out


def test_a_run_releases_the_gil():
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    started = time.monotonic()
    try:
        linkage.run(residents=50_000, ticks=200, warmup=0, regimes="linkage", threads=1,
                    progress=False)
    finally:
        stop.set()
        t.join()
    seconds = time.monotonic() - started
    # Python code ran while the run did: at least a few hundred counts over the run's
    # (well over a second of) stepping; a held GIL would allow only the few between
    # progress checks.
    assert seconds > 0.3, f"the run was too short to tell ({seconds:.2f} s)"
    assert ticks > 0.2 * seconds * 1000 / 2, (ticks, seconds)
