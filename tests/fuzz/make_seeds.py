#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus from the formats' own rules
(docs/protocol.md, docs/serial-protocol.md) and the example files. Run it again
after a format changes; the seeds are checked in."""
import json
import os
import struct
from pathlib import Path

here = Path(__file__).resolve().parent
root = here.parents[1]
corpus = here / "corpus"


def put(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# --- msgpack, just what headers use ---------------------------------------
def mp(v):
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, int):
        if 0 <= v < 0x80:
            return bytes([v])
        if v < 0:
            return b"\xd3" + struct.pack(">q", v)
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, str):
        b = v.encode()
        return (bytes([0xA0 | len(b)]) if len(b) < 32 else b"\xd9" + bytes([len(b)])) + b
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b"".join(mp(k) + mp(x) for k, x in v.items())
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b"".join(mp(x) for x in v)
    raise TypeError(v)


def message(kind, address=b"", origin=b"", header=b"", body=b""):
    address = address.encode() if isinstance(address, str) else address
    origin = origin.encode() if isinstance(origin, str) else origin
    return (bytes([1, kind]) + struct.pack("<H", len(address)) + address + bytes([len(origin)]) + origin
            + struct.pack("<H", len(header)) + header + body)


TS = 1764806400123456789
frames = {
    "hello": message(1, "meter1", "meter1", mp({"id": 1, "protocol": 1, "pid": 4242, "batch": True})),
    "subscribe": message(4, "devices/+/temp", "listener", mp({"id": 2, "lossless": True})),
    "publish": message(6, "devices/campus/b1/temp", "meter1",
                       mp({"id": 7, "ts": TS, "pri": 10, "dl": TS + 10**9, "ct": "application/json"}), b"21.5"),
    "request": message(8, "historian", "watt-cli", mp({"id": 9, "method": "query", "ts": TS, "pri": 0}),
                       mp(["devices/campus/b1/temp"])),
    "error": message(10, "watt-cli", "broker", mp({"id": 9, "code": "unknown_peer", "message": "no peer 'x'"})),
    "flow": message(17, "", "broker", mp({"paused": True, "message": "'slow' is behind"})),
    "unknown_keys": message(6, "a/b", "p", mp({"x": [1, {"y": "z"}], "id": 3, "later": {"k": [True]}})),
    "empty_header": message(12, "", "p"),
    "bad_priority": message(6, "a", "p", mp({"pri": 101})),
    "wrong_type": message(6, "a", "p", mp({"id": "seven"})),
    "version_2": bytes([2, 6, 0, 0, 0, 0, 0]),
    "truncated": message(6, "devices/x", "p", mp({"id": 1}))[:12],
}
for name, data in frames.items():
    put("fuzz_frame", name, data)


def item(m):
    return struct.pack("<I", len(m)) + m


put("fuzz_batch", "two", item(frames["publish"]) + item(frames["request"]))
put("fuzz_batch", "one_empty_item", item(b""))
put("fuzz_batch", "cut_item", item(frames["publish"])[:-3])
put("fuzz_batch", "cut_length", b"\x05\x00")
put("fuzz_batch", "nested", item(message(18, body=item(frames["publish"]))))

for name, (pattern, topic) in {
    "plus": ("devices/+/temp", "devices/b1/temp"),
    "hash": ("#", "a/b/c"),
    "trailing_hash": ("a/#", "a"),
    "prefix_not_segment": ("devices/campus", "devices/campus2/x"),
    "deeper": ("a/b/c/d", "a/b"),
    "bad_pattern": ("a/#/b", "a/x/b"),
    "empty_segment": ("a//b", "a/b"),
}.items():
    put("fuzz_topic", name, pattern.encode() + b"\0" + topic.encode())


# --- serial frames: [type][seq][payload][CRC-16/CCITT-FALSE], COBS, 0x00 ---
def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def cobs(data):
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out += b"\xff" + block
                block = bytearray()
    out += bytes([len(block) + 1]) + block
    return bytes(out)


def serial_frame(kind, seq, payload):
    raw = bytes([kind, seq]) + payload
    return cobs(raw + struct.pack(">H", crc16(raw))) + b"\0"


hello = serial_frame(0x03, 0, mp({"node": "n1", "max_payload": 8192}))
data = serial_frame(0x01, 1, mp({"op": "pub", "topic": "dispatch/n1", "body": [1, 2]}))
# First two bytes: the decoder's max_payload and the read size.
put("fuzz_serial_decoder", "hello_then_data", b"\x40\x03" + b"\0" + hello + data)
put("fuzz_serial_decoder", "bad_crc", b"\x40\x05" + data[:-3] + bytes([data[-3] ^ 1]) + b"\0")
put("fuzz_serial_decoder", "noise_then_frame", b"\x40\x01" + bytes(range(1, 40)) + b"\0" + data)
put("fuzz_serial_decoder", "oversize", b"\x00\x07" + serial_frame(0x01, 2, bytes(range(1, 200))))
put("fuzz_serial_decoder", "long_block", b"\x3f\x10" + serial_frame(0x01, 3, bytes([7]) * 600))
put("fuzz_serial_decoder", "duplicate_and_gap",
    b"\x40\x02" + serial_frame(0x01, 5, b"a") + serial_frame(0x01, 5, b"a") + serial_frame(0x01, 9, b"b"))

put("fuzz_registry_csv", "modbus",
    "Point Name,Volttron Point Name,Units,Writable,Point Address,Register Type,Data Type,Scale,Byte Order\n"
    "P,power,kW,FALSE,0,holding,int16,0.1,big\n"
    "SP,setpoint,degC,TRUE,10,holding,float32,1,little\n"
    "Run,running,,FALSE,3,coil,,,\n")
put("fuzz_registry_csv", "fake",
    "Point Name,Volttron Point Name,Units,Writable,Type,Starting Value,Waveform\n"
    "temp,temp,degC,FALSE,float,20,\"sine(60, 2, 20)\"\n"
    "\"quoted, name\",q,,TRUE,bool,TRUE,\n")
put("fuzz_registry_csv", "duplicate", "Volttron Point Name,Type\na,int\na,int\n")
put("fuzz_registry_csv", "unterminated_quote", "Volttron Point Name,Type\n\"a,int\n")

put("fuzz_yaml_configs", "run_ed16", "r" + (root / "examples/ed16/ed16.yml").read_text())
put("fuzz_yaml_configs", "device_modbus",
    "ddriver_type: modbus\nregistry_config: config://plc.csv\ninterval: 5\ntimezone: UTC\n"
    "publish_depth_first: true\ndriver_config:\n  host: 127.0.0.1\n  port: 502\n  slave_id: 1\n")
put("fuzz_yaml_configs", "device_fake", "ddriver_type: fake\nregistry_config: meter1.csv\ninterval: 0.5\n")
put("fuzz_yaml_configs", "bridge_lab", "b" + (root / "examples/ed16-serial/lab.yml").read_text())
put("fuzz_yaml_configs", "platform",
    "pbroker:\n  tcp: tcp://127.0.0.1:22916\n  max_message_bytes: 1048576\n  batch_messages: 16\n"
    "agents:\n  restart_backoff_ms: 100\n")
put("fuzz_yaml_configs", "platform_nested_tcp", "pbroker:\n  tcp: {a: 1}\n")
put("fuzz_yaml_configs", "historian", "hbackend: sqlite\ntopics: ['devices/#']\n")
put("fuzz_yaml_configs", "run_bad_types", "rrun: [1, 2]\nnodes: {x: y}\n")
# Found by fuzzing: a list used as a key escaped as yaml-cpp's own exception.
put("fuzz_yaml_configs", "bridge_list_key", "blab: l\nports:\n  - {[a]: 1}\n")
put("fuzz_yaml_configs", "device_list_key", "d[a]: 1\n")

put("fuzz_org_inputs", "orgs", "o" + """organizations:
  - {name: disco, kind: disco, ip: disco-ip, dms: disco-dms}
  - {name: a1, kind: aggregator, parent: disco, ip: a1-ip, children: [e1, e2]}
  - {name: e1, kind: end-user, ip: e1-ip, pe: e1-pe, dms: e1-dms, members: [historian]}
  - {name: e2, kind: end-user, ip: e2-ip}
""")
put("fuzz_org_inputs", "orgs_cycle", "oorganizations:\n  - {name: p, kind: aggregator, parent: q, ip: p-ip}\n"
    "  - {name: q, kind: aggregator, parent: p, ip: q-ip}\n")
put("fuzz_org_inputs", "orgs_list_key", "oorganizations:\n  - {[a]: 1, name: x}\n")
put("fuzz_org_inputs", "choices_org33", "c" + (root / "examples/org33/org33.yml").read_text())
put("fuzz_org_inputs", "history", "h" + json.dumps({"topic": "org/e1/record/measure/load", "values": [
    [f"2026-12-0{d}T00:00:00Z", {"start_s": 1764547200 + 86400 * d, "step_s": 3600,
                                  "values": [10 + (h % 24) for h in range(24)]}] for d in range(1, 4)]}))
put("fuzz_org_inputs", "history_bad_blocks", "h" + json.dumps({"values": [
    [0, {"start_s": "x", "values": [1]}], [0, {"start_s": 10, "step_s": 0, "values": [None, 2]}],
    [0, {"start_s": 7200, "values": [None, None]}], [0, 5]]}))

put("fuzz_trading_inputs", "history", "h" + json.dumps({"trades": [
    {"bess": "25", "price_cents": 15, "energy_kwh": 6.75}, {"bess": "30", "price_cents": 23, "energy_kwh": 6.75}]}))
put("fuzz_trading_inputs", "history_bad", "h" + '{"trades": [{"bess": "25", "price_cents": "x"}]}')
put("fuzz_trading_inputs", "bid", b"m\x03" + mp({"from": "500", "auction": 1, "energy_kwh": 6.75,
                                                  "price_cents": 15.0, "timeout_ms": 3000}))
put("fuzz_trading_inputs", "bid_wrong_types", b"m\x03" + mp({"from": 5, "auction": "x", "price_cents": [1]}))
# Fig. 6's bids (5, 7, 10, 15 c/kWh from one bidder), the window, a confirmation.
put("fuzz_trading_inputs", "auction_fig6", b"a" + bytes([0, 0, 50, 0, 0, 70, 0, 0, 100, 0, 0, 150,
                                                          1, 0, 200, 2, 0, 1]))
# A bid of NaN kWh at an infinite price, between two good ones.
put("fuzz_trading_inputs", "auction_bad_numbers", b"a" + bytes([0, 0, 150, 3, 1, 0])
    + struct.pack("<d", float("nan")) + struct.pack("<d", float("inf")) + bytes([0, 2, 160, 1, 0, 200]))

put("fuzz_der_models", "hub", (root / "examples/energy-hub/hub.yml").read_text())
put("fuzz_der_models", "state_space", """step_minutes: 15
models:
  - name: cellar
    kind: state_space
    states: {t: {initial: 12, min: 8, max: 16, next: {states: {t: 0.98}, switches: {fan: -0.5}, inputs: {out: 0.02}}}}
    switches: {fan: {switching_weight: 0.01, exclusive_with: []}}
    inputs: [out]
    outputs: {power: {switches: {fan: 0.2}}, band: {states: {t: 1}, min: 8}}
    thermostats: [{state: t, switch: fan, mode: cool}]
""")
put("fuzz_der_models", "bad_types", "models:\n  - {name: b, kind: battery, capacity_kwh: [1], window: {a: 1}}\n")
