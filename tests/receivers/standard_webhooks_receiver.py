"""A webhook receiver that verifies every request with the Standard Webhooks authors' own
library (PyPI `standardwebhooks`), not with anything of Liaison's: the end-to-end journeys
point an endpoint at it and read back what it verified.

    python standard_webhooks_receiver.py PORT_FILE

It listens on a free loopback port, written to PORT_FILE once it listens, and serves:
- POST /secret   {"secret": "whsec_..."}: the endpoint's secret, known once it is registered;
- POST /hook     a delivery: verified, recorded, answered 204 (401 when it does not verify);
- GET  /received every delivery so far: [{"id", "verified", "error", "body"}...].
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

state = {"secret": None, "received": []}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _read(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length)

    def _answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self._read()
        if self.path == "/secret":
            with lock:
                state["secret"] = json.loads(body)["secret"]
            return self._answer(204)
        if self.path != "/hook":
            return self._answer(404)
        with lock:
            secret = state["secret"]
        record = {"id": self.headers.get("webhook-id"), "verified": False, "error": None}
        try:
            payload = Webhook(secret).verify(body, dict(self.headers.items()))
            record["verified"] = True
            record["body"] = payload
        except (WebhookVerificationError, TypeError, ValueError) as e:
            record["error"] = str(e) or type(e).__name__
            record["body"] = body.decode("utf-8", "replace")
        with lock:
            state["received"].append(record)
        return self._answer(204 if record["verified"] else 401)

    def do_GET(self):
        if self.path != "/received":
            return self._answer(404)
        with lock:
            body = json.dumps(state["received"]).encode()
        return self._answer(200, body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os

    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
