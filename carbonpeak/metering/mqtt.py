"""The MQTT edge: a subscriber that acknowledges a message only after what it carried is durably
stored (or its refusal recorded), and a publisher of packs.

Topics (QoS 1): `<prefix>/<uscc>/<meter>/<quantity>` carries one SenML pack of that meter; a refusal
is answered on `<prefix>/<uscc>/<meter>/<quantity>/rejected` (JSON: the problems, zh and en).

The subscriber keeps a persistent session (MQTT 5, clean start off, a session expiry of a week, a
fixed client id), so the broker keeps what arrives while it is down and re-sends every message it
delivered but did not see acknowledged. It acknowledges by hand (paho's manual_ack): messages are
taken in batches (up to `batch` messages or `linger` seconds), handed to `handle`, and acknowledged
only when `handle` returns; a subscriber killed in between gets them again, and the store's
identity (meter, period start) makes the second delivery a no-op. docs/operations.md says how to
configure the broker (persistence, queue and in-flight limits).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

SESSION_EXPIRY = 7 * 86400  # s the broker keeps the session while the subscriber is away
RECEIVE_MAXIMUM = 1000  # messages in flight to the subscriber (MQTT 5 Receive Maximum)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    mid: int


# handle(messages) → replies to publish (topic, payload) for the refused ones
Handler = Callable[[Sequence[Message]], Sequence[tuple[str, bytes]]]


def pack_topic(prefix: str, name: str) -> str:
    """The topic of a meter's packs from its SenML name `<uscc>/<meter>/<quantity>`."""
    return f"{prefix}/{name}"


def reply_topic(topic: str) -> str:
    return f"{topic}/rejected"


def refusal_payload(problems: Sequence[dict[str, str | None]]) -> bytes:
    return json.dumps({"accepted": False, "problems": list(problems)}, ensure_ascii=False).encode()


class Subscriber:
    """Subscribe to `<prefix>/+/+/+` and feed `handle` in batches; see the module's docstring."""

    def __init__(
        self,
        handle: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        prefix: str = "cp",
        client_id: str = "carbonpeak-metering",
        batch: int = 5000,
        linger: float = 0.05,
    ) -> None:
        self.handle = handle
        self.host, self.port, self.prefix = host, port, prefix
        self.batch, self.linger = batch, linger
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.handled = 0
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, rc: object, props: object
    ) -> None:
        client.subscribe(f"{self.prefix}/+/+/+", qos=1)

    def _on_subscribe(self, *args: object) -> None:
        self.connected.set()  # subscribed: from now on the broker keeps what comes for the session

    def _on_disconnect(self, *args: object) -> None:
        self.connected.clear()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        self.inbox.put(Message(msg.topic, bytes(msg.payload), msg.mid))

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = SESSION_EXPIRY
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)
        self.client.connect_async(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()
        self.worker = threading.Thread(target=self._work, name="metering-intake", daemon=True)
        self.worker.start()

    def _work(self) -> None:
        while not self.stopping.is_set():
            try:
                first = self.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            msgs = [first]
            deadline = time.monotonic() + self.linger
            while len(msgs) < self.batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    msgs.append(self.inbox.get(timeout=left))
                except queue.Empty:
                    break
            while True:
                try:
                    replies = self.handle(msgs)  # durable when it returns
                    break
                except Exception as exc:  # the store or the database is away: keep the batch, unacknowledged
                    print(
                        f"metering intake: {type(exc).__name__}: {exc}; retrying", file=sys.stderr, flush=True
                    )
                    if self.stopping.wait(1.0):
                        return
            for topic, payload in replies:
                self.client.publish(topic, payload, qos=1)
            for m in msgs:
                self.client.ack(m.mid, 1)
            self.handled += len(msgs)

    def stop(self) -> None:
        self.stopping.set()
        self.worker.join(timeout=5)
        self.client.disconnect()
        self.client.loop_stop()


def publish_packs(
    packs: Sequence[tuple[str, bytes]],
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    client_id: str = "",
    timeout: float = 120.0,
) -> int:
    """Publish (topic, payload) pairs with QoS 1 and wait until the broker acknowledged every one;
    the number published."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in packs]
        end = time.monotonic() + timeout
        for info in infos:
            info.wait_for_publish(timeout=max(0.0, end - time.monotonic()))
        return sum(info.is_published() for info in infos)
    finally:
        client.disconnect()
        client.loop_stop()
