import * as pulumi from "@pulumi/pulumi";
import { dataPlaneProblem as problem, dataPlaneStorageProblems, type AwsControlPlaneOutput, type ControlPlaneOutput, type DataPlaneProblem } from "../contract/multiCluster";
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from "../shared/cidr";

/**
 * What an AWS data plane checks against its control plane's stack output before it declares anything: the same cloud,
 * account and region, a block (`flyte:awsVpcCidr`) the control plane's VPC accepts as a secondary CIDR block and that
 * leaves the control plane's ranges alone, and a raw-data bucket of its own only where the control plane allows one.
 * Pure.
 */

/** VPC CIDR blocks, primary or associated, are /16 to /28 (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html). */
export const VPC_BLOCK_PREFIX = { min: 16, max: 28 } as const;

/** RFC 1918's private ranges. */
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
/** Part of RFC 2544's benchmarking range: a VPC takes it as its primary CIDR, or blocks from it beside a primary there. */
const BENCHMARK_RANGE = "198.19.0.0/16";

function cidr(text: string): Ipv4Cidr {
    const parsed = parseCidr(text);
    if (parsed === undefined) {
        throw new Error(`not a CIDR: ${text}`);
    }
    return parsed;
}

/** `inner` lies wholly in `outer`. */
function within(inner: Ipv4Cidr, outer: string): boolean {
    const range = cidr(outer);
    return inner.start >= range.start && inner.start + inner.size <= range.start + range.size;
}

/** Which blocks a VPC accepts beside its primary CIDR (blockRestrictions). */
export interface BlockRestrictions {
    /** The ranges it refuses blocks from. */
    readonly refused: readonly string[];
    /** What it takes, in words. */
    readonly permitted: string;
}

/**
 * Which ranges a VPC whose primary CIDR is `primary` associates blocks from ("IPv4 CIDR block association
 * restrictions", https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html#add-cidr-block-restrictions):
 * never the RFC 1918 ranges other than the primary's own, nor 198.19.0.0/16 unless the primary is in it; with a
 * primary in 10.0.0.0/15, not 10.0.0.0/16; with one in 172.16.0.0/12, not 172.31.0.0/16. The rest of the primary's
 * own RFC 1918 range, 100.64.0.0/10 and publicly routable ranges are permitted.
 */
export function blockRestrictions(primary: string): BlockRestrictions {
    const p = cidr(primary);
    const elsewhere = "100.64.0.0/10 or a publicly routable range";
    if (within(p, BENCHMARK_RANGE)) {
        return { refused: [...RFC1918], permitted: elsewhere };
    }
    const own = RFC1918.find((range) => within(p, range));
    const refused: string[] = [...RFC1918.filter((range) => range !== own), BENCHMARK_RANGE];
    if (within(p, "10.0.0.0/15")) {
        refused.push("10.0.0.0/16");
    }
    if (own === "172.16.0.0/12") {
        refused.push("172.31.0.0/16");
    }
    return { refused, permitted: own === undefined ? elsewhere : `the rest of ${own}, ${elsewhere}` };
}

export interface AwsDataPlaneCheckArgs {
    /** The data plane's region and block. */
    readonly config: {
        /** `aws:region`. */
        readonly region: string;
        /** `flyte:awsVpcCidr`: the CIDR block this data plane adds to the control plane's VPC. */
        readonly vpcCidr: string;
    };
    /** The account the data plane's stack deploys to (the caller identity's). */
    readonly accountId: string;
    /** The control plane's stack output `controlPlane`. */
    readonly controlPlane: ControlPlaneOutput;
    /** The control plane's stack as `flyte:controlPlaneStack` names it, for the messages. */
    readonly controlPlaneStack: string;
    /** `flyte:dataPlaneRawBucket`: a raw-data bucket of the data plane's own. */
    readonly rawDataBucket: boolean;
}

/**
 * Everything wrong with this AWS data plane for its control plane, in this order; empty when it may join: a control
 * plane of another cloud (then the only problem, since nothing else compares), another account, another region, a
 * block of a size no VPC takes, control plane ranges that are no CIDRs, a block overlapping one of the control plane's
 * ranges or from a range its VPC refuses to associate, an own raw-data bucket next to project isolation, and a control
 * plane output that names no task identity.
 */
export function awsDataPlaneProblems(args: AwsDataPlaneCheckArgs): DataPlaneProblem[] {
    const { config, controlPlane: cp, controlPlaneStack: stack } = args;
    if (cp.cloud !== "aws") {
        return [problem("flyte:controlPlaneStack", stack, `a control plane on aws: stack ${stack} is on ${cp.cloud}`)];
    }
    const problems: DataPlaneProblem[] = [];
    // Only the VPC's owner associates CIDR blocks with it, and the control plane's roles trust this cluster's OIDC
    // provider, which lives in this account (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
    if (args.accountId !== cp.awsAccountId) {
        problems.push(
            problem(
                "flyte:controlPlaneStack",
                stack,
                `a control plane in this stack's AWS account ${args.accountId}: stack ${stack} is in account ${cp.awsAccountId}, and only the owner of its VPC can add this data plane's CIDR block to it (every stack of a multi-cluster deployment on AWS is in one account)`,
            ),
        );
    }
    if (config.region !== cp.region) {
        problems.push(
            problem(
                "aws:region",
                config.region,
                `the control plane's region ${cp.region} (stack ${stack}): an AWS data plane's subnets join the control plane's VPC, which is regional`,
            ),
        );
    }
    const block = parseCidr(config.vpcCidr);
    if (block === undefined || block.prefixLength < VPC_BLOCK_PREFIX.min || block.prefixLength > VPC_BLOCK_PREFIX.max) {
        problems.push(
            problem(
                "flyte:awsVpcCidr",
                config.vpcCidr,
                `an IPv4 CIDR block from /${VPC_BLOCK_PREFIX.min} to /${VPC_BLOCK_PREFIX.max}: the sizes a VPC's CIDR blocks may have`,
            ),
        );
    }
    const ranges = cp.networkRanges.map((text) => ({ text, cidr: parseCidr(text) }));
    for (const range of ranges) {
        if (range.cidr === undefined) {
            problems.push(problem("flyte:controlPlaneStack", stack, `a control plane whose networkRanges are IPv4 CIDRs, not ${JSON.stringify(range.text)}`));
        }
    }
    const primaryText = cp.vpcCidr;
    const primary = parseCidr(primaryText);
    if (primary === undefined) {
        problems.push(problem("flyte:controlPlaneStack", stack, `a control plane whose vpcCidr is its VPC's primary IPv4 CIDR, not ${JSON.stringify(primaryText)}`));
    }
    if (block !== undefined) {
        // The blocks of one VPC never overlap, and the cluster's Services' range is routed by kube-proxy on its nodes.
        const clash = ranges.find((range) => range.cidr !== undefined && cidrsOverlap(block, range.cidr));
        if (clash) {
            problems.push(
                problem(
                    "flyte:awsVpcCidr",
                    config.vpcCidr,
                    `must not overlap the control plane's range ${clash.text} (stack ${stack}): data planes join its VPC`,
                ),
            );
        }
        const restrictions = primary === undefined ? undefined : blockRestrictions(primaryText);
        const refused = restrictions?.refused.find((range) => cidrsOverlap(block, cidr(range)));
        if (restrictions !== undefined && refused !== undefined) {
            problems.push(
                problem(
                    "flyte:awsVpcCidr",
                    config.vpcCidr,
                    `a block in ${restrictions.permitted}: AWS refuses to associate one from ${refused} with a VPC whose primary CIDR is ${primaryText}, as the control plane's is (stack ${stack})`,
                ),
            );
        }
    }
    problems.push(...dataPlaneStorageProblems(cp, stack, args.rawDataBucket));
    return problems;
}

/**
 * Fails, before anything is declared, with the first of awsDataPlaneProblems as one line (a `RunError`: the Pulumi
 * CLI prints it without a stack trace); returns the control plane's output, known to be AWS's.
 */
export function checkAwsDataPlane(args: AwsDataPlaneCheckArgs): AwsControlPlaneOutput {
    const cp = args.controlPlane;
    const [first] = awsDataPlaneProblems(args);
    if (first !== undefined || cp.cloud !== "aws") {
        throw new pulumi.RunError(first?.message ?? `control plane ${args.controlPlaneStack} is not on aws`);
    }
    return cp;
}
