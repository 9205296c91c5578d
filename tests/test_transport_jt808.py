"""JT/T 808 codec against frames published by open JT/T 808 projects, and frames built here.

Sources of the published vectors (each test names its own):

* XC — makeclan/xtream-codec, ``debug/jt/jt-808-server-spring-boot-starter-debug-ui/src/utils/codec-utils.ts``
  (``codecMockData``: hex + the decoded JSON the project asserts), 2019 headers.
* SC — SmallChi/JT808, ``src/JT808.Protocol.Test/MessageBody/JT808_0x….Test.cs`` (xUnit asserts).
* YZ — yezhihao/jt808-server, ``jtt808-protocol/src/test/resources/JT808.txt`` (self-check hex list).
* TC — traccar/traccar, ``src/test/java/org/traccar/protocol/HuabaoProtocolDecoderTest.java``
  (real device frames; traccar asserts only that a position comes out, the values below are
  decoded by hand from the bytes, as commented).
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.transport import jt808 as j

GMT8 = dt.timezone(dt.timedelta(hours=8))


def frame(hexstr: str) -> j.Frame:
    return j.decode_frame(bytes.fromhex(hexstr.replace(" ", "")))


# ---- published vectors -------------------------------------------------------------------

XC_0200 = "7e02004026010000000001391234432900000000006f0000001601dc9a0707456246007b004200032501292233440202006401040000000c417e"


def test_xc_0200_2019_header_and_location():
    # XC BuiltinMessage0200: alarmFlag 111, status 22, latitude 31234567, longitude 121987654,
    # altitude 123, speed 66, direction 3, time 2025-01-29 22:33:44, extraItems {1: 12, 2: 100}
    f = frame(XC_0200)
    h = f.header
    assert (h.msg_id, h.version_2019, h.protocol_version, h.phone, h.serial, h.body_length) == (
        0x0200, True, 1, "13912344329", 0, 38)
    loc = f.message
    assert (loc.alarm, loc.status, loc.altitude_m, loc.speed_01kmh, loc.direction_deg) == (111, 22, 123, 66, 3)
    # status 22 = 0b10110: bit 2 (south) is set, so the latitude is negative; bit 3 (west) is not
    assert (loc.lat_e6, loc.lon_e6) == (-31234567, 121987654)
    assert loc.lat == -31.234567 and loc.speed_kmh == 6.6
    assert loc.time == dt.datetime(2025, 1, 29, 22, 33, 44, tzinfo=GMT8)
    assert dict(loc.extras) == {2: (100).to_bytes(2, "big"), 1: (12).to_bytes(4, "big")}
    assert loc.rejection is None


def test_xc_0704_batch_2019():
    # XC BuiltinMessage0704: count 2, type 0; items (alarm 1, status 1, 31000562, 121451372, 666, 33, 89)
    # and (1, 1, 31000563, 121451373, 777, 67, 90), both 2024-10-29 21:39:03
    f = frame("7e0704403f01000000000139123443290000000200001c000000010000000101d907f2073d336c029a00210059241029213903"
              "001c000000010000000101d907f3073d336d03090043005a241029213903f87e")
    b = f.message
    assert b.kind == 0 and len(b.locations) == 2
    got = [(x.alarm, x.status, x.lat_e6, x.lon_e6, x.altitude_m, x.speed_01kmh, x.direction_deg) for x in b.locations]
    assert got == [(1, 1, 31000562, 121451372, 666, 33, 89), (1, 1, 31000563, 121451373, 777, 67, 90)]
    assert {x.time for x in b.locations} == {dt.datetime(2024, 10, 29, 21, 39, 3, tzinfo=GMT8)}
    # status 1 = ACC on only: bit 1 (located) is clear, so these fixes are not usable positions
    assert {x.rejection for x in b.locations} == {"not_located"}
    assert "未定位" in b.locations[0].rejection_text


def test_xc_8100_8001_0002():
    reg = frame("7e8100400d01000000000139123443290000006f006f6b2e2e6f6b2e2e6f6bd27e").message
    assert reg == j.RegistrationResponse(serial=111, result=0, auth_code="ok..ok..ok")
    ack = frame("7e8001400501000000000139123443290000006f020000dc7e").message
    assert ack == j.PlatformResponse(serial=111, msg_id=0x0200, result=0)
    hb = frame("7e0002400001000000000139123443290000377e")
    assert hb.message == j.Heartbeat() and hb.header.body_length == 0


def test_sc_0100_registration_2013_and_2019():
    # SC JT808_0x0100Test.Test1_1: MsgNum 10, phone 123456789, AreaID 40, CityOrCountyId 50,
    # MakerId "12340", PlateColor 1, PlateNo 粤A12345, TerminalId "CHI1230", TerminalModel "smallchi123000000000"
    f = frame("7E 01 00 00 2D 00 01 23 45 67 89 00 0A 00 28 00 32 31 32 33 34 30 73 6D 61 6C 6C 63 68 69 31 32 33 30 30 30 30"
              " 30 30 30 30 30 43 48 49 31 32 33 30 01 D4 C1 41 31 32 33 34 35 BA 7E")
    assert (f.header.serial, f.header.phone, f.header.version_2019) == (10, "123456789", False)
    assert f.message == j.Registration(province_id=40, city_id=50, maker_id="12340", model="smallchi123000000000",
                                       terminal_id="CHI1230", plate_color=1, plate="粤A12345")
    # SC Test2019_2: ProtocolVersion 1, MakerId "1234" padded left with '0' to 11, TerminalId and model to 30
    f = frame("7E010040540100000000000123456789000A00280032303030303030303132333430303030303030303030303030303030303030"
              "736D616C6C63686931323330303030303030303030303030303030303030303030303043484931323301D4C1413132333435B27E")
    assert (f.header.protocol_version, f.header.version_2019, f.header.phone) == (1, True, "123456789")
    r = f.message
    assert (r.maker_id, r.model, r.terminal_id, r.plate) == (
        "1234".rjust(11, "0"), "smallchi123".rjust(30, "0"), "CHI123".rjust(30, "0"), "粤A12345")


def test_sc_0102_0200_0704_8100_0001_8001_0002():
    # SC JT808_0x0102Test.Test4: MsgNum 12345, phone 12345678900, Code 456121111
    f = frame("7E 01 02 00 09 01 23 45 67 89 00 30 39 34 35 36 31 32 31 31 31 31 BE 7E")
    assert (f.header.serial, f.header.phone, f.message) == (12345, "12345678900", j.Authentication("456121111"))
    # SC JT808_0x0200Test.Test5: MsgNum 8888, phone 112233445566, alarm 1, 2018-07-15 10:10:10, Lat 12222222,
    # Lng 132444444, speed 60, status 2, mileage (0x01) 100, oil (0x02) 55
    f = frame("7E 02 00 00 26 11 22 33 44 55 66 22 B8 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00 18"
              " 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 57 7E")
    loc = f.message
    assert (f.header.serial, f.header.phone) == (8888, "112233445566")
    assert (loc.alarm, loc.status, loc.lat_e6, loc.lon_e6, loc.speed_01kmh, loc.altitude_m) == (
        1, 2, 12222222, 132444444, 60, 40)
    assert loc.time == dt.datetime(2018, 7, 15, 10, 10, 10, tzinfo=GMT8)
    assert dict(loc.extras) == {1: (100).to_bytes(4, "big"), 2: (55).to_bytes(2, "big")}
    # SC JT808_0x0704Test.Test2: 2 positions, type 0; the second: alarm 2, 10:10:30, 13333333/132555555,
    # speed 54, direction 120, status 1
    f = frame("7E 07 04 00 53 11 22 33 44 55 66 22 B8 00 02 00 00 26 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28"
              " 00 3C 00 00 18 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 00 26 00 00 00 02 00 00 00 01 00 CB 73 55 07"
              " E6 A3 23 00 29 00 36 00 78 18 07 15 10 10 30 01 04 00 00 00 60 02 02 00 42 D4 7E")
    second = f.message.locations[1]
    assert (second.alarm, second.lat_e6, second.lon_e6, second.speed_01kmh, second.direction_deg, second.status) == (
        2, 13333333, 132555555, 54, 120, 1)
    assert second.time == dt.datetime(2018, 7, 15, 10, 10, 30, tzinfo=GMT8)
    # SC JT808_0x8100Test.Test2 (result 0, code 123456, AckMsgNum 100) and Test4 (result 4 数据库中无该终端, no code)
    assert frame("7E 81 00 00 09 01 23 45 67 89 00 00 0A 00 64 00 31 32 33 34 35 36 68 7E").message == \
        j.RegistrationResponse(serial=100, result=0, auth_code="123456")
    assert frame("7E 81 00 00 03 01 23 45 67 89 00 00 0A 00 64 04 61 7E").message == \
        j.RegistrationResponse(serial=100, result=4, auth_code=None)
    # SC JT808_0x0001Test.Test2: MsgNum 1203, reply to heartbeat 0x0002 serial 1000, success
    f = frame("7E 00 01 00 05 01 23 45 67 89 00 04 B3 03 E8 00 02 00 D3 7E")
    assert (f.header.serial, f.message) == (1203, j.TerminalResponse(serial=1000, msg_id=0x0002, result=0))
    # SC JT808_0x8001Test.Test2: answers 0x0200 serial 100, 成功
    assert frame("7E 80 01 00 05 01 23 45 67 89 00 00 0A 00 64 02 00 00 61 7E").message == \
        j.PlatformResponse(serial=100, msg_id=0x0200, result=0)
    # SC JT808_0x0002Test.Test2 (MsgNum 10)
    assert frame("7E 00 02 00 00 01 23 45 67 89 00 00 0A 81 7E").message == j.Heartbeat()


def test_sc_escapes_in_serial_body_and_check_code():
    # SC JT808_0x0200Test.Demo2: serial 126 = 0x007E sent as 00 7D 02; oil 125 = 0x007D sent as 00 7D 01
    f = frame("7E 02 00 00 26 12 34 56 78 90 12 00 7D 02 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00"
              " 18 10 15 10 10 10 01 04 00 00 00 64 02 02 00 7D 01 13 7E")
    assert f.header.serial == 126 and f.header.body_length == 38
    assert dict(f.message.extras)[2] == (125).to_bytes(2, "big")
    # SC JT808_0x0002Test.Test3: the check code itself is 0x7E, sent as 7D 02; MsgNum 43, phone 40021679287
    f = frame("7E 00 02 00 00 04 00 21 67 92 87 00 2B 7D 02 7E")
    assert (f.header.serial, f.header.phone, f.message) == (43, "40021679287", j.Heartbeat())
    # SC JT808_0x0200Test.Test6 (a device frame): mileage item 0x01 = 00 05 4C 7D (7D sent as 7D 01)
    f = frame("7E 02 00 00 3C 04 00 21 68 20 87 1D 0C 00 00 00 00 00 0C 00 C2 01 5B 6C 6E 06 C8 56 98 00 1E 00 00 00 E0"
              " 18 09 16 10 35 37 01 04 00 05 4C 7D 01 02 02 00 00 03 02 00 00 25 04 00 00 00 00 2B 04 00 00 00 00 30 01"
              " 1D 31 01 0D 97 7E")
    loc = f.message
    # 0x015B6C6E = 22768750 → 22.768750° N, 0x06C85698 = 113792664 → 113.792664° E (Shenzhen); 0x00E0 = 224°
    assert (loc.lat_e6, loc.lon_e6, loc.direction_deg, loc.altitude_m) == (22768750, 113792664, 224, 30)
    assert dict(loc.extras)[0x01] == bytes.fromhex("00054C7D")
    assert [i for i, _ in loc.extras] == [0x01, 0x02, 0x03, 0x25, 0x2B, 0x30, 0x31]


def test_yz_authentication_2013_and_2019():
    # YZ JT808.txt line 5 (2013): body "abc@123&456"
    f = frame("7e0102000b0123456789017fff6162634031323326343536017e")
    assert (f.header.phone, f.header.serial, f.message.auth_code) == ("12345678901", 0x7FFF, "abc@123&456")
    # YZ JT808.txt line 6 (2019): length 0x2C, 44-char code, IMEI 123456789012345, version "3.7.15" (NUL-padded to 20)
    f = frame("7e010240500100000000017299841738ffff2c706d59477a47756b4f384b345a356c70494f5467386471623365707259614842625853"
              "504c7464627947383d3132333435363738393031323334350000000000000000000000000000332e372e3135347e")
    assert f.header.phone == "17299841738" and f.header.serial == 0xFFFF
    assert f.message == j.Authentication(auth_code="pmYGzGukO8K4Z5lpIOTg8dqb3eprYaHBbXSPLtdbyG8=",
                                         imei="123456789012345", software_version="3.7.15")


def test_yz_registration_2013_and_2019_gbk_plate():
    # YZ JT808.txt lines 3–4: province 0x001F = 31, city 0x0073 = 115, maker "yzh", model "www.jtt808.cn",
    # plate colour 1, plate B2E2 41 38… = GBK “测A888888”
    r13 = frame("7e0100002e1234567890127fff001f00730000797a68000000000000007777772e6a74743830382e636e3736353433323101b2e2"
                "41383838383838227e").message
    assert (r13.province_id, r13.city_id, r13.maker_id, r13.model, r13.terminal_id, r13.plate) == (
        31, 115, "yzh", "www.jtt808.cn", "7654321", "测A888888")
    f = frame("7e010040550112345678901234567890ffff001f00730000000000000000797a680000000000000000000000000000000000"
              "7777772e6a74743830382e636e00000000000000000000303938373635343332313039383736353433323101b2e24138383838"
              "3838227e")
    assert f.header.phone == "12345678901234567890"  # a full 20-digit 2019 phone
    assert (f.message.terminal_id, f.message.plate) == ("09876543210987654321", "测A888888")


def test_yz_location_with_impossible_latitude_is_rejected():
    # YZ JT808.txt line 12: latitude field 0x06EEB6AD = 116307629 (116.3°, impossible) and status 0x00000800
    # (bit 1 clear): decoded, 13 TLV items kept raw, but not a usable position
    loc = frame("7e0200007c0123456789017fff000004000000080006eeb6ad02633df701380003006320070719235901040000000b020200"
                "16030200210402002c051e373737000000000000000000000000000000000000000000000000000000110542000000421206"
                "4d0000004d4d1307000000580058582504000000632a02000a2b040000001430011e3101286b7e").message
    assert loc.lat_e6 == 116307629 and len(loc.extras) == 13
    assert loc.rejection == "not_located"
    located = j.Location(**{**loc.__dict__, "status": loc.status | j.STATUS_LOCATED})
    assert located.rejection == "out_of_range"


def test_tc_device_frames():
    # TC: a 2011-edition registration (terminal model BYTE[8]), plate D4C1 42 38… = GBK “粤B88888”
    r = frame("7E01000021013345678906000F002C012F373031313142534A2D4D3742203030303030303001D4C1423838383838B47E").message
    assert (r.province_id, r.city_id, r.maker_id, r.model, r.plate_color, r.plate) == (44, 303, "70111", "BSJ-M7B", 1, "粤B88888")
    # TC: status 0x0000000A = bits 1 (located) and 3 (west); lat 0x03083DB7 = 50871735, lon 0x001329F3 = 1255923
    loc = frame("7e0200002e094027587492000a000000010000000a03083db7001329f3000000140000130412164952010400000012360a0002"
                "341502cb0c20085c107e").message
    assert (loc.lat_e6, loc.lon_e6, loc.speed_01kmh) == (50871735, -1255923, 20)
    assert loc.time == dt.datetime(2013, 4, 12, 16, 49, 52, tzinfo=GMT8) and loc.rejection is None
    # TC: this device frame ends in check code 0xD0 where the XOR of its bytes is 0xF0 (traccar does not verify
    # check codes); a platform that does must refuse it
    with pytest.raises(j.DecodeError, match="校验码错误：计算得 0xF0，帧内为 0xD0"):
        frame("7E02000032013511221122000700000000000C000301578CC006CA3A5C00470000000014072317201501040000000030011631010BD07E")


@pytest.mark.parametrize("hexstr", [
    XC_0200,
    "7e0704403f01000000000139123443290000000200001c000000010000000101d907f2073d336c029a00210059241029213903001c0000000"
    "10000000101d907f3073d336d03090043005a241029213903f87e",
    "7e8100400d01000000000139123443290000006f006f6b2e2e6f6b2e2e6f6bd27e",
    "7e8001400501000000000139123443290000006f020000dc7e",
    "7E0100002D000123456789000A002800323132333430736D616C6C6368693132333030303030303030304348493132333001D4C1413132333435BA7E",
    "7E02000026123456789012007D02000000010000000200BA7F0E07E4F11C0028003C00001810151010100104000000640202007D01137E",
    "7E0001000501234567890004B303E8000200D37E",
    "7e010240500100000000017299841738ffff2c706d59477a47756b4f384b345a356c70494f5467386471623365707259614842625853504c7464"
    "627947383d3132333435363738393031323334350000000000000000000000000000332e372e3135347e",
])
def test_published_frames_reencode_byte_for_byte(hexstr):
    f = frame(hexstr)
    again = j.encode(f.message, phone=f.header.phone, serial=f.header.serial, version_2019=f.header.version_2019,
                     protocol_version=f.header.protocol_version or 1)
    if hexstr.startswith("7e010240"):  # the 2019 software version was NUL-padded on the left; we pad on the right
        assert j.decode_frame(again) == f
    else:
        assert again.hex() == hexstr.lower()


# ---- frames built here ---------------------------------------------------------------------

T0 = dt.datetime(2024, 5, 10, 8, 30, 0, tzinfo=GMT8)


@pytest.mark.parametrize("v2019", [False, True])
def test_round_trip_location_south_west(v2019):
    loc = j.make_location(lon=-58.381592, lat=-34.603722, time=T0, speed_kmh=72.5, direction_deg=271, altitude_m=25,
                          alarm=0x1, extras=((0x01, b"\x00\x00\x01\x00"),))
    assert loc.status & j.STATUS_SOUTH and loc.status & j.STATUS_WEST
    f = j.decode_frame(j.encode(loc, phone="13800138000", serial=7, version_2019=v2019))
    assert f.message == loc
    assert (f.message.lon, f.message.lat, f.message.speed_kmh) == (-58.381592, -34.603722, 72.5)
    assert f.header == j.Header(msg_id=0x0200, body_length=28 + 6, phone="13800138000", serial=7, version_2019=v2019,
                                protocol_version=1 if v2019 else None)


def test_round_trip_every_body():
    msgs = [
        j.Registration(14, 502, "HZM01", "HZ-T1", "T000001", 2, "晋E12345"),
        j.Authentication("a1b2c3"),
        j.Heartbeat(),
        j.TerminalResponse(serial=9, msg_id=0x8103, result=1),
        j.PlatformResponse(serial=65535, msg_id=0x0704, result=0),
        j.RegistrationResponse(serial=3, result=0, auth_code="code-7E-7D"),
        j.BatchLocation(kind=1, locations=(j.make_location(lon=112.85, lat=35.5, time=T0),
                                           j.make_location(lon=112.851, lat=35.501, time=T0 + dt.timedelta(seconds=10)))),
    ]
    for m in msgs:
        for v2019 in (False, True):
            assert j.decode_frame(j.encode(m, phone="1", serial=1, version_2019=v2019)).message == m
    auth = j.Authentication("a1b2c3", imei="861234567890123", software_version="V2.1")
    assert j.decode_frame(j.encode(auth, phone="1", serial=1, version_2019=True)).message == auth


def test_escaped_bytes_anywhere_survive():
    # latitude 0x02 1E 7E 7D: both flag bytes inside the body; serial 0x7D7E in the header
    lat_e6 = 0x021E7E7D
    loc = j.make_location(lon=112.0, lat=lat_e6 / 1e6, time=T0)
    raw = j.encode(loc, phone="13800138000", serial=0x7D7E)
    assert raw.count(b"\x7e") == 2  # only the delimiters
    f = j.decode_frame(raw)
    assert (f.header.serial, f.message.lat_e6) == (0x7D7E, lat_e6)


def test_subpackage_header_and_unknown_and_encrypted_bodies():
    raw = j.encode_frame(0x0801, b"\x01\x02\x03", phone="13800138000", serial=5, packet_total=3, packet_index=2)
    f = j.decode_frame(raw)
    assert (f.header.packet_total, f.header.packet_index, f.header.subpackaged) == (3, 2, True)
    assert isinstance(f.message, j.RawMessage) and f.message.body == b"\x01\x02\x03" and "分包" in f.message.reason
    f = j.decode_frame(j.encode_frame(0x0900, b"\xAA\xBB", phone="1", serial=1))
    assert f.message == j.RawMessage(0x0900, b"\xAA\xBB", "未解析的消息 ID 0x0900")
    f = j.decode_frame(j.encode_frame(0x0200, b"\x00" * 28, phone="1", serial=1, encryption=1))
    assert f.header.encryption == 1 and "已加密" in f.message.reason


def test_encrypted_coordinates_and_bad_time_are_flagged_with_chinese_reasons():
    loc = j.make_location(lon=112.85, lat=35.5, time=T0, status=j.STATUS_LOCATED | j.STATUS_ENCRYPTED)
    got = j.decode_frame(j.encode(loc, phone="1", serial=1)).message
    assert got.rejection == "encrypted" and got.rejection_text.startswith("状态位5：经纬度已经保密插件加密")
    body = bytearray(j.encode_body(j.make_location(lon=112.85, lat=35.5, time=T0))[1])
    body[22:28] = bytes.fromhex("241345083000")  # month 13
    got = j.decode_frame(j.encode_frame(0x0200, bytes(body), phone="1", serial=1)).message
    assert got.time is None and got.rejection == "bad_time" and "BCD" in got.rejection_text


# ---- bad frames -------------------------------------------------------------------------------

GOOD = j.encode(j.make_location(lon=112.85, lat=35.5, time=T0), phone="13800138000", serial=1)


def test_bad_check_code():
    bad = bytearray(GOOD)
    bad[-2] ^= 0x01
    with pytest.raises(j.DecodeError, match="校验码错误"):
        j.decode_frame(bytes(bad))


def test_bad_escape_and_trailing_escape():
    with pytest.raises(j.DecodeError, match="0x7D 之后应为 0x01 或 0x02，实际为 0x03"):
        j.decode_frame(b"\x7e\x02\x00\x00\x00\x7d\x03\x7e")
    with pytest.raises(j.DecodeError, match="实际为 帧尾"):
        j.unescape(b"\x02\x00\x7d")


def test_truncated_frames():
    with pytest.raises(j.DecodeError, match="帧过短"):
        j.decode_frame(GOOD[:8] + b"\x7e")
    # header says 28 body bytes; cut 4 and fix the check code so only the length is wrong
    raw = j.unescape(GOOD[1:-1])[:-1][:-4]
    with pytest.raises(j.DecodeError, match="消息体长度不符：消息头声明 28 字节，实际 24 字节"):
        j.decode_frame(b"\x7e" + j.escape(raw + bytes((j.check_code(raw),))) + b"\x7e")
    # a TLV item whose declared length runs past the body
    body = j.encode_body(j.make_location(lon=112.85, lat=35.5, time=T0))[1] + b"\x01\x04\x00\x00"
    with pytest.raises(j.DecodeError, match="附加信息项 0x01 声明长度 4，超出消息体"):
        j.decode_frame(j.encode_frame(0x0200, body, phone="1", serial=1))
    with pytest.raises(j.DecodeError, match="位置信息汇报消息体过短"):
        j.decode_frame(j.encode_frame(0x0200, b"\x00" * 27, phone="1", serial=1))
    with pytest.raises(j.DecodeError, match="帧内出现未转义的 0x7E"):
        j.decode_frame(GOOD[:10] + b"\x7e" + GOOD[10:])


# ---- stream splitting ---------------------------------------------------------------------------

def test_splitter_handles_garbage_shared_and_double_delimiters_and_partial_reads():
    a = j.encode(j.Heartbeat(), phone="1", serial=1)
    b = j.encode(j.Heartbeat(), phone="2", serial=2)
    c = j.encode(j.Heartbeat(), phone="3", serial=3)
    stream = b"junk" + a + b + c[:-1] + b"\x7e"  # a|b double delimiter; b|c shared (c's opening 7E removed below)
    stream = stream.replace(b + c[:1], b)  # b's closing 7E also opens c
    s = j.FrameSplitter()
    out = []
    for i in range(len(stream)):  # one byte at a time
        out += s.feed(stream[i:i + 1])
    assert [j.decode_frame(x).header.phone for x in out] == ["1", "2", "3"]
    assert s.discarded_bytes == 4


def test_splitter_drops_oversized_runs():
    s = j.FrameSplitter(max_frame_bytes=64)
    assert s.feed(b"\x7e" + b"\x01" * 100) == []
    assert s.oversized == 1
    hb = j.encode(j.Heartbeat(), phone="9", serial=1)
    assert [j.decode_frame(x).header.phone for x in s.feed(hb)] == ["9"]
