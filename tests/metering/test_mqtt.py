"""MQTT intake against a real Mosquitto: acknowledged only after the store, refusals answered on the
reply topic; a subscriber killed with SIGKILL and a broker restarted lose nothing and store nothing
twice.

The in-process test uses the broker at 127.0.0.1:1883 (the machine's, started by .ci/run when not
running) under a topic prefix of its own; the crash test starts a private Mosquitto on a free port
with persistence in tmp_path, since restarting the shared broker would disturb everyone else's."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from carbonpeak.metering.mqtt import Subscriber, publish_packs, reply_topic
from carbonpeak.metering.simulate import population, simulate
from tests.metering.conftest import U1, U2

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def _wait(cond, timeout=60.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return False


@pytest.fixture(scope="module")
def broker_1883():
    """The machine's broker at 127.0.0.1:1883; started as .ci/run does when it is installed but not
    running (a fresh machine installs it in `make system`, after .ci/run's check)."""
    if not _accepts(1883) and Path(MOSQUITTO).exists() and Path("/etc/mosquitto/mosquitto.conf").exists():
        subprocess.run([MOSQUITTO, "-d", "-c", "/etc/mosquitto/mosquitto.conf"], check=False)
        _wait(lambda: _accepts(1883), 10)
    assert _accepts(1883), "no MQTT broker at 127.0.0.1:1883 (apt-get install mosquitto)"


def test_acknowledged_after_the_store_and_refusals_answered(broker_1883, published, tmp_path):
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from carbonpeak.metering.storage import ReadingStore
    from carbonpeak.services import metering as svc

    prefix = f"cpt{secrets.token_hex(4)}"
    store = ReadingStore(tmp_path / "m")
    sub = Subscriber(
        svc.mqtt_handler(published, store), prefix=prefix, client_id=f"{prefix}-sub", linger=0.02
    )
    sub.start()
    replies: list[tuple[str, dict]] = []
    listener = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    listener.on_message = lambda c, u, m: replies.append((m.topic, json.loads(m.payload)))
    listener.connect("127.0.0.1", 1883)
    listener.subscribe(f"{prefix}/+/+/+/rejected", qos=1)
    listener.loop_start()
    try:
        assert sub.connected.wait(10)
        t0 = int(time.time()) // 900 * 900 - 7200
        good = [{"bn": f"{U1}/E01/active_energy", "bu": "kWh", "bt": t0}] + [
            {"t": 900 * i, "v": 100.0 + i} for i in range(4)
        ]
        wrong_unit = [{"bn": f"{U2}/E01/active_energy", "bu": "MWh", "bt": t0, "v": 1.0}]
        wrong_topic = [{"bn": f"{U1}/G01/volume", "bu": "m3", "bt": t0, "s": 1.0}]
        sent = publish_packs(
            [
                (f"{prefix}/{U1}/E01/active_energy", json.dumps(good).encode()),
                (f"{prefix}/{U2}/E01/active_energy", json.dumps(wrong_unit).encode()),
                (f"{prefix}/{U1}/E01/active_energy", json.dumps(wrong_topic).encode()),
                (f"{prefix}/{U1}/E01/active_energy", b"not json"),
                (f"{prefix}/{U1}/E01/active_energy", json.dumps(good).encode()),  # re-sent
            ]
        )
        assert sent == 5
        assert _wait(lambda: sub.handled == 5 and len(replies) == 3, 20)
        rules = sorted(r["problems"][0]["rule"] for _, r in replies)
        assert rules == ["metering.topic", "metering.unit", "senml.json"]
        assert {t for t, _ in replies} == {
            reply_topic(f"{prefix}/{U2}/E01/active_energy"),
            reply_topic(f"{prefix}/{U1}/E01/active_energy"),
        }
        assert all(r["problems"][0]["message_zh"] for _, r in replies)
        cur = store.current().to_pylist()
        assert [(r["t"] - t0, r["value"]) for r in cur] == [(900 * i, 100.0 + i) for i in range(4)]
        assert len(store.files()) == 1  # the re-sent pack wrote nothing
        with published.session() as s:
            assert {r["rule"] for r in svc.rejections(s)} >= {"metering.unit", "metering.topic", "senml.json"}
    finally:
        sub.stop()
        listener.loop_stop()
        listener.disconnect()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A private Mosquitto with persistence under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {folder}/\nmax_queued_messages 100000\nmax_inflight_messages 1000\n"
            "user root\n"
        )
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stderr=subprocess.DEVNULL)
        assert _wait(lambda: _accepts(self.port), 10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)  # writes its persistence file
            self.proc.wait(10)
            self.proc = None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _parquet_rows(root: Path) -> int:
    return sum(pq.read_metadata(p).num_rows for p in root.glob("readings/*/*/*.parquet"))


@pytest.mark.slow
@pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto is not installed")
def test_kill_9_and_a_broker_restart_lose_nothing_and_store_nothing_twice(tmp_path, monkeypatch, capsys):
    from carbonpeak.cli import main
    from carbonpeak.services.metering import write_simulation

    data = tmp_path / "var"
    env = {
        "CARBONPEAK_DATA_DIR": str(data),
        "CARBONPEAK_NEW_PASSWORD": "long enough pw",
        "CARBONPEAK_MQTT_PREFIX": f"cpk{secrets.token_hex(3)}",
        "CARBONPEAK_MQTT_CLIENT_ID": f"cpk-{secrets.token_hex(4)}",
    }
    broker = Broker(tmp_path / "broker")
    env["CARBONPEAK_MQTT_PORT"] = str(broker.port)
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    rng = np.random.default_rng(11)
    sim = simulate(
        rng, population(rng, 2, 2, 2025), start=__import__("datetime").date(2025, 6, 2), days=2, faults=False
    )
    paths = write_simulation(sim, tmp_path / "sim", 2025)

    def cli(*argv: str) -> str:
        try:
            main(list(argv))
        except SystemExit as stop:
            assert not stop.code, capsys.readouterr().err
        return capsys.readouterr().out

    cli("init")
    cli("user", "add", "ann", "--role", "office", "--unit", "carbon_office")
    cli("user", "add", "bob", "--role", "office", "--unit", "carbon_office")
    sub_id = (
        cli("data", "import", "meter_register", str(paths["register"]), "--as", "ann").split()[1].rstrip(":")
    )
    cli("submission", "submit", sub_id, "--as", "ann")
    cli("submission", "approve", sub_id, "--as", "bob")
    cli("submission", "publish", sub_id, "--as", "bob")
    # one reading a message: 4 meters × 192 periods
    msgs = []
    for p in sim.packs:
        head = p.records[0]
        for rec in p.records[1:]:
            one = [{**head, **rec}]
            msgs.append((f"{env['CARBONPEAK_MQTT_PREFIX']}/{head['bn']}", json.dumps(one).encode()))
    total = len(msgs)
    assert total == 4 * 192
    thirds = [msgs[: total // 3], msgs[total // 3 : 2 * total // 3], msgs[2 * total // 3 :]]

    def subscriber() -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "carbonpeak", "metering", "subscribe"],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        line = proc.stdout.readline().decode()  # printed once subscribed
        assert line.startswith("subscribed"), line + proc.stderr.read().decode()
        return proc

    store_root = data / "metering"
    broker.start()
    proc = subscriber()
    try:
        publish_packs(thirds[0], port=broker.port)
        if not _wait(lambda: _parquet_rows(store_root) > 0, 30):
            proc.kill()
            raise AssertionError(proc.communicate()[1].decode()[-3000:])
        handled_before = _parquet_rows(store_root)
        proc.send_signal(signal.SIGKILL)  # kill -9 while messages are in flight
        proc.communicate(timeout=10)
        publish_packs(thirds[1], port=broker.port)  # queued by the broker for the session
        broker.stop()
        broker.start()
        proc = subscriber()
        publish_packs(thirds[2], port=broker.port)
        assert _wait(lambda: _parquet_rows(store_root) >= total, 90), _parquet_rows(store_root)
        time.sleep(1.0)  # anything more would be a duplicate
        from carbonpeak.metering.storage import ReadingStore

        cur = ReadingStore(store_root).current()
        assert cur.num_rows == total  # nothing lost
        assert _parquet_rows(store_root) == total  # nothing stored twice
        assert set(cur["version"].to_pylist()) == {1}
        assert 0 < handled_before < total  # the kill came in the middle
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        broker.stop()
