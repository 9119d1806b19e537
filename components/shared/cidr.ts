/** IPv4 address and CIDR arithmetic for validating network config before anything is created. */

export interface Ipv4Cidr {
    /** First address of the range, as an unsigned 32-bit number. */
    readonly start: number;
    readonly prefixLength: number;
    readonly size: number;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function parseIpv4(text: string): number | undefined {
    if (!IPV4.test(text)) {
        return undefined;
    }
    return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function formatIpv4(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Parses `a.b.c.d/n`; the address must be the first of its range (as GCP requires). */
export function parseCidr(text: string): Ipv4Cidr | undefined {
    const match = /^([^/]+)\/(0|[1-9]\d?)$/.exec(text);
    if (!match) {
        return undefined;
    }
    const start = parseIpv4(match[1]);
    const prefixLength = Number(match[2]);
    if (start === undefined || prefixLength > 32) {
        return undefined;
    }
    const size = 2 ** (32 - prefixLength);
    if (start % size !== 0) {
        return undefined;
    }
    return { start, prefixLength, size };
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    return a.start < b.start + b.size && b.start < a.start + a.size;
}

export function cidrContains(range: Ipv4Cidr, address: number): boolean {
    return address >= range.start && address < range.start + range.size;
}

/**
 * GCP reserves the network and second address and the last two addresses of every subnet range; the rest can
 * be reserved for a load balancer.
 */
export function isUsableSubnetAddress(range: Ipv4Cidr, address: number): boolean {
    return address >= range.start + 2 && address <= range.start + range.size - 3;
}
