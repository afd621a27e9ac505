"""cfn-lint, started once: a Unix-socket server that forks for each request.

Importing cfnlint and building its rule collection cost about 3.5 s of CPU, more than linting a
template; the test suite lints in about twenty separate runs. The server imports it, loads the
schemas of the default region (by linting a one-resource template) and builds the rule collection
once, then forks: each child runs cfn-lint's own command-line entry point with the arguments it
was sent, so findings, configuration files and exit codes are exactly those of the `cfn-lint`
command (test/harness.test.ts compares the two). scripts/cfn-lint.ts uses it when CFN_LINT_SOCKET
is set (test/global-setup.ts starts it for jest); without it every run starts `cfn-lint`.

Request: one JSON line {"args": [...], "cwd": "..."}; reply: one JSON object
{"status": int, "stdout": str, "stderr": str}, then the connection closes.
"""
import contextlib
import io
import json
import os
import socketserver
import sys
import tempfile
import threading
import time

import cfnlint.runner


def run_cfn_lint(args):
    out, err = io.StringIO(), io.StringIO()
    status = 0
    saved_argv = sys.argv
    sys.argv = ["cfn-lint", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                result = cfnlint.runner.main()
                status = result if isinstance(result, int) else 0
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = saved_argv
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        request = json.loads(self.rfile.readline())
        if request.get("cwd"):
            os.chdir(request["cwd"])
        try:
            reply = run_cfn_lint(request["args"])
        except Exception as e:  # reported, never hidden: the client fails the run
            reply = {"status": 1, "stdout": "", "stderr": f"cfn-lint server: {type(e).__name__}: {e}"}
        self.wfile.write(json.dumps(reply).encode("utf-8"))


class Server(socketserver.ForkingMixIn, socketserver.UnixStreamServer):
    pass


def exit_with_parent(parent):
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1)


def prebuild_rules():
    """Builds cfn-lint's own rule collection (about 0.7 s: 300 rule modules and their data files)
    once, unused, in the server; a forked child takes its copy the first time cfn-lint asks for the
    rules of that directory, so every request still runs a collection no request has touched."""
    from cfnlint.config import _DEFAULT_RULESDIR
    from cfnlint.rules import Rules

    original = Rules.create_from_directory.__func__
    prebuilt = {_DEFAULT_RULESDIR: original(Rules, _DEFAULT_RULESDIR)}

    def create_from_directory(cls, rulesdir):
        rules = prebuilt.pop(rulesdir, None)
        return rules if rules is not None else original(cls, rulesdir)

    Rules.create_from_directory = classmethod(create_from_directory)


def main():
    socket_path = sys.argv[1]
    # Warm up: load the schemas of the default region before any fork.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    try:
        run_cfn_lint(["--format", "json", "--", f.name])
    finally:
        os.unlink(f.name)
    prebuild_rules()
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    with Server(socket_path, Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
