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

import contextlib
import json
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

SESSION_EXPIRY = 7 * 86400  # s the broker keeps the session while the subscriber is away
# messages in flight to the subscriber (MQTT 5 Receive Maximum; 65,535 the most the protocol allows):
# the broker sends no more than this many unacknowledged, and the subscriber acknowledges a batch only
# once stored, so this bounds the batch and, below a few thousand, stalls the flow at every batch
RECEIVE_MAXIMUM = 65535


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


class _ReadAhead(mqtt.Client):
    """paho's client reading the socket 64 KiB at a time and handling every packet it holds before
    the next select. paho 2 reads a packet in three or four `recv` calls and handles one packet per
    select; at thousands of messages a second those system calls were most of the subscriber's
    time. Only how bytes reach paho's packet reader changes (`_sock_recv`, `loop_read`); paho is
    pinned in uv.lock and tests/metering/test_mqtt.py runs this client against a real broker."""

    _buf = b""
    _pos = 0

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._pos >= len(self._buf):
            data = super()._sock_recv(65536)  # BlockingIOError when nothing is there: paho waits
            if not data:
                return data  # the broker closed the connection
            self._buf, self._pos = data, 0
        out = self._buf[self._pos : self._pos + bufsize]
        self._pos += len(out)
        return out

    def _sock_close(self) -> None:
        self._buf, self._pos = b"", 0  # bytes of a closed connection mean nothing on the next
        super()._sock_close()

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._pos < len(self._buf) and self._sock:
            rc = super().loop_read(max_packets)
        return rc

    # where a QoS 1 PUBLISH goes: (topic, payload, packet id); None: paho's own path
    sink: Callable[[str, bytes, int], None] | None = None

    def _handle_publish(self) -> MQTTErrorCode:
        """A QoS 1 PUBLISH straight to `sink`: paho makes a Properties object, an MQTTMessage and a
        callback dispatch for each, which the intake does not use (it reads no properties). Anything
        else, or a packet this cannot read, goes paho's way."""
        header, packet = self._in_packet["command"], self._in_packet["packet"]
        if self.sink is None or (header & 0x06) >> 1 != 1 or self._protocol != mqtt.MQTTv5:
            return super()._handle_publish()
        try:
            n = int.from_bytes(packet[0:2], "big")
            topic = bytes(packet[2 : 2 + n]).decode()
            pos = 2 + n
            mid = int.from_bytes(packet[pos : pos + 2], "big")
            pos += 2
            size, shift = 0, 0  # the properties' length, a variable byte integer
            while True:
                b = packet[pos]
                pos += 1
                size |= (b & 0x7F) << shift
                if not b & 0x80 or shift > 21:
                    break
                shift += 7
        except (IndexError, UnicodeDecodeError):
            return super()._handle_publish()
        if not topic or pos + size > len(packet):  # a topic alias, or broken: paho's way
            return super()._handle_publish()
        self.sink(topic, bytes(packet[pos + size :]), mid)
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_all(self, mids: Sequence[int]) -> None:
        """PUBACK each packet id, queued together with one wake-up of the network thread (paho's
        ack() wakes it once a message)."""
        puback = 0x40
        for mid in mids:
            self._out_packet.append(
                {
                    "command": puback,
                    "mid": mid,
                    "qos": 1,
                    "pos": 0,
                    "to_process": 4,
                    "packet": struct.pack("!BBH", puback, 2, mid),
                    "info": None,
                }
            )
        if self._sockpairW is not None:
            with contextlib.suppress(BlockingIOError):
                self._sockpairW.send(b"0")
        self._call_socket_register_write()


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
        batch: int = 20000,
        linger: float = 0.05,
    ) -> None:
        self.handle = handle
        self.host, self.port, self.prefix = host, port, prefix
        self.batch, self.linger = batch, linger
        # the network thread appends, the worker takes all at once (a queue.Queue costs a lock
        # round per message)
        self.inbox: list[Message] = []
        self.arrived = threading.Condition()
        self.handled = 0
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = _ReadAhead(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.sink = self._arrive

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, rc: object, props: object
    ) -> None:
        client.subscribe(f"{self.prefix}/+/+/+", qos=1)

    def _on_subscribe(self, *args: object) -> None:
        self.connected.set()  # subscribed: from now on the broker keeps what comes for the session

    def _on_disconnect(self, *args: object) -> None:
        self.connected.clear()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        self._arrive(msg.topic, bytes(msg.payload), msg.mid)

    def _arrive(self, topic: str, payload: bytes, mid: int) -> None:
        with self.arrived:
            self.inbox.append(Message(topic, payload, mid))
            if len(self.inbox) == 1 or len(self.inbox) >= self.batch:
                self.arrived.notify()

    def _take(self) -> list[Message]:
        """The next batch: what has arrived once `batch` messages are there or `linger` seconds
        after the first; [] after 0.2 s of nothing."""
        with self.arrived:
            if not self.inbox and not self.arrived.wait_for(lambda: bool(self.inbox), timeout=0.2):
                return []
            deadline = time.monotonic() + self.linger
            while len(self.inbox) < self.batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.arrived.wait(left)
            msgs, self.inbox = self.inbox[: self.batch], self.inbox[self.batch :]
            return msgs

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
            msgs = self._take()
            if not msgs:
                continue
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
            self.client.ack_all([m.mid for m in msgs])
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
