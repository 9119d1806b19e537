import { formatIpv4, parseCidr } from "../shared/cidr";

export interface SubnetLayout {
    /** One per zone, for nodes, the database and internal load balancers. */
    readonly private: readonly string[];
    /** One per zone, for NAT gateways (and internet-facing load balancers, were any configured). */
    readonly public: readonly string[];
}

/**
 * Splits the VPC range: the first zones × 1/8 go to private subnets, then zones × 1/64 to public subnets. With
 * a /16 and three zones: three /19 private and three /22 public subnets, and room left to grow.
 */
export function subnetLayout(vpcCidr: string, zones: number): SubnetLayout {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) {
        throw new Error(`not a CIDR: ${vpcCidr}`);
    }
    if (zones < 1 || zones > 6) {
        throw new Error(`cannot lay out ${zones} zones`);
    }
    // Public subnets are 1/64 of the VPC, and AWS's smallest subnet is a /28.
    if (vpc.prefixLength > 22) {
        throw new Error(`a /${vpc.prefixLength} VPC is too small for this layout; use /22 or larger`);
    }
    const privateSize = vpc.size / 8;
    const publicSize = vpc.size / 64;
    const cidr = (start: number, size: number) => `${formatIpv4(start)}/${32 - Math.log2(size)}`;
    const publicStart = vpc.start + zones * privateSize;
    return {
        private: Array.from({ length: zones }, (_, i) => cidr(vpc.start + i * privateSize, privateSize)),
        public: Array.from({ length: zones }, (_, i) => cidr(publicStart + i * publicSize, publicSize)),
    };
}
