import * as pulumi from "@pulumi/pulumi";
import { awsDataPlaneProblems, blockRestrictions, checkAwsDataPlane, type AwsDataPlaneCheckArgs } from "../../../components/aws/dataPlaneChecks";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { AwsControlPlaneOutput, ControlPlaneOutput, DataPlaneProblem } from "../../../components/contract/multiCluster";
import { testResolvedControlPlane } from "../../helpers/testPlatforms";

/**
 * An AWS data plane's checks against its control plane: the shared fixture's Flyte side, on an AWS network in
 * eu-central-1 whose VPC's primary CIDR is 10.0.0.0/16 and whose Services take 172.20.0.0/16 (what EKS picks beside a
 * VPC in 10.0.0.0/8).
 */
function awsControlPlane(): AwsControlPlaneOutput {
    const shared = testResolvedControlPlane({ signIn: false }).output;
    if (shared.cloud !== "gcp") {
        throw new Error("the shared control plane fixture is on gcp");
    }
    const { cloud: _cloud, gcpProject: _project, network: _network, clientRanges: _clients, networkRanges: _ranges, ...flyte } = shared;
    return {
        ...flyte,
        cloud: "aws",
        region: "eu-central-1",
        adminGlobalAccess: false,
        awsAccountId: "123456789012",
        vpcId: "vpc-0c0ffee0c0ffee000",
        vpcCidr: "10.0.0.0/16",
        internetGatewayId: "igw-0c0ffee0c0ffee000",
        clusterSecurityGroupId: "sg-0c0ffee0c0ffee000",
        clientRanges: ["10.0.0.0/16"],
        networkRanges: ["10.0.0.0/16", "172.20.0.0/16"],
    };
}

const CONTROL_PLANE = awsControlPlane();
const STACK = "acme/flyte/eks-control";

function check(
    config: Partial<AwsDataPlaneCheckArgs["config"]> = {},
    controlPlane: Partial<AwsControlPlaneOutput> = {},
    extra: Partial<Pick<AwsDataPlaneCheckArgs, "accountId" | "rawDataBucket">> = {},
): DataPlaneProblem[] {
    return awsDataPlaneProblems({
        config: { region: "eu-central-1", vpcCidr: "10.1.0.0/16", ...config },
        accountId: CONTROL_PLANE.awsAccountId,
        controlPlane: { ...CONTROL_PLANE, ...controlPlane },
        controlPlaneStack: STACK,
        rawDataBucket: false,
        ...extra,
    });
}

const keys = (problems: readonly DataPlaneProblem[]) => problems.map((p) => p.key);

test("a data plane in the control plane's account and region, on a block of its own, may join", () => {
    expect(check()).toEqual([]);
    expect(check({}, {}, { rawDataBucket: true })).toEqual([]);
    expect(check({ vpcCidr: "100.64.0.0/16" })).toEqual([]);
    expect(check({ vpcCidr: "10.1.0.0/28" })).toEqual([]);
});

test("the messages name real config keys, each on one line", () => {
    const flyteKeys = new Set(Object.keys(CONFIG_KEYS).map((k) => `flyte:${k}`));
    const problems = check(
        { region: "us-east-1", vpcCidr: "172.20.0.0/16" },
        { projectIsolation: true, identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: {} } },
        { accountId: "210987654321", rawDataBucket: true },
    );
    expect(keys(problems)).toEqual(["flyte:controlPlaneStack", "aws:region", "flyte:awsVpcCidr", "flyte:awsVpcCidr", "flyte:dataPlaneRawBucket"]);
    for (const p of problems) {
        expect([p.key, p.key === "aws:region" || flyteKeys.has(p.key)]).toEqual([p.key, true]);
        expect(p.message).not.toContain("\n");
        expect(p.message).toBe(`invalid config ${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
    }
});

test("a control plane of another cloud is the only problem reported", () => {
    const gcp: ControlPlaneOutput = testResolvedControlPlane({ signIn: false }).output;
    const problems = awsDataPlaneProblems({
        config: { region: "us-east-1", vpcCidr: "192.168.0.0/16" },
        accountId: "210987654321",
        controlPlane: gcp,
        controlPlaneStack: "acme/flyte/gke",
        rawDataBucket: true,
    });
    expect(problems.map((p) => p.message)).toEqual(['invalid config flyte:controlPlaneStack = "acme/flyte/gke": a control plane on aws: stack acme/flyte/gke is on gcp']);
});

test("another account: only the VPC's owner adds CIDR blocks to it", () => {
    const problems = check({}, {}, { accountId: "210987654321" });
    expect(problems.map((p) => p.message)).toEqual([
        `invalid config flyte:controlPlaneStack = "${STACK}": a control plane in this stack's AWS account 210987654321: stack ${STACK} is in account 123456789012, and only the owner of its VPC can add this data plane's CIDR block to it (every stack of a multi-cluster deployment on AWS is in one account)`,
    ]);
});

test("another region: the control plane's VPC is regional", () => {
    expect(check({ region: "us-east-1" }).map((p) => p.message)).toEqual([
        `invalid config aws:region = "us-east-1": the control plane's region eu-central-1 (stack ${STACK}): an AWS data plane's subnets join the control plane's VPC, which is regional`,
    ]);
});

test.each(["10.2.0.0/15", "10.1.0.0/29", "10.1.0.0", "10.1.0.1/16"])("a block %s no VPC takes (/16 to /28) is refused", (block) => {
    const problems = check({ vpcCidr: block });
    expect(keys(problems)).toEqual(["flyte:awsVpcCidr"]);
    expect(problems[0].message).toBe(`invalid config flyte:awsVpcCidr = "${block}": an IPv4 CIDR block from /16 to /28: the sizes a VPC's CIDR blocks may have`);
});

describe("overlapping the control plane's ranges", () => {
    test("the VPC's primary CIDR (which 10.0.0.0/16 is also refused beside)", () => {
        const problems = check({ vpcCidr: "10.0.128.0/17" });
        expect(problems.map((p) => p.allowed)).toEqual([
            `must not overlap the control plane's range 10.0.0.0/16 (stack ${STACK}): data planes join its VPC`,
            `a block in the rest of 10.0.0.0/8, 100.64.0.0/10 or a publicly routable range: AWS refuses to associate one from 10.0.0.0/16 with a VPC whose primary CIDR is 10.0.0.0/16, as the control plane's is (stack ${STACK})`,
        ]);
    });

    test("the cluster's Services' range", () => {
        const problems = check({ vpcCidr: "10.100.0.0/16" }, { networkRanges: ["10.0.0.0/16", "10.100.0.0/16"] });
        expect(problems.map((p) => p.message)).toEqual([
            `invalid config flyte:awsVpcCidr = "10.100.0.0/16": must not overlap the control plane's range 10.100.0.0/16 (stack ${STACK}): data planes join its VPC`,
        ]);
    });

    test("a range that is no CIDR, or no primary CIDR, is named on flyte:controlPlaneStack", () => {
        expect(check({}, { networkRanges: ["10.0.0.0/16", "not-a-cidr"] }).map((p) => [p.key, p.allowed])).toEqual([
            ["flyte:controlPlaneStack", 'a control plane whose networkRanges are IPv4 CIDRs, not "not-a-cidr"'],
        ]);
        expect(check({}, { vpcCidr: "" }).map((p) => [p.key, p.allowed])).toEqual([
            ["flyte:controlPlaneStack", `a control plane whose vpcCidr is its VPC's primary IPv4 CIDR, not ""`],
        ]);
    });
});

describe("the ranges a VPC refuses blocks from, by its primary CIDR (vpc-cidr-blocks.html#add-cidr-block-restrictions)", () => {
    test.each([
        ["10.0.0.0/16", ["172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16", "10.0.0.0/16"]],
        ["10.2.0.0/16", ["172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"]],
        ["172.16.0.0/16", ["10.0.0.0/8", "192.168.0.0/16", "198.19.0.0/16", "172.31.0.0/16"]],
        ["192.168.0.0/20", ["10.0.0.0/8", "172.16.0.0/12", "198.19.0.0/16"]],
        ["198.19.0.0/16", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]],
        ["100.64.0.0/16", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"]],
        ["52.10.0.0/16", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"]],
    ])("primary %s: %j", (primary, refused) => {
        expect(blockRestrictions(primary).refused).toEqual(refused);
    });

    test.each([
        // primary, block, the range the block is refused from ("nothing": permitted)
        ["10.0.0.0/16", "10.1.0.0/16", "nothing"],
        ["10.0.0.0/16", "100.64.0.0/16", "nothing"],
        ["10.0.0.0/16", "52.10.0.0/16", "nothing"],
        ["10.0.0.0/16", "172.31.0.0/16", "172.16.0.0/12"],
        ["10.0.0.0/16", "192.168.16.0/20", "192.168.0.0/16"],
        ["10.0.0.0/16", "198.19.0.0/16", "198.19.0.0/16"],
        ["10.2.0.0/16", "10.0.0.0/16", "nothing"],
        ["172.16.0.0/16", "172.17.0.0/16", "nothing"],
        ["172.16.0.0/16", "172.31.0.0/16", "172.31.0.0/16"],
        ["172.16.0.0/16", "10.1.0.0/16", "10.0.0.0/8"],
        ["192.168.0.0/20", "192.168.16.0/20", "nothing"],
        ["192.168.0.0/20", "172.20.0.0/16", "172.16.0.0/12"],
        ["198.19.0.0/16", "100.64.0.0/16", "nothing"],
        ["198.19.0.0/16", "10.1.0.0/16", "10.0.0.0/8"],
        ["100.64.0.0/16", "100.65.0.0/16", "nothing"],
        ["100.64.0.0/16", "198.19.0.0/16", "198.19.0.0/16"],
    ])("primary %s, block %s: refused from %s", (primary, block, refusedFrom) => {
        const problems = check({ vpcCidr: block }, { vpcCidr: primary, clientRanges: [primary], networkRanges: [primary] });
        if (refusedFrom === "nothing") {
            expect(problems).toEqual([]);
        } else {
            expect(keys(problems)).toEqual(["flyte:awsVpcCidr"]);
            expect(problems[0].allowed).toContain(`AWS refuses to associate one from ${refusedFrom} with a VPC whose primary CIDR is ${primary},`);
        }
    });

    test("what is permitted instead: the rest of the primary's RFC 1918 range, 100.64.0.0/10 or a publicly routable one", () => {
        expect(blockRestrictions("172.16.0.0/16").permitted).toBe("the rest of 172.16.0.0/12, 100.64.0.0/10 or a publicly routable range");
        expect(blockRestrictions("100.64.0.0/16").permitted).toBe("100.64.0.0/10 or a publicly routable range");
        expect(check({ vpcCidr: "192.168.0.0/16" }).map((p) => p.message)).toEqual([
            `invalid config flyte:awsVpcCidr = "192.168.0.0/16": a block in the rest of 10.0.0.0/8, 100.64.0.0/10 or a publicly routable range: AWS refuses to associate one from 192.168.0.0/16 with a VPC whose primary CIDR is 10.0.0.0/16, as the control plane's is (stack ${STACK})`,
        ]);
    });
});

test("an own raw-data bucket is refused when the control plane has project isolation", () => {
    const isolated = { projectIsolation: true, identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: { ml: "arn:aws:iam::123456789012:role/flyte-ml" } } };
    expect(check({}, isolated)).toEqual([]);
    const problems = check({}, isolated, { rawDataBucket: true });
    expect(problems.map((p) => p.message)).toEqual([
        `invalid config flyte:dataPlaneRawBucket = true: false: the control plane (stack ${STACK}) has project isolation, so each project's raw data goes to that project's own bucket`,
    ]);
});

test("a control plane output without a task identity is named", () => {
    expect(check({}, { identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: {} } }).map((p) => p.message)).toEqual([
        `invalid config flyte:controlPlaneStack = "${STACK}": a control plane that names its task pods' identity (identities.worker)`,
    ]);
});

describe("checkAwsDataPlane", () => {
    const args = (config: Partial<AwsDataPlaneCheckArgs["config"]>): AwsDataPlaneCheckArgs => ({
        config: { region: "eu-central-1", vpcCidr: "10.1.0.0/16", ...config },
        accountId: CONTROL_PLANE.awsAccountId,
        controlPlane: CONTROL_PLANE,
        controlPlaneStack: STACK,
        rawDataBucket: false,
    });

    test("passes a data plane that fits and returns the control plane's output as AWS's", () => {
        expect(checkAwsDataPlane(args({})).vpcId).toBe(CONTROL_PLANE.vpcId);
    });

    test("fails with the first problem, one line, as a RunError", () => {
        let error: unknown;
        try {
            checkAwsDataPlane(args({ region: "us-east-1", vpcCidr: "172.16.0.0/16" }));
        } catch (e) {
            error = e;
        }
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect((error as Error).message).toBe(
            `invalid config aws:region = "us-east-1": the control plane's region eu-central-1 (stack ${STACK}): an AWS data plane's subnets join the control plane's VPC, which is regional`,
        );
    });
});
