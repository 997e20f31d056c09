#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Records what the real docker client does with each line of a corpus.

Usage: tests/tools/corpus_oracle.py tests/data/run-corpus.tsv > new.tsv

It serves a minimal Docker Engine API on a unix socket (ping, pull, and a
container create that records its body and then fails), runs the installed
docker client on every command line under a pseudo-terminal (so -t is
accepted), and prints the corpus again with the first column set to what the
client did: the image it sent, HELP, PARSE-ERROR or REFUSED:<its message>.
"""
import json, os, socket, sys, threading, subprocess, shlex, pty, http.server, socketserver, time
sock = "/tmp/nvd-corpus-oracle.sock"
records = []
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Api-Version", "1.49")
        self.send_header("Ostype", "linux")
        self.end_headers()
        self.wfile.write(data)
    def do_HEAD(self): self.reply(200, "")
    def do_GET(self):
        if self.path.endswith("/_ping"): self.reply(200, "OK", "text/plain")
        else: self.reply(404, json.dumps({"message": "not found"}))
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if "/images/create" in self.path:
            self.reply(200, json.dumps({"status": "pulled"}))
        elif "/containers/create" in self.path:
            records.append(json.loads(body))
            self.reply(500, json.dumps({"message": "oracle recorded"}))
        else: self.reply(404, json.dumps({"message": "not found"}))
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    def get_request(self):
        r, a = super().get_request(); return r, ("local", 0)
if os.path.exists(sock): os.unlink(sock)
srv = S(sock, H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
corpus_lines = open(sys.argv[1]).read().splitlines()
os.makedirs("/tmp/oracle-cwd", exist_ok=True)
os.chdir("/tmp/oracle-cwd")
for f in ("env.list", "labels", "labels.txt"): open(f, "w").write("A=b\n")
env = dict(os.environ, DOCKER_HOST="unix://" + sock, HOME="/tmp/oracle-home")
os.makedirs("/tmp/oracle-home", exist_ok=True)
out = []
for line in corpus_lines:
    if not line.strip() or line.startswith("#"):
        out.append(line); continue
    cmdline = line.split("\t", 1)[-1]
    words = shlex.split(cmdline)
    assert words[0] in ("docker", "nvidia-docker"), line
    before = len(records)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("docker", ["docker"] + words[1:], env)
    buf = b""
    while True:
        try:
            d = os.read(fd, 4096)
        except OSError: break
        if not d: break
        buf += d
    os.waitpid(pid, 0)
    if len(records) > before:
        r = records[-1]
        out.append(r.get("Image", "") + "\t" + cmdline)
    else:
        text = buf.decode(errors="replace")
        kinds = ["unknown flag", "unknown shorthand flag", "needs an argument", "invalid argument", "bad flag syntax", "requires at least 1 argument"]
        if "Usage:" in text and "Options:" in text:
            out.append("HELP\t" + cmdline)
        else:
            lines = [l for l in text.splitlines() if l.strip()]
            parse = [l for l in lines if any(k in l for k in kinds)]
            if parse:
                out.append("PARSE-ERROR\t" + cmdline)
            else:
                out.append("REFUSED:" + lines[0].strip() + "\t" + cmdline)
print("\n".join(out))
