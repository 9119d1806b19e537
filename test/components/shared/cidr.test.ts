import { cidrContains, cidrsOverlap, formatIpv4, isUsableSubnetAddress, parseCidr, parseIpv4 } from "../../../components/shared/cidr";
import type { Ipv4Cidr } from "../../../components/shared/cidr";

const TOP = 4294967295; // 255.255.255.255

function cidr(text: string): Ipv4Cidr {
    const parsed = parseCidr(text);
    if (!parsed) {
        throw new Error(`test setup: ${text} is not a CIDR`);
    }
    return parsed;
}

function ip(text: string): number {
    const parsed = parseIpv4(text);
    if (parsed === undefined) {
        throw new Error(`test setup: ${text} is not an address`);
    }
    return parsed;
}

describe("parseIpv4", () => {
    test.each([
        ["0.0.0.0", 0],
        ["0.0.0.1", 1],
        ["0.0.1.0", 256],
        ["1.0.0.0", 16777216],
        ["10.0.0.1", 167772161],
        ["192.168.1.1", 3232235777],
        ["255.255.255.255", TOP],
        ["199.249.100.250", 3355010298],
    ])("%s → %d", (text, value) => {
        expect(parseIpv4(text)).toBe(value);
    });

    test.each([
        "256.0.0.0",
        "0.0.0.256",
        "1.2.3.999",
        "-1.0.0.0",
        "1.2.3",
        "1.2.3.4.5",
        "1..2.3",
        "",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4/32",
        "a.b.c.d",
        "0x0a.0.0.1",
        "1e1.0.0.0",
        "１.2.3.4",
        "::1",
    ])("rejects %j", (text) => {
        expect(parseIpv4(text)).toBeUndefined();
    });

    test.each(["01.2.3.4", "10.0.0.01", "00.0.0.0", "10.010.0.0", "001.1.1.1"])(
        "rejects leading zeros (ambiguous octal) in %s",
        (text) => {
            expect(parseIpv4(text)).toBeUndefined();
        },
    );
});

describe("formatIpv4", () => {
    test.each([
        [0, "0.0.0.0"],
        [1, "0.0.0.1"],
        [256, "0.0.1.0"],
        [167772161, "10.0.0.1"],
        [3232235777, "192.168.1.1"],
        [TOP, "255.255.255.255"],
    ])("%d → %s", (value, text) => {
        expect(formatIpv4(value)).toBe(text);
    });

    test("round-trips with parseIpv4 over a spread of addresses", () => {
        for (let i = 0; i <= 4096; i++) {
            const value = Math.floor((i * TOP) / 4096);
            const text = formatIpv4(value);
            expect(text).toMatch(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
            expect(parseIpv4(text)).toBe(value);
        }
    });
});

describe("parseCidr", () => {
    test.each([
        ["0.0.0.0/0", 0, 0, 4294967296],
        ["10.0.0.0/8", 167772160, 8, 16777216],
        ["10.0.0.0/20", 167772160, 20, 4096],
        ["10.16.0.0/14", 168820736, 14, 262144],
        ["192.168.1.128/25", 3232235904, 25, 128],
        ["255.255.255.254/31", 4294967294, 31, 2],
        ["255.255.255.255/32", TOP, 32, 1],
        ["10.0.0.1/32", 167772161, 32, 1],
    ])("%s", (text, start, prefixLength, size) => {
        expect(parseCidr(text)).toEqual({ start, prefixLength, size });
    });

    test.each([
        ["10.0.0.1/24", "not the first address of its range"],
        ["1.0.0.0/0", "not the first address of /0"],
        ["10.0.0.128/24", "in the middle of the range"],
        ["10.0.0.0/33", "prefix too long"],
        ["10.0.0.0/99", "prefix too long"],
        ["10.0.0.0/100", "three-digit prefix"],
        ["10.0.0.0/-1", "negative prefix"],
        ["10.0.0.0/", "empty prefix"],
        ["10.0.0.0", "no prefix"],
        ["/8", "no address"],
        ["256.0.0.0/8", "bad octet"],
        ["010.0.0.0/8", "leading zero in an octet"],
        ["10.0.0.0/8/8", "two prefixes"],
        [" 10.0.0.0/8", "leading space"],
        ["10.0.0.0/8 ", "trailing space"],
        ["10.0.0.0 /8", "space before the slash"],
        ["10.0.0.0/a", "non-numeric prefix"],
        ["10.0.0.0/08", "leading zero in the prefix"],
    ])("rejects %s (%s)", (text) => {
        expect(parseCidr(text)).toBeUndefined();
    });
});

describe("cidrsOverlap", () => {
    test.each([
        ["10.0.0.0/24", "10.0.1.0/24", false],
        ["10.0.0.0/24", "10.0.0.0/24", true],
        ["10.0.0.0/16", "10.0.255.0/24", true],
        ["10.0.255.0/24", "10.0.0.0/16", true],
        ["10.0.0.0/20", "10.0.16.0/20", false],
        ["10.0.0.0/20", "10.0.15.0/24", true],
        ["0.0.0.0/0", "203.0.113.0/24", true],
        ["203.0.113.0/24", "0.0.0.0/0", true],
        ["10.0.0.5/32", "10.0.0.5/32", true],
        ["10.0.0.5/32", "10.0.0.6/32", false],
        ["10.0.0.5/32", "10.0.0.4/31", true],
        ["255.255.255.255/32", "255.255.255.0/24", true],
        ["255.255.255.0/24", "255.255.254.0/24", false],
        ["10.16.0.0/14", "10.20.0.0/20", false],
        ["10.16.0.0/14", "10.19.240.0/20", true],
    ])("%s and %s → %s", (a, b, expected) => {
        expect(cidrsOverlap(cidr(a), cidr(b))).toBe(expected);
    });
});

describe("cidrContains", () => {
    test("first and last addresses are in, their neighbours outside are not", () => {
        const range = cidr("10.0.0.0/20");
        expect(cidrContains(range, ip("10.0.0.0"))).toBe(true);
        expect(cidrContains(range, ip("10.0.15.255"))).toBe(true);
        expect(cidrContains(range, ip("10.0.16.0"))).toBe(false);
        expect(cidrContains(range, ip("9.255.255.255"))).toBe(false);
    });

    test("/32 holds exactly its address; /0 holds everything", () => {
        const single = cidr("192.0.2.7/32");
        expect(cidrContains(single, ip("192.0.2.7"))).toBe(true);
        expect(cidrContains(single, ip("192.0.2.6"))).toBe(false);
        expect(cidrContains(single, ip("192.0.2.8"))).toBe(false);
        const all = cidr("0.0.0.0/0");
        expect(cidrContains(all, 0)).toBe(true);
        expect(cidrContains(all, TOP)).toBe(true);
        expect(cidrContains(cidr("255.255.255.255/32"), TOP)).toBe(true);
    });
});

describe("isUsableSubnetAddress (GCP reserves the first two and last two addresses)", () => {
    test.each([
        ["10.0.0.0", false],
        ["10.0.0.1", false],
        ["10.0.0.2", true],
        ["10.0.0.100", true],
        ["10.0.0.253", true],
        ["10.0.0.254", false],
        ["10.0.0.255", false],
        ["10.0.1.2", false],
        ["9.255.255.255", false],
    ])("in 10.0.0.0/24: %s → %s", (address, expected) => {
        expect(isUsableSubnetAddress(cidr("10.0.0.0/24"), ip(address))).toBe(expected);
    });

    test("a /29 has four usable addresses", () => {
        const range = cidr("10.0.0.8/29");
        const usable = Array.from({ length: 8 }, (_, i) => range.start + i).filter((a) => isUsableSubnetAddress(range, a));
        expect(usable.map(formatIpv4)).toEqual(["10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13"]);
    });

    test("a /30 has none", () => {
        const range = cidr("10.0.0.4/30");
        expect([4, 5, 6, 7].some((i) => isUsableSubnetAddress(range, ip(`10.0.0.${i}`)))).toBe(false);
    });
});
