#!/usr/bin/env python3
"""Init time of a function binary: process start to its first Lambda Runtime API poll.

A minimal Runtime API on loopback records when `GET /2018-06-01/runtime/invocation/next`
first arrives; the time is taken from just before the process is spawned. Each run starts a
fresh process (a cold start). Prints min / median / p90 over N runs.

usage: init_time.py [--ssm URL --secrets FILE] BINARY [RUNS] [ENV=VALUE ...]

With --ssm, every `*_PARAMETER` variable names an SSM parameter: it is put at URL (a moto
server) with the value FILE gives its last path segment, and the function reads it there.
"""
import argparse
import json
import http.server
import os
import socket
import statistics
import subprocess
import sys
import threading
import time


class Api(http.server.BaseHTTPRequestHandler):
    first_poll = None
    event = threading.Event()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.endswith("/runtime/invocation/next") and Api.first_poll is None:
            Api.first_poll = time.perf_counter()
            Api.event.set()
        # Never answer with an event: the measurement ends at the first poll.
        time.sleep(5)

    def do_POST(self):  # noqa: N802
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def put_secrets(url, secrets_file, extra):
    import boto3  # moto's virtualenv has it

    with open(secrets_file) as f:
        values = json.load(f)
    ssm = boto3.client("ssm", endpoint_url=url, region_name="eu-west-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    for name, value in extra.items():
        if name.endswith("_PARAMETER"):
            ssm.put_parameter(Name=value, Value=values[value.rsplit("/", 1)[-1]],
                              Type="SecureString", Overwrite=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ssm")
    parser.add_argument("--secrets")
    parser.add_argument("binary")
    parser.add_argument("runs", nargs="?", type=int, default=20)
    parser.add_argument("vars", nargs="*")
    args = parser.parse_args()
    binary, runs = args.binary, args.runs
    extra = dict(arg.split("=", 1) for arg in args.vars)
    if args.ssm:
        put_secrets(args.ssm, args.secrets, extra)
        extra["AWS_ENDPOINT_URL_SSM"] = args.ssm
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "RUST_LOG": "warn",
    }
    env.update(extra)
    times = []
    for _ in range(runs):
        Api.first_poll = None
        Api.event.clear()
        start = time.perf_counter()
        proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not Api.event.wait(10):
            proc.kill()
            err = proc.stderr.read().decode(errors="replace")
            sys.exit(f"{binary} never polled the Runtime API: {err[-2000:]}")
        times.append((Api.first_poll - start) * 1000)
        proc.kill()
        proc.wait()
    times.sort()
    p90 = times[max(0, int(len(times) * 0.9) - 1)]
    print(f"{os.path.basename(binary)}: init (start -> first poll) over {runs} runs: "
          f"min {times[0]:.2f} ms, median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms")


if __name__ == "__main__":
    main()
