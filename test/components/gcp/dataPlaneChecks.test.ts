import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { ControlPlaneOutput, GcpControlPlaneOutput } from "../../../components/contract/multiCluster";
import { checkDataPlaneNetwork, gcpDataPlaneNetworkProblems, gcpDataPlaneProblems, type GcpDataPlaneCheckArgs } from "../../../components/gcp/dataPlaneChecks";
import { gcpStackConfig } from "../../helpers/config";
import { testResolvedControlPlane } from "../../helpers/testPlatforms";

/** The shared fixture, in europe-west4 (ranges 10.10.0.0/20 and 10.20.0.0/14), its flyteadmin answering that region only. */
const CONTROL_PLANE: GcpControlPlaneOutput = { ...testResolvedControlPlane({ signIn: false }).output, adminGlobalAccess: false };
const DP_RANGES = { "flyte:subnetCidr": "10.128.0.0/20", "flyte:podsCidr": "10.132.0.0/14", "flyte:servicesCidr": "10.136.0.0/20" };

function check(overrides: Record<string, string> = {}, controlPlane: Partial<GcpControlPlaneOutput> = {}, rawDataBucket = false): ReturnType<typeof gcpDataPlaneProblems> {
    const args: GcpDataPlaneCheckArgs = {
        config: gcpStackConfig({ "gcp:region": CONTROL_PLANE.region, ...DP_RANGES, ...overrides }, "gpu").gcp,
        controlPlaneStack: "acme/flyte/control",
        controlPlane: { ...CONTROL_PLANE, ...controlPlane },
        rawDataBucket,
    };
    return gcpDataPlaneProblems(args);
}

const keys = (problems: ReturnType<typeof gcpDataPlaneProblems>) => problems.map((p) => p.key);

test("a data plane in the control plane's project and region, on ranges of its own, may join", () => {
    expect(check()).toEqual([]);
    expect(check({}, {}, true)).toEqual([]);
});

test("the messages name real config keys", () => {
    const flyteKeys = new Set(Object.keys(CONFIG_KEYS).map((k) => `flyte:${k}`));
    const problems = check(
        { "gcp:project": "other-proj", "gcp:region": "us-central1", "flyte:subnetCidr": "10.10.8.0/24" },
        { projectIsolation: true, identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: {} } },
        true,
    );
    expect(problems.length).toBeGreaterThan(3);
    for (const p of problems) {
        expect([p.key, p.key.startsWith("gcp:") || flyteKeys.has(p.key)]).toEqual([p.key, true]);
        expect(p.message).not.toContain("\n");
        expect(p.message).toBe(`invalid config ${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
    }
});

test("another GCP project: Workload Identity's pool and the network are the project's", () => {
    const problems = check({ "gcp:project": "other-proj" });
    expect(keys(problems)).toEqual(["gcp:project"]);
    expect(problems[0].message).toBe(
        'invalid config gcp:project = "other-proj": the control plane\'s project acme-test (stack acme/flyte/control): every stack of a multi-cluster deployment shares one GCP project',
    );
});

test("another region: refused unless the control plane's flyteadmin answers every region", () => {
    expect(keys(check({ "gcp:region": "us-central1" }))).toEqual(["gcp:region"]);
    expect(check({ "gcp:region": "us-central1" })[0].allowed).toContain("flyte:loadBalancerGlobalAccess");
    expect(check({ "gcp:region": "us-central1" }, { adminGlobalAccess: true })).toEqual([]);
});

test.each([
    ["flyte:subnetCidr", "10.10.8.0/24", "10.10.0.0/20"],
    ["flyte:podsCidr", "10.22.0.0/16", "10.20.0.0/14"],
    ["flyte:servicesCidr", "10.0.0.0/12", "10.10.0.0/20"],
])("%s %s overlapping the control plane's %s is refused", (key, value, clash) => {
    const problems = check({ [key]: value });
    expect(keys(problems)).toEqual([key]);
    expect(problems[0].value).toBe(value);
    expect(problems[0].allowed).toBe(
        `must not overlap the control plane's range ${clash} (stack acme/flyte/control): data planes join its VPC network`,
    );
});

test("the same ranges as the control plane's (its services range too): each overlapping one is named", () => {
    const problems = check({ "flyte:subnetCidr": "10.10.0.0/20", "flyte:podsCidr": "10.20.0.0/14", "flyte:servicesCidr": "10.30.0.0/20" });
    expect(keys(problems)).toEqual(["flyte:subnetCidr", "flyte:podsCidr", "flyte:servicesCidr"]);
});

test("an own raw-data bucket is refused when the control plane has project isolation", () => {
    const isolated = { projectIsolation: true, identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: { ml: "fwabcde-ml@acme-test.iam.gserviceaccount.com" } } };
    expect(check({}, isolated, false)).toEqual([]);
    const problems = check({}, isolated, true);
    expect(keys(problems)).toEqual(["flyte:dataPlaneRawBucket"]);
    expect(problems[0].value).toBe(true);
});

test("a control plane of another cloud is the only problem reported", () => {
    const aws = { ...CONTROL_PLANE, cloud: "aws" } as unknown as ControlPlaneOutput;
    const problems = gcpDataPlaneProblems({
        config: gcpStackConfig({ "gcp:project": "other-proj" }).gcp,
        controlPlaneStack: "acme/flyte/eks",
        controlPlane: aws,
        rawDataBucket: false,
    });
    expect(problems.map((p) => p.message)).toEqual(['invalid config flyte:controlPlaneStack = "acme/flyte/eks": a control plane on gcp: stack acme/flyte/eks is on aws']);
});

test("a control plane output without a task identity, or with a range that is not a CIDR, is named", () => {
    expect(keys(check({}, { identities: { flyteadmin: CONTROL_PLANE.identities.flyteadmin, projectWorkers: {} } }))).toEqual(["flyte:controlPlaneStack"]);
    const problems = check({}, { networkRanges: ["10.10.0.0/20", "not-a-cidr"] });
    expect(problems.map((p) => p.allowed)).toEqual(['a control plane whose networkRanges are IPv4 CIDRs, not "not-a-cidr"']);
});

describe("checkDataPlaneNetwork", () => {
    const config = (overrides: Record<string, string>) => gcpStackConfig({ "gcp:region": CONTROL_PLANE.region, ...DP_RANGES, ...overrides }, "gpu").gcp;

    test("passes a data plane that fits, whatever its region or bucket (checked with the stack reference)", () => {
        expect(() => checkDataPlaneNetwork({ config: config({ "gcp:region": "us-central1" }), controlPlane: CONTROL_PLANE, stack: "acme/flyte/control" })).not.toThrow();
    });

    test("fails with the first problem of its place in the network, one line, as a RunError", () => {
        let error: unknown;
        try {
            checkDataPlaneNetwork({ config: config({ "flyte:podsCidr": "10.22.0.0/16", "flyte:servicesCidr": "10.10.0.0/24" }), controlPlane: CONTROL_PLANE, stack: "acme/flyte/control" });
        } catch (e) {
            error = e;
        }
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect((error as Error).message).toBe(
            'invalid config flyte:podsCidr = "10.22.0.0/16": must not overlap the control plane\'s range 10.20.0.0/14 (stack acme/flyte/control): data planes join its VPC network',
        );
    });

    test("the network problems are gcpDataPlaneProblems' first ones", () => {
        const args = { config: config({ "gcp:project": "other-proj", "gcp:region": "us-central1" }), controlPlane: CONTROL_PLANE, controlPlaneStack: "s" };
        expect(keys(gcpDataPlaneNetworkProblems(args))).toEqual(["gcp:project"]);
        expect(keys(gcpDataPlaneProblems({ ...args, rawDataBucket: false }))).toEqual(["gcp:project", "gcp:region"]);
    });
});
