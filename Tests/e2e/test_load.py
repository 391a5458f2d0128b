"""Load: concurrent streams against --parallel 4 complete or get 429, disconnects free their slots, SIGTERM ends
in-flight streams cleanly."""

import concurrent.futures
import http.client
import json
import signal
import time

from conftest import http as request


def stream(server, max_tokens=24, read_chunks=None, timeout=300):
    """One raw streaming request. Returns (status, headers, events); with read_chunks, closes after that many events."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    body = json.dumps({"model": server.model, "messages": [{"role": "user", "content": "Tell me a story."}],
                       "max_tokens": max_tokens, "stream": True})
    connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        text = response.read().decode()
        connection.close()
        return response.status, dict(response.getheaders()), [text]
    events = []
    for line in response:
        line = line.decode().strip()
        if line.startswith("data: "):
            events.append(line[6:])
            if read_chunks is not None and len(events) >= read_chunks:
                break
    response.close()
    connection.close()
    return 200, dict(response.getheaders()), events


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_sixteen_streams_against_four_slots(start_server):
    s = start_server("--max-queue", "4", parallel=4)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: stream(s), range(16)))
    completed = [events for status, _, events in results if status == 200]
    refused = [(headers, events) for status, headers, events in results if status == 429]
    assert len(completed) + len(refused) == 16, [r[0] for r in results]
    assert len(completed) >= 4
    for events in completed:
        assert events[-1] == "[DONE]"
        finish = [c["choices"][0]["finish_reason"] for c in map(json.loads, events[:-1]) if c["choices"]]
        assert finish[-1] in ("stop", "length")
    for headers, events in refused:
        assert int(headers["Retry-After"]) >= 1
        assert json.loads(events[0])["error"]["type"] == "rate_limit_error"
    assert request("GET", s.base + "/health")[0] == 200
    # A disconnect storm: clients leave after the first chunks; every slot must be free afterwards.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        storm = list(pool.map(lambda _: stream(s, max_tokens=1000, read_chunks=3), range(8)))
    assert all(status in (200, 429) for status, _, _ in storm)
    assert wait_for(lambda: s.metric("functionary_active_slots") == 0), s.output()[-2000:]
    assert wait_for(lambda: s.metric("functionary_queue_depth") == 0)
    assert request("GET", s.base + "/health")[0] == 200


def test_sigterm_ends_streams_cleanly(start_server):
    s = start_server()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(stream, s, 1500)
        assert wait_for(lambda: s.metric("functionary_active_slots") >= 1)
        s.process.send_signal(signal.SIGTERM)
        status, _, events = future.result(timeout=60)
    assert status == 200
    assert events[-1] == "[DONE]"
    assert s.process.wait(60) == 0
    log = s.output()
    assert "ready" in log
