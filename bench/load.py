#!/usr/bin/env python3
"""Load and faults against a running local stack (`make dev`, or bench/load.sh).

Sends N distinct signed deliveries spread over four platforms (Standard Webhooks comments,
Discourse posts, X mentions, Shopify checkouts), each delivered twice with the redelivery
racing the first (both in flight at once), as platforms that retry on a timeout do. A
delivery that fails (connection refused while the runner restarts, a 5xx, a 429) is retried
like a platform would, until a 2xx, within the deadline. Then it waits until the queues are
drained and proves from the tables and queues that every event was processed exactly once.

Loopback only; bounded in count (--events) and time (--deadline).

usage: load.py --base http://127.0.0.1:3000 --token TOKEN --dynamodb URL --moto URL
               [--stack liaison] [--events 2000] [--concurrency 32] [--deadline 600]
Prints a JSON report; exits 1 when anything was lost or done twice.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import statistics
import sys
import threading
import time

import boto3
import requests

PLATFORMS = ["standard-webhooks", "discourse", "x", "shopify"]


def b64(b):
    return base64.b64encode(b).decode()


def mac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def register(base, token, platform, n):
    body = {"platform": platform, "name": f"load {platform}"}
    secrets = {
        "shopify": "shpss_load_0123456789abcdef",
        "x": "xLoadConsumerSecret0123456789abcdef",
    }
    if platform in secrets:
        body["secret"] = secrets[platform]
    r = requests.post(f"{base}/admin/sources", json=body,
                      headers={"authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    created = r.json()
    return {"id": created["id"], "platform": platform,
            "secret": created.get("secret") or body["secret"]}


def delivery(source, n, now):
    """The body and headers of the n-th distinct event of this source, signed."""
    p, secret = source["platform"], source["secret"]
    if p == "standard-webhooks":
        body = json.dumps({"type": "contribution.created", "data": {
            "id": f"load-{n}", "kind": "comment", "text": f"Comment number {n}, merci !",
            "created_at": "2026-11-23T10:00:00Z",
            "author": {"name": "Load", "handle": f"@load{n}"}}}).encode()
        msg_id = f"msg_load_{n}"
        key = base64.b64decode(secret[len("whsec_"):])
        sig = b64(mac(key, f"{msg_id}.{now}.".encode() + body))
        return body, {"content-type": "application/json", "webhook-id": msg_id,
                      "webhook-timestamp": str(now), "webhook-signature": f"v1,{sig}"}
    if p == "discourse":
        body = json.dumps({"post": {
            "id": 100000 + n, "username": f"load{n}", "name": "Load", "raw": f"Post {n}",
            "cooked": f"<p>Post {n}</p>", "topic_id": 7, "topic_slug": "load",
            "topic_title": "Load", "post_number": n + 2, "post_url": f"/t/load/7/{n + 2}",
            "created_at": "2026-11-23T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z",
            "user_id": 5000 + n, "trust_level": 1, "topic_archetype": "regular"}}).encode()
        sig = mac(secret.encode(), body).hex()
        return body, {"content-type": "application/json",
                      "x-discourse-event": "post_created", "x-discourse-event-type": "post",
                      "x-discourse-event-id": str(n),
                      "x-discourse-instance": "https://forum.example",
                      "x-discourse-event-signature": f"sha256={sig}"}
    if p == "x":
        body = json.dumps({"for_user_id": "42", "tweet_create_events": [{
            "id_str": str(1876543210000000000 + n), "text": f"@brand tweet {n}",
            "created_at": "Mon Nov 23 10:00:00 +0000 2026",
            "user": {"id_str": str(9000 + n), "name": "Load", "screen_name": f"load{n}",
                     "followers_count": 10}}]}).encode()
        sig = b64(mac(secret.encode(), body))
        return body, {"content-type": "application/json",
                      "x-twitter-webhooks-signature": f"sha256={sig}"}
    body = json.dumps({
        "id": 35201413740000 + n, "token": f"load-chk-{n}", "cart_token": f"load-cart-{n}",
        "email": f"buyer{n}@example.com", "buyer_accepts_marketing": False,
        "created_at": "2026-11-23T10:00:00+01:00", "updated_at": "2026-11-23T10:04:37+01:00",
        "completed_at": None, "currency": "EUR", "total_price": "42.00",
        "line_items": [{"product_id": 1, "variant_id": 2, "sku": "S", "title": "Lamp",
                        "quantity": 1, "price": "42.00"}],
        "abandoned_checkout_url": "https://shop.example/recover"}).encode()
    sig = b64(mac(secret.encode(), body))
    return body, {"content-type": "application/json", "x-shopify-topic": "checkouts/update",
                  "x-shopify-event-id": f"load-ev-{n}", "x-shopify-webhook-id": f"load-wh-{n}",
                  "x-shopify-hmac-sha256": sig}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = {}
        self.retries = 0

    def add(self, seconds, status):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def send(base, source, n, stats, deadline):
    """Delivers event n until a 2xx (a platform's retries, each signed anew, as Standard
    Webhooks senders do), recording each attempt."""
    session = requests.Session()
    url = f"{base}/hooks/{source['id']}"
    while time.time() < deadline:
        body, headers = delivery(source, n, int(time.time()))
        started = time.perf_counter()
        try:
            r = session.post(url, data=body, headers=headers, timeout=10)
            status = r.status_code
        except requests.RequestException:
            status = "refused"
        stats.add(time.perf_counter() - started, status)
        if status in (200, 202):
            return status
        with stats.lock:
            stats.retries += 1
        time.sleep(0.2)
    return None


def table_count(ddb, name):
    total, kwargs = 0, {"TableName": name, "Select": "COUNT"}
    while True:
        out = ddb.scan(**kwargs)
        total += out["Count"]
        if "LastEvaluatedKey" not in out:
            return total
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def queue_depth(sqs, url):
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in attrs.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--dynamodb", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--stack", default="liaison")
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--deadline", type=int, default=600)
    ap.add_argument("--ready-file", help="touched once half the events are sent")
    args = ap.parse_args()
    for url in (args.base, args.dynamodb, args.moto):
        host = url.split("//", 1)[1].split(":", 1)[0]
        if not (host.startswith("127.") or host in ("localhost", "[::1]")):
            sys.exit(f"loopback only: {url}")
    deadline = time.time() + args.deadline

    if args.events % len(PLATFORMS):
        sys.exit(f"--events must be a multiple of {len(PLATFORMS)}")
    sources = {p: register(args.base, args.token, p, 0) for p in PLATFORMS}
    work = []
    for n in range(args.events):
        source = sources[PLATFORMS[n % len(PLATFORMS)]]
        # Twice: the redelivery races the first (both submitted together).
        work += [(source, n), (source, n)]
    stats = Stats()
    started = time.perf_counter()
    undelivered = 0
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        futures = [pool.submit(send, args.base, s, n, stats, deadline) for s, n in work]
        for i, f in enumerate(concurrent.futures.as_completed(futures)):
            if f.result() is None:
                undelivered += 1
            if args.ready_file and i == len(futures) // 2:
                open(args.ready_file, "w").close()
    elapsed = time.perf_counter() - started

    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                     region_name="eu-west-1")
    ddb = session.client("dynamodb", endpoint_url=args.dynamodb)
    sqs = session.client("sqs", endpoint_url=args.moto)
    queue = lambda name: f"{args.moto}/123456789012/{args.stack}-{name}"
    queues = ["ContributionsQueue", "CommerceQueue", "ReferralsQueue"]
    while time.time() < deadline and any(queue_depth(sqs, queue(q)) for q in queues):
        time.sleep(0.5)
    table = lambda name: table_count(ddb, f"{args.stack}-{name}")
    per_platform = args.events // len(PLATFORMS)
    contributions_expected = args.events - per_platform  # all but Shopify's
    found = {
        "idempotency_keys": table("IdempotencyTable"),
        "contributions": table("ContributionsTable"),
        "carts": table("CartsTable"),
        "queued_left": {q: queue_depth(sqs, queue(q)) for q in queues},
        "dead_letters": {q: queue_depth(sqs, queue(q.replace("Queue", "DeadLetterQueue")))
                         for q in queues},
    }
    # Identify counts each contribution it records once, by the day it was received.
    today = time.strftime("%Y-%m-%d", time.gmtime())
    day = ddb.get_item(TableName=f"{args.stack}-ReportsTable",
                       Key={"pk": {"S": "day"}, "sk": {"S": today}}).get("Item")
    found["contributions_counted"] = int(day["count"]["N"]) if day else 0
    lat = sorted(stats.latencies)
    report = {
        "distinct_events": args.events,
        "requests": len(lat),
        "retries": stats.retries,
        "undelivered": undelivered,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items(), key=str)},
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(lat) / elapsed, 1),
        "latency_ms": {"p50": round(statistics.median(lat) * 1000, 1),
                       "p99": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1),
                       "max": round(lat[-1] * 1000, 1)},
        "found": found,
        "expected": {"idempotency_keys": args.events, "contributions": contributions_expected,
                     "contributions_counted": contributions_expected, "carts": per_platform},
    }
    ok = (undelivered == 0
          and found["idempotency_keys"] == args.events
          and found["contributions"] == contributions_expected
          and found["contributions_counted"] == contributions_expected
          and found["carts"] == per_platform
          and not any(found["queued_left"].values())
          and not any(found["dead_letters"].values()))
    report["exactly_once"] = ok
    print(json.dumps(report, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
