"""JT/T 808 codec: frames, headers (2013 and 2019 editions) and the message bodies a platform needs.

Pure bytes in, typed frozen dataclasses out (and back); no sockets, no clocks.

Frame (JT/T 808-2013 §4.4, unchanged in 2019)::

    0x7E | header | body | check code | 0x7E

* Escapes, applied after the check code is computed: ``0x7E`` ↔ ``0x7D 0x02`` and
  ``0x7D`` ↔ ``0x7D 0x01``.  Any other byte after ``0x7D`` is a bad frame.
* Check code: XOR of every byte of header and body (before escaping).
* Header: message id WORD; attributes WORD (bits 0–9 body length, 10–12 encryption —
  bit 10 = RSA, 13 sub-package, 14 version flag [2019], 15 reserved); 2013: terminal phone
  BCD[6], serial WORD; 2019 (version flag set): protocol version BYTE, terminal phone BCD[10],
  serial WORD; then, when sub-packaged, total packets WORD and packet index WORD.
  All integers are big-endian.

The phone number is returned without leading zeros (``"012345678900"`` and
``"00000000012345678900"`` are both terminal ``"12345678900"``) so that one terminal is one key
whichever edition it speaks; encoding pads it back to 12 or 20 digits.

Bodies decoded here: terminal general response 0x0001, heartbeat 0x0002, registration 0x0100
and its response 0x8100 (a registration body too short for the 2013 layout is read with the
2011 one, terminal model BYTE[8]), authentication 0x0102 (2013: the code is the whole body; 2019:
length-prefixed code, IMEI BYTE[15], software version BYTE[20]), location report 0x0200,
batch location 0x0704 and platform general response 0x8001.  Any other message id is not an
error: it comes back as :class:`RawMessage` with the id and the raw body, as do sub-packaged
and RSA-encrypted bodies (not reassembled or decrypted here).

Positions
---------
Latitude and longitude are DWORD millionths of a degree, north/east positive; status bit 2
means south and bit 3 west (the decoded :class:`Location` carries signed micro-degrees).
Devices report **WGS-84** (the GNSS datum; confirmed by the SmallChi/JT808 maintainers, issue
#16 — platforms that display on GCJ-02 basemaps shift for display only, never the data).  Altitude is metres, speed 1/10 km/h,
direction degrees 0–359 clockwise from north, and the time is BCD ``YYMMDDhhmmss`` in
GMT+8 (Beijing time), decoded to a timezone-aware :class:`~datetime.datetime`.  Additional
information items (TLV: id BYTE, length BYTE, value) are kept raw as ``(id, bytes)``.

A position that cannot be used is decoded but flagged (:attr:`Location.rejection`):
status bit 5 (coordinates encrypted by a confidentiality plug-in), bit 1 clear (not
located), coordinates outside ±90°/±180°, or an invalid time.  The text of the rejection is
Chinese (:attr:`Location.rejection_text`).

Malformed frames raise :class:`DecodeError` with a Chinese message naming the field.

Sources for the layouts: JT/T 808-2013 and JT/T 808-2019 as implemented and tested by
SmallChi/JT808 (C#), yezhihao/jt808-server (Java), makeclan/xtream-codec (Java) and traccar's
HuabaoProtocolDecoder; the test vectors in ``tests/test_transport_jt808.py`` come from them.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from functools import reduce
from operator import xor

FLAG = 0x7E
ESC = 0x7D
BEIJING = dt.timezone(dt.timedelta(hours=8), "GMT+8")

# message ids
TERMINAL_RESPONSE = 0x0001
HEARTBEAT = 0x0002
REGISTRATION = 0x0100
AUTHENTICATION = 0x0102
LOCATION = 0x0200
BATCH_LOCATION = 0x0704
PLATFORM_RESPONSE = 0x8001
REGISTRATION_RESPONSE = 0x8100

# general-response results (JT/T 808 表 3): 0 成功/确认, 1 失败, 2 消息有误, 3 不支持, 4 报警处理确认
RESULT_OK = 0
RESULT_FAILURE = 1
RESULT_BAD_MESSAGE = 2
RESULT_UNSUPPORTED = 3

# status bits (JT/T 808 表 25)
STATUS_ACC_ON = 1 << 0
STATUS_LOCATED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3
STATUS_ENCRYPTED = 1 << 5

REJECTION_TEXT = {
    "encrypted": "状态位5：经纬度已经保密插件加密，位置不可用",
    "not_located": "状态位1为0：终端未定位，位置不可用",
    "out_of_range": "纬度超出 ±90° 或经度超出 ±180°",
    "bad_time": "定位时间不是有效的日期时间（BCD YYMMDDhhmmss，GMT+8）",
}

_HEADER_2013 = 12
_HEADER_2019 = 17
_LOCATION_BASE = 28
_REG_LAYOUT = {False: (5, 20, 7), True: (11, 30, 30)}  # maker, model, terminal id lengths (2013 / 2019)
_REG_LAYOUT_2011 = (5, 8, 7)


class DecodeError(ValueError):
    """A malformed frame or body; ``message`` is Chinese and names what is wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- frame level ---------------------------------------------------------------------------

def check_code(data: bytes) -> int:
    """XOR of all bytes (JT/T 808 §4.4.4: header and body, before escaping)."""
    return reduce(xor, data, 0)


def escape(data: bytes) -> bytes:
    """``0x7D`` → ``7D 01`` then ``0x7E`` → ``7D 02`` (the order matters)."""
    return data.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    """Reverse :func:`escape`; a ``0x7D`` not followed by ``01``/``02`` is a :class:`DecodeError`."""
    if b"\x7d" not in data:
        return bytes(data)
    parts = bytes(data).split(b"\x7d")
    out = [parts[0]]
    for part in parts[1:]:
        if not part or part[0] not in (0x01, 0x02):
            follow = f"0x{part[0]:02X}" if part else "帧尾"
            raise DecodeError(f"转义错误：0x7D 之后应为 0x01 或 0x02，实际为 {follow}")
        out.append((b"\x7d" if part[0] == 0x01 else b"\x7e") + part[1:])
    return b"".join(out)


def _bcd_digits(raw: bytes, what: str) -> str:
    digits = raw.hex()
    if not digits.isdigit():
        raise DecodeError(f"{what}不是有效的 BCD 码（{digits.upper()}）")
    return digits


def _phone_bcd(phone: str, n_bytes: int) -> bytes:
    if not phone.isdigit() or len(phone) > 2 * n_bytes:
        raise ValueError(f"终端手机号应为不超过 {2 * n_bytes} 位的数字：{phone!r}")
    return bytes.fromhex(phone.rjust(2 * n_bytes, "0"))


@dataclass(frozen=True)
class Header:
    """Message header; ``protocol_version`` is set for the 2019 edition only."""

    msg_id: int
    body_length: int
    phone: str
    serial: int
    version_2019: bool = False
    protocol_version: int | None = None
    encryption: int = 0  # attribute bits 10–12: 0 none, 1 RSA
    packet_total: int | None = None
    packet_index: int | None = None

    @property
    def subpackaged(self) -> bool:
        return self.packet_total is not None


def _parse_header(data: bytes) -> tuple[Header, int]:
    if len(data) < _HEADER_2013:
        raise DecodeError(f"帧过短：消息头不完整（{len(data)} 字节）")
    msg_id, attr = struct.unpack_from(">HH", data, 0)
    v2019 = bool(attr & 0x4000)
    if v2019:
        if len(data) < _HEADER_2019:
            raise DecodeError(f"帧过短：2019 版消息头不完整（{len(data)} 字节）")
        version = data[4]
        phone = _bcd_digits(data[5:15], "终端手机号")
        (serial,) = struct.unpack_from(">H", data, 15)
        offset = _HEADER_2019
    else:
        version = None
        phone = _bcd_digits(data[4:10], "终端手机号")
        (serial,) = struct.unpack_from(">H", data, 10)
        offset = _HEADER_2013
    total = index = None
    if attr & 0x2000:
        if len(data) < offset + 4:
            raise DecodeError("帧过短：分包项（消息总包数、包序号）不完整")
        total, index = struct.unpack_from(">HH", data, offset)
        offset += 4
    header = Header(msg_id=msg_id, body_length=attr & 0x3FF, phone=phone.lstrip("0") or "0", serial=serial,
                    version_2019=v2019, protocol_version=version, encryption=(attr >> 10) & 0x7,
                    packet_total=total, packet_index=index)
    return header, offset


def _header_bytes(msg_id: int, body_length: int, *, phone: str, serial: int, version_2019: bool,
                  protocol_version: int, encryption: int, packet_total: int | None,
                  packet_index: int | None) -> bytes:
    if not 0 <= body_length <= 0x3FF:
        raise ValueError(f"消息体长度 {body_length} 超过 1023 字节，须分包")
    attr = body_length | ((encryption & 0x7) << 10)
    sub = b""
    if packet_total is not None:
        attr |= 0x2000
        sub = struct.pack(">HH", packet_total, packet_index or 0)
    if version_2019:
        attr |= 0x4000
        head = struct.pack(">HHB", msg_id, attr, protocol_version) + _phone_bcd(phone, 10)
    else:
        head = struct.pack(">HH", msg_id, attr) + _phone_bcd(phone, 6)
    return head + struct.pack(">H", serial & 0xFFFF) + sub


def encode_frame(msg_id: int, body: bytes, *, phone: str, serial: int, version_2019: bool = False,
                 protocol_version: int = 1, encryption: int = 0, packet_total: int | None = None,
                 packet_index: int | None = None) -> bytes:
    """A complete escaped frame with its delimiters for ``msg_id`` and a raw ``body``."""
    raw = _header_bytes(msg_id, len(body), phone=phone, serial=serial, version_2019=version_2019,
                        protocol_version=protocol_version, encryption=encryption,
                        packet_total=packet_total, packet_index=packet_index) + body
    return b"\x7e" + escape(raw + bytes((check_code(raw),))) + b"\x7e"


# ---- bodies ----------------------------------------------------------------------------------

def _text(raw: bytes) -> str:
    """GBK string (JT/T 808 STRING), NUL padding removed."""
    return raw.strip(b"\x00").decode("gbk", errors="replace").strip()


def _gbk(text: str) -> bytes:
    return text.encode("gbk")


def _fixed(text: str, n: int, what: str) -> bytes:
    raw = _gbk(text)
    if len(raw) > n:
        raise ValueError(f"{what}超过 {n} 字节：{text!r}")
    return raw.ljust(n, b"\x00")


@dataclass(frozen=True)
class Registration:
    """Terminal registration 0x0100 (plate colour per JT/T 415; 0 = not on the plate register, plate is then the VIN)."""

    province_id: int
    city_id: int
    maker_id: str
    model: str
    terminal_id: str
    plate_color: int
    plate: str


@dataclass(frozen=True)
class RegistrationResponse:
    """0x8100: ``result`` 0 成功, 1 车辆已被注册, 2 数据库中无该车辆, 3 终端已被注册, 4 数据库中无该终端."""

    serial: int
    result: int
    auth_code: str | None = None


@dataclass(frozen=True)
class Authentication:
    """0x0102; ``imei`` and ``software_version`` only in the 2019 edition."""

    auth_code: str
    imei: str | None = None
    software_version: str | None = None


@dataclass(frozen=True)
class Heartbeat:
    """0x0002 (empty body)."""


@dataclass(frozen=True)
class GeneralResponse:
    """Body shared by 0x0001 (terminal) and 0x8001 (platform): the serial and id answered, and a result."""

    serial: int
    msg_id: int
    result: int


@dataclass(frozen=True)
class TerminalResponse(GeneralResponse):
    """0x0001 terminal general response."""


@dataclass(frozen=True)
class PlatformResponse(GeneralResponse):
    """0x8001 platform general response."""


@dataclass(frozen=True)
class Location:
    """Location report body 0x0200 (also the items of 0x0704).

    ``lat_e6``/``lon_e6`` are signed millionths of a degree, WGS-84 (south and west negative,
    from status bits 2 and 3); ``time`` is timezone-aware (GMT+8 as sent) or ``None`` when invalid.
    """

    alarm: int
    status: int
    lat_e6: int
    lon_e6: int
    altitude_m: int
    speed_01kmh: int
    direction_deg: int
    time: dt.datetime | None
    extras: tuple[tuple[int, bytes], ...] = ()

    @property
    def lat(self) -> float:
        return self.lat_e6 / 1e6

    @property
    def lon(self) -> float:
        return self.lon_e6 / 1e6

    @property
    def speed_kmh(self) -> float:
        return self.speed_01kmh / 10

    @property
    def rejection(self) -> str | None:
        """Why the position cannot be used (a key of :data:`REJECTION_TEXT`), or ``None``."""
        if self.status & STATUS_ENCRYPTED:
            return "encrypted"
        if not self.status & STATUS_LOCATED:
            return "not_located"
        if abs(self.lat_e6) > 90_000_000 or abs(self.lon_e6) > 180_000_000:
            return "out_of_range"
        if self.time is None:
            return "bad_time"
        return None

    @property
    def rejection_text(self) -> str | None:
        r = self.rejection
        return None if r is None else REJECTION_TEXT[r]


def make_location(*, lon: float, lat: float, time: dt.datetime, speed_kmh: float = 0.0, direction_deg: int = 0,
                  altitude_m: int = 0, alarm: int = 0, status: int = STATUS_ACC_ON | STATUS_LOCATED,
                  extras: tuple[tuple[int, bytes], ...] = ()) -> Location:
    """A :class:`Location` from WGS-84 degrees; the south/west status bits follow the signs.

    ``time`` must be timezone-aware; it is sent as Beijing time (GMT+8) to whole seconds.
    """
    if time.tzinfo is None:
        raise ValueError("定位时间须带时区")
    if not 0 <= speed_kmh <= 6553.5 or not 0 <= direction_deg <= 359 or not 0 <= altitude_m <= 65535:
        raise ValueError(f"速度（0–6553.5 km/h）、方向（0–359°）或高程（0–65535 m）超出范围："
                         f"{speed_kmh!r} km/h，{direction_deg!r}°，{altitude_m!r} m")
    status = (status & ~(STATUS_SOUTH | STATUS_WEST)) | (STATUS_SOUTH if lat < 0 else 0) | (STATUS_WEST if lon < 0 else 0)
    return Location(alarm=alarm, status=status, lat_e6=round(lat * 1e6), lon_e6=round(lon * 1e6),
                    altitude_m=int(altitude_m), speed_01kmh=round(speed_kmh * 10), direction_deg=int(direction_deg),
                    time=time.astimezone(BEIJING).replace(microsecond=0), extras=tuple(extras))


@dataclass(frozen=True)
class BatchLocation:
    """0x0704: ``kind`` 0 正常位置批量汇报, 1 盲区补报."""

    kind: int
    locations: tuple[Location, ...]


@dataclass(frozen=True)
class RawMessage:
    """A message kept undecoded: unknown id, sub-packaged or encrypted body (``reason`` says which)."""

    msg_id: int
    body: bytes
    reason: str


Message = (Registration | RegistrationResponse | Authentication | Heartbeat | TerminalResponse
           | PlatformResponse | Location | BatchLocation | RawMessage)


@dataclass(frozen=True)
class Frame:
    header: Header
    message: Message


def _need(body: bytes, n: int, what: str) -> None:
    if len(body) < n:
        raise DecodeError(f"{what}消息体过短：需要至少 {n} 字节，实际 {len(body)} 字节")


_BCD = {b: (b >> 4) * 10 + (b & 0x0F) for b in range(256) if b >> 4 < 10 and b & 0x0F < 10}


def _bcd_time(raw: bytes) -> dt.datetime | None:
    try:
        yy, mo, dd, hh, mi, ss = (_BCD[b] for b in raw)
        return dt.datetime(2000 + yy, mo, dd, hh, mi, ss, tzinfo=BEIJING)
    except (KeyError, ValueError):
        return None


def _time_bcd(time: dt.datetime | None) -> bytes:
    if time is None:
        return b"\x00" * 6
    t = time.astimezone(BEIJING)
    if not 2000 <= t.year <= 2099:
        raise ValueError(f"定位时间超出 BCD 年份范围（2000–2099）：{t.isoformat()}")
    return bytes.fromhex(t.strftime("%y%m%d%H%M%S"))


def _decode_location(body: bytes, what: str = "位置信息汇报") -> Location:
    _need(body, _LOCATION_BASE, what)
    alarm, status, lat, lon, alt, speed, direction = struct.unpack_from(">IIIIHHH", body, 0)
    extras = []
    i, n = _LOCATION_BASE, len(body)
    while i < n:
        if i + 2 > n:
            raise DecodeError(f"{what}附加信息不完整：第 {i} 字节起缺少长度字节")
        item, length = body[i], body[i + 1]
        if i + 2 + length > n:
            raise DecodeError(f"{what}附加信息项 0x{item:02X} 声明长度 {length}，超出消息体")
        extras.append((item, bytes(body[i + 2:i + 2 + length])))
        i += 2 + length
    return Location(alarm=alarm, status=status, lat_e6=-lat if status & STATUS_SOUTH else lat,
                    lon_e6=-lon if status & STATUS_WEST else lon, altitude_m=alt, speed_01kmh=speed,
                    direction_deg=direction, time=_bcd_time(body[22:28]), extras=tuple(extras))


def _encode_location(loc: Location) -> bytes:
    status = (loc.status & ~(STATUS_SOUTH | STATUS_WEST)) | (STATUS_SOUTH if loc.lat_e6 < 0 else 0) \
        | (STATUS_WEST if loc.lon_e6 < 0 else 0)
    out = [struct.pack(">IIIIHHH", loc.alarm, status, abs(loc.lat_e6), abs(loc.lon_e6), loc.altitude_m,
                       loc.speed_01kmh, loc.direction_deg), _time_bcd(loc.time)]
    for item, value in loc.extras:
        if len(value) > 255:
            raise ValueError(f"附加信息项 0x{item:02X} 超过 255 字节")
        out.append(bytes((item, len(value))) + value)
    return b"".join(out)


def _decode_batch(body: bytes) -> BatchLocation:
    _need(body, 3, "定位数据批量上传")
    count, kind = struct.unpack_from(">HB", body, 0)
    items, i = [], 3
    for k in range(count):
        if i + 2 > len(body):
            raise DecodeError(f"定位数据批量上传第 {k + 1} 项缺少长度（声明 {count} 项）")
        (length,) = struct.unpack_from(">H", body, i)
        if i + 2 + length > len(body):
            raise DecodeError(f"定位数据批量上传第 {k + 1} 项声明长度 {length}，超出消息体")
        items.append(_decode_location(body[i + 2:i + 2 + length], f"定位数据批量上传第 {k + 1} 项"))
        i += 2 + length
    if i != len(body):
        raise DecodeError(f"定位数据批量上传在 {count} 项之后多出 {len(body) - i} 字节")
    return BatchLocation(kind=kind, locations=tuple(items))


def _decode_registration(body: bytes, v2019: bool) -> Registration:
    maker, model, tid = _REG_LAYOUT[v2019]
    if not v2019 and len(body) < 4 + maker + model + tid + 1:
        maker, model, tid = _REG_LAYOUT_2011  # 2011 edition: terminal model BYTE[8]
    base = 4 + maker + model + tid + 1
    _need(body, base, "终端注册")
    province, city = struct.unpack_from(">HH", body, 0)
    i = 4
    fields = []
    for n in (maker, model, tid):
        fields.append(_text(body[i:i + n]))
        i += n
    return Registration(province_id=province, city_id=city, maker_id=fields[0], model=fields[1],
                        terminal_id=fields[2], plate_color=body[i], plate=_text(body[i + 1:]))


def _encode_registration(r: Registration, v2019: bool) -> bytes:
    maker, model, tid = _REG_LAYOUT[v2019]
    return (struct.pack(">HH", r.province_id, r.city_id) + _fixed(r.maker_id, maker, "制造商ID")
            + _fixed(r.model, model, "终端型号") + _fixed(r.terminal_id, tid, "终端ID")
            + bytes((r.plate_color,)) + _gbk(r.plate))


def _decode_authentication(body: bytes, v2019: bool) -> Authentication:
    if not v2019:
        return Authentication(auth_code=_text(body))
    _need(body, 1, "终端鉴权")
    n = body[0]
    _need(body, 1 + n + 15 + 20, "终端鉴权（2019 版）")
    return Authentication(auth_code=_text(body[1:1 + n]), imei=_text(body[1 + n:16 + n]) or None,
                          software_version=_text(body[16 + n:36 + n]) or None)


def _encode_authentication(a: Authentication, v2019: bool) -> bytes:
    code = _gbk(a.auth_code)
    if not v2019:
        return code
    if len(code) > 255:
        raise ValueError("鉴权码超过 255 字节")
    return bytes((len(code),)) + code + _fixed(a.imei or "", 15, "IMEI") + _fixed(a.software_version or "", 20, "软件版本号")


def _decode_general(body: bytes, cls, what: str):
    _need(body, 5, what)
    serial, msg_id, result = struct.unpack_from(">HHB", body, 0)
    return cls(serial=serial, msg_id=msg_id, result=result)


def _decode_registration_response(body: bytes) -> RegistrationResponse:
    _need(body, 3, "终端注册应答")
    serial, result = struct.unpack_from(">HB", body, 0)
    return RegistrationResponse(serial=serial, result=result, auth_code=_text(body[3:]) if result == 0 else None)


def decode_body(header: Header, body: bytes) -> Message:
    """The typed message for ``header.msg_id``; unknown ids give :class:`RawMessage`."""
    mid = header.msg_id
    if header.subpackaged:
        return RawMessage(mid, body, f"分包消息（第 {header.packet_index}/{header.packet_total} 包），未重组")
    if header.encryption:
        return RawMessage(mid, body, f"消息体已加密（加密标识 {header.encryption}），未解密")
    if mid == LOCATION:
        return _decode_location(body)
    if mid == BATCH_LOCATION:
        return _decode_batch(body)
    if mid == HEARTBEAT:
        return Heartbeat()
    if mid == REGISTRATION:
        return _decode_registration(body, header.version_2019)
    if mid == AUTHENTICATION:
        return _decode_authentication(body, header.version_2019)
    if mid == PLATFORM_RESPONSE:
        return _decode_general(body, PlatformResponse, "平台通用应答")
    if mid == TERMINAL_RESPONSE:
        return _decode_general(body, TerminalResponse, "终端通用应答")
    if mid == REGISTRATION_RESPONSE:
        return _decode_registration_response(body)
    return RawMessage(mid, body, f"未解析的消息 ID 0x{mid:04X}")


def decode_frame(frame: bytes) -> Frame:
    """Decode one frame, with or without its ``0x7E`` delimiters."""
    data = bytes(frame)
    if data[:1] == b"\x7e":
        data = data[1:]
    if data[-1:] == b"\x7e":
        data = data[:-1]
    if b"\x7e" in data:
        raise DecodeError("帧内出现未转义的 0x7E")
    raw = unescape(data)
    if len(raw) < _HEADER_2013 + 1:
        raise DecodeError(f"帧过短：{len(raw)} 字节（至少需要消息头 12 字节与校验码 1 字节）")
    expected = check_code(raw[:-1])
    if expected != raw[-1]:
        raise DecodeError(f"校验码错误：计算得 0x{expected:02X}，帧内为 0x{raw[-1]:02X}")
    header, offset = _parse_header(raw[:-1])
    body = raw[offset:-1]
    if len(body) != header.body_length:
        raise DecodeError(f"消息体长度不符：消息头声明 {header.body_length} 字节，实际 {len(body)} 字节")
    return Frame(header=header, message=decode_body(header, body))


def encode_body(message: Message, *, version_2019: bool = False) -> tuple[int, bytes]:
    """``(msg_id, body)`` of a typed message."""
    if isinstance(message, Location):
        return LOCATION, _encode_location(message)
    if isinstance(message, BatchLocation):
        items = [_encode_location(loc) for loc in message.locations]
        return BATCH_LOCATION, struct.pack(">HB", len(items), message.kind) + b"".join(
            struct.pack(">H", len(i)) + i for i in items)
    if isinstance(message, Heartbeat):
        return HEARTBEAT, b""
    if isinstance(message, Registration):
        return REGISTRATION, _encode_registration(message, version_2019)
    if isinstance(message, Authentication):
        return AUTHENTICATION, _encode_authentication(message, version_2019)
    if isinstance(message, GeneralResponse):
        mid = PLATFORM_RESPONSE if isinstance(message, PlatformResponse) else TERMINAL_RESPONSE
        return mid, struct.pack(">HHB", message.serial, message.msg_id, message.result)
    if isinstance(message, RegistrationResponse):
        code = _gbk(message.auth_code) if message.result == 0 and message.auth_code else b""
        return REGISTRATION_RESPONSE, struct.pack(">HB", message.serial, message.result) + code
    if isinstance(message, RawMessage):
        return message.msg_id, message.body
    raise TypeError(f"不能编码 {type(message).__name__}")


def encode(message: Message, *, phone: str, serial: int, version_2019: bool = False,
           protocol_version: int = 1) -> bytes:
    """A complete frame (delimiters included) carrying ``message``."""
    msg_id, body = encode_body(message, version_2019=version_2019)
    return encode_frame(msg_id, body, phone=phone, serial=serial, version_2019=version_2019,
                        protocol_version=protocol_version)


# ---- stream splitting --------------------------------------------------------------------------

class FrameSplitter:
    """Split a TCP byte stream into frames (the bytes between two ``0x7E``, delimiters removed).

    Consecutive delimiters (``7E 7E``: the end of one frame and the start of the next) and a
    single delimiter shared by two frames are both accepted.  Bytes before the first delimiter
    are discarded (counted in ``discarded_bytes``); a frame longer than ``max_frame_bytes``
    (escaped) is discarded and counted in ``oversized`` — a JT/T 808 frame is at most about
    2 100 bytes escaped (header 25 + body 1023 + check code, each byte at most doubled).
    """

    def __init__(self, *, max_frame_bytes: int = 4096):
        self._buf = bytearray()
        self._max = max_frame_bytes
        self.discarded_bytes = 0
        self.oversized = 0

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        start = buf.find(FLAG)
        if start < 0:
            if len(buf) > self._max:
                self.discarded_bytes += len(buf)
                buf.clear()
            return frames
        self.discarded_bytes += start
        while True:
            end = buf.find(FLAG, start + 1)
            if end < 0:
                if len(buf) - start > self._max:
                    self.oversized += 1
                    self.discarded_bytes += len(buf) - start
                    start = len(buf)
                break
            if end - start - 1 > self._max:
                self.oversized += 1
                self.discarded_bytes += end - start - 1
            elif end > start + 1:
                frames.append(bytes(buf[start + 1:end]))
            start = end  # the closing delimiter may open the next frame
        del buf[:start]
        return frames
