import { subnetLayout } from "../../../components/aws/subnets";
import { cidrContains, cidrsOverlap, Ipv4Cidr, parseCidr } from "../../../components/shared/cidr";

/** The VPC's subnets, one private and one public per zone (components/aws/subnets.ts). */

function cidr(text: string): Ipv4Cidr {
    const parsed = parseCidr(text);
    if (!parsed) {
        throw new Error(`not a CIDR: ${text}`);
    }
    return parsed;
}

describe("subnetLayout", () => {
    test("a /16 across three zones: three /19 private and three /22 public subnets", () => {
        expect(subnetLayout("10.0.0.0/16", 3)).toEqual({
            private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
            public: ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"],
        });
    });

    test("a /16 across two zones starts the public subnets after the private ones", () => {
        expect(subnetLayout("172.16.0.0/16", 2)).toEqual({
            private: ["172.16.0.0/19", "172.16.32.0/19"],
            public: ["172.16.64.0/22", "172.16.68.0/22"],
        });
    });

    test("a /20 across six zones: /23 private and /26 public subnets", () => {
        expect(subnetLayout("10.8.16.0/20", 6)).toEqual({
            private: ["10.8.16.0/23", "10.8.18.0/23", "10.8.20.0/23", "10.8.22.0/23", "10.8.24.0/23", "10.8.26.0/23"],
            public: ["10.8.28.0/26", "10.8.28.64/26", "10.8.28.128/26", "10.8.28.192/26", "10.8.29.0/26", "10.8.29.64/26"],
        });
    });

    const configurable: [string, number][] = [];
    for (const vpc of ["10.0.0.0/16", "10.0.0.0/17", "192.168.0.0/18", "172.31.0.0/19", "10.8.16.0/20", "100.64.240.0/20"]) {
        for (let zones = 2; zones <= 6; zones++) {
            configurable.push([vpc, zones]);
        }
    }

    test.each(configurable)("%s with %i zones: one valid subnet per zone each, inside the VPC, none overlapping", (vpcText, zones) => {
        const vpc = cidr(vpcText);
        const layout = subnetLayout(vpcText, zones);
        expect(layout.private).toHaveLength(zones);
        expect(layout.public).toHaveLength(zones);
        const all = [...layout.private, ...layout.public].map(cidr);
        for (const subnet of all) {
            expect(cidrContains(vpc, subnet.start)).toBe(true);
            expect(cidrContains(vpc, subnet.start + subnet.size - 1)).toBe(true);
            // AWS subnets are /16 to /28.
            expect(subnet.prefixLength).toBeGreaterThanOrEqual(16);
            expect(subnet.prefixLength).toBeLessThanOrEqual(28);
        }
        for (let i = 0; i < all.length; i++) {
            for (let j = i + 1; j < all.length; j++) {
                expect(cidrsOverlap(all[i], all[j])).toBe(false);
            }
        }
        expect(layout.private.map((p) => cidr(p).prefixLength)).toEqual(Array(zones).fill(vpc.prefixLength + 3));
        expect(layout.public.map((p) => cidr(p).prefixLength)).toEqual(Array(zones).fill(vpc.prefixLength + 6));
    });

    test.each([
        ["not-a-cidr", 3, "not a CIDR: not-a-cidr"],
        ["10.0.0.0", 3, "not a CIDR: 10.0.0.0"],
        ["10.0.0.1/16", 3, "not a CIDR: 10.0.0.1/16"],
        ["10.0.0.0/16", 0, "cannot lay out 0 zones"],
        ["10.0.0.0/16", 7, "cannot lay out 7 zones"],
        ["10.0.0.0/16", -1, "cannot lay out -1 zones"],
    ])("throws for %s with %i zones", (vpc, zones, message) => {
        expect(() => subnetLayout(vpc, zones)).toThrow(message);
    });

    test.each([["10.0.0.0/24"], ["10.0.0.0/28"]])("subnetLayout refuses %s: its public subnets would be under /28", (cidr) => {
        expect(() => subnetLayout(cidr, 3)).toThrow("too small");
    });

    test("subnetLayout accepts a /22 (public /28s)", () => {
        expect(subnetLayout("10.0.0.0/22", 2).public).toEqual(["10.0.1.0/28", "10.0.1.16/28"]);
    });
});
