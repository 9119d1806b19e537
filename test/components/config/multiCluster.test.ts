import { CONTROL_PLANE_KEYS, DATA_PLANE_KEYS, FROM_CONTROL_PLANE_KEYS } from "../../../components/config/multiCluster";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { Cloud } from "../../../components/contract/config";
import { AWS, configError, CONTEXT, MULTI_CLUSTER_KEYS, parse, raw } from "../../helpers/config";
import { parseStackConfig } from "../../../components/config/parse";

const CONTROL = {
    "flyte:flavor": "core",
    "flyte:clusterRole": "controlPlane",
    "flyte:flyteProjects": '["ml","etl"]',
    "flyte:dataPlanes": '["gpu=acme/flyte/gke-gpu","batch=gke-batch"]',
};
const DATA = { "flyte:flavor": "core", "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": "acme/flyte/gke-control" };
/** The same on aws: a data plane there names the VPC block it adds to the control plane's VPC. */
const AWS_CONTROL = { ...AWS, ...CONTROL, "flyte:dataPlanes": '["gpu=acme/flyte/eks-gpu","batch=eks-batch"]' };
const AWS_DATA = { ...AWS, ...DATA, "flyte:controlPlaneStack": "acme/flyte/eks-control", "flyte:awsVpcCidr": "10.1.0.0/16" };

/** The message a config fails with. */
const message = (overrides: Record<string, string>) => configError(raw(overrides)).message;

describe("clusterRole", () => {
    test("standalone by default: no multi-cluster config, and the roles' keys are refused", () => {
        expect(parse().multiCluster).toBeUndefined();
        expect(message({ "flyte:dataPlanes": '["gpu=gke-gpu"]' })).toBe(
            'invalid config flyte:dataPlanes = "[\\"gpu=gke-gpu\\"]": only with clusterRole controlPlane',
        );
        expect(message({ "flyte:controlPlaneStack": "gke-control" })).toBe('invalid config flyte:controlPlaneStack = "gke-control": only with clusterRole dataPlane');
    });

    test("a control plane: its data planes, routes and default cluster", () => {
        expect(parse({ ...CONTROL, "flyte:executionRoutes": '["ml=gpu","etl/staging=batch"]' }).multiCluster).toEqual({
            role: "controlPlane",
            dataPlanes: [
                { name: "gpu", stack: "acme/flyte/gke-gpu" },
                { name: "batch", stack: "gke-batch" },
            ],
            propeller: false,
            defaultCluster: "gpu",
            routes: [
                { project: "ml", cluster: "gpu" },
                { project: "etl", domain: "staging", cluster: "batch" },
            ],
        });
    });

    test("with its own propeller the control plane is a cluster too, and may be the default", () => {
        const config = parse({ ...CONTROL, "flyte:dataPlanes": "[]", "flyte:controlPlanePropeller": "true" }).multiCluster;
        expect(config).toMatchObject({ propeller: true, defaultCluster: "control-plane", dataPlanes: [] });
        expect(parse({ ...CONTROL, "flyte:controlPlanePropeller": "true", "flyte:defaultExecutionCluster": "control-plane" }).multiCluster).toMatchObject({
            defaultCluster: "control-plane",
        });
    });

    test("a data plane: its control plane, bucket and token generation", () => {
        expect(parse(DATA).multiCluster).toEqual({ role: "dataPlane", controlPlaneStack: "acme/flyte/gke-control", rawDataBucket: false, tokenGeneration: 1 });
        expect(parse({ ...DATA, "flyte:dataPlaneRawBucket": "true", "flyte:dataPlaneTokenGeneration": "3" }).multiCluster).toMatchObject({
            rawDataBucket: true,
            tokenGeneration: 3,
        });
    });

    test("the roles need flyte-core", () => {
        expect(message({ ...CONTROL, "flyte:flavor": "binary" })).toBe(
            'invalid config flyte:clusterRole = "controlPlane": only with flavor core (flyte-binary runs flytepropeller in the same pod as flyteadmin)',
        );
    });

    test("on aws too: a control plane and a data plane parse as on gcp", () => {
        const control = parseStackConfig(raw({ ...AWS_CONTROL, "flyte:executionRoutes": '["ml=gpu"]', "flyte:awsTrustPolicyMaxLength": "4096" }), CONTEXT);
        expect(control.cloud).toBe("aws");
        expect(control.multiCluster).toEqual({
            role: "controlPlane",
            dataPlanes: [
                { name: "gpu", stack: "acme/flyte/eks-gpu" },
                { name: "batch", stack: "eks-batch" },
            ],
            propeller: false,
            defaultCluster: "gpu",
            routes: [{ project: "ml", cluster: "gpu" }],
        });
        const data = parseStackConfig(raw({ ...AWS_DATA, "flyte:dataPlaneRawBucket": "true" }), CONTEXT);
        expect(data.cloud).toBe("aws");
        expect(data.multiCluster).toEqual({ role: "dataPlane", controlPlaneStack: "acme/flyte/eks-control", rawDataBucket: true, tokenGeneration: 1 });
        expect(data.verification).toBeUndefined();
    });

    test("the multi-cluster keys are read on gcp and aws, not on local; awsTrustPolicyMaxLength on aws alone", () => {
        for (const key of MULTI_CLUSTER_KEYS) {
            expect([key, CONFIG_KEYS[key].targets]).toEqual([key, key === "awsTrustPolicyMaxLength" ? ["aws"] : ["gcp", "aws"]]);
        }
        expect(configError(raw({ "flyte:cloud": "local", "flyte:clusterRole": "controlPlane" })).message).toBe(
            'invalid config flyte:cloud = "local" (the default): flyte:clusterRole belongs to cloud gcp or aws; set flyte:cloud to gcp or aws, or remove it',
        );
        expect(message({ ...CONTROL, "flyte:awsTrustPolicyMaxLength": "4096" })).toBe(
            'invalid config flyte:cloud = "gcp": flyte:awsTrustPolicyMaxLength belongs to cloud aws; set flyte:cloud: aws or remove it',
        );
    });

    test("the verification runs only in standalone stacks: auto is off for the roles, on is refused", () => {
        expect(parse(CONTROL).verification).toBeUndefined();
        expect(message({ ...CONTROL, "flyte:verification": "on" })).toBe(
            'invalid config flyte:verification = "on": on only for a standalone stack (clusterRole standalone); auto and off',
        );
    });
});

describe("control plane refusals", () => {
    test.each([
        ["a missing stack", '["gpu"]', '"gpu"'],
        ["an invalid name", '["GPU=gke-gpu"]', '"GPU=gke-gpu"'],
        ["the control plane's own name", '["control-plane=gke-x"]', '"control-plane=gke-x"'],
        ["a stack with too many parts", '["gpu=a/b/c/d"]', '"gpu=a/b/c/d"'],
    ])("dataPlanes with %s", (_what, value, shown) => {
        expect(message({ ...CONTROL, "flyte:dataPlanes": value })).toMatch(new RegExp(`^invalid config flyte:dataPlanes = ${shown.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: allowed: "<name>=<stack>"`));
    });

    test("a data plane named twice, or one stack twice", () => {
        expect(message({ ...CONTROL, "flyte:dataPlanes": '["gpu=a","gpu=b"]' })).toBe(
            'invalid config flyte:dataPlanes = "gpu=b": each data plane\'s name may appear only once',
        );
        expect(message({ ...CONTROL, "flyte:dataPlanes": '["gpu=a","cpu=a"]' })).toBe(
            'invalid config flyte:dataPlanes = "cpu=a": each data plane\'s stack may appear only once',
        );
    });

    test("no cluster at all", () => {
        expect(message({ ...CONTROL, "flyte:dataPlanes": "[]" })).toBe(
            "invalid config flyte:dataPlanes = []: at least one data plane, or controlPlanePropeller true: executions need a cluster to run in",
        );
    });

    test("a default cluster that is none of them", () => {
        expect(message({ ...CONTROL, "flyte:defaultExecutionCluster": "control-plane" })).toBe(
            'invalid config flyte:defaultExecutionCluster = "control-plane": allowed: empty or one of gpu, batch',
        );
    });

    test.each([
        ["an unknown project", "web=gpu", "allowed: a project of flyteProjects (ml, etl)"],
        ["an unknown domain", "ml/dev=gpu", "allowed: a domain of flyteDomains (development, staging, production)"],
        ["an unknown cluster", "ml=tpu", "allowed: a cluster of gpu, batch"],
        ["no cluster", "ml", 'allowed: "<project>=<cluster>" or "<project>/<domain>=<cluster>"'],
    ])("executionRoutes with %s", (_what, route, allowed) => {
        expect(message({ ...CONTROL, "flyte:executionRoutes": JSON.stringify([route]) })).toContain(`invalid config flyte:executionRoutes = "${route}": ${allowed}`);
    });

    test("a project routed twice", () => {
        expect(message({ ...CONTROL, "flyte:executionRoutes": '["ml=gpu","ml=batch"]' })).toBe(
            'invalid config flyte:executionRoutes = "ml": each project or project/domain may be routed only once',
        );
    });
});

describe("data plane refusals", () => {
    test("the control plane's stack is required", () => {
        expect(message({ ...DATA, "flyte:controlPlaneStack": "" })).toBe(
            'invalid config flyte:controlPlaneStack = "": required with clusterRole dataPlane; allowed: a stack as a stack reference names it: [<org>/][<project>/]<stack>',
        );
    });

    /** Each cloud's data plane, and the keys of FROM_CONTROL_PLANE_KEYS that cloud reads (secrets aside: their values are never shown). */
    const fromControlPlane = (cloud: Cloud) =>
        FROM_CONTROL_PLANE_KEYS.filter((k) => CONFIG_KEYS[k].targets.includes(cloud) && !["oidcClientSecret", "sendgridApiKey", "smtpPassword"].includes(k));
    test.each([
        ...fromControlPlane("gcp").map((k) => ["gcp", k, DATA] as const),
        ...fromControlPlane("aws").map((k) => ["aws", k, AWS_DATA] as const),
    ])("on %s, %s comes from the control plane", (_cloud, key, dataPlane) => {
        // Refused by the first parser that reads it: the endpoint's, sign-in's, the registry's (each needs a key a data
        // plane may not set), or the multi-cluster one.
        const err = configError(raw({ ...dataPlane, [`flyte:${key}`]: "x" }));
        expect(err.key).toBe(`flyte:${key}`);
    });

    test("every key of FROM_CONTROL_PLANE_KEYS is read on one of the clouds: none is left untested", () => {
        expect([...fromControlPlane("gcp"), ...fromControlPlane("aws")].length).toBeGreaterThanOrEqual(FROM_CONTROL_PLANE_KEYS.length - 3);
        expect(new Set([...fromControlPlane("gcp"), ...fromControlPlane("aws"), "oidcClientSecret", "sendgridApiKey", "smtpPassword"])).toEqual(new Set(FROM_CONTROL_PLANE_KEYS));
    });

    test("on aws, the database and Cognito are the control plane's", () => {
        for (const [key, value] of [
            ["rdsInstanceClass", "db.t4g.medium"],
            ["rdsEngineVersion", "17"],
            ["rdsMaxAllocatedStorageGb", "500"],
        ]) {
            expect(message({ ...AWS_DATA, [`flyte:${key}`]: value })).toBe(
                `invalid config flyte:${key} = "${value}": only with a standalone or control-plane stack (a data plane takes it from its control plane)`,
            );
        }
        // Cognito's keys mean something only with sign-in, which is the control plane's too: refused on either ground.
        for (const [key, value] of [
            ["cognitoDomainPrefix", "acme-flyte"],
            ["cognitoAdminEmail", "admin@example.com"],
        ]) {
            expect(configError(raw({ ...AWS_DATA, [`flyte:${key}`]: value })).key).toBe(`flyte:${key}`);
        }
    });

    test("the role keys are each role's on aws as on gcp: awsTrustPolicyMaxLength only on a control plane", () => {
        expect(CONTROL_PLANE_KEYS).toContain("awsTrustPolicyMaxLength");
        expect(message({ ...AWS_DATA, "flyte:awsTrustPolicyMaxLength": "4096" })).toBe('invalid config flyte:awsTrustPolicyMaxLength = "4096": only with clusterRole controlPlane');
        expect(message({ ...AWS_DATA, "flyte:dataPlanes": '["gpu=eks-gpu"]' })).toBe('invalid config flyte:dataPlanes = "[\\"gpu=eks-gpu\\"]": only with clusterRole controlPlane');
        for (const key of DATA_PLANE_KEYS) {
            const value = key === "controlPlaneStack" ? "eks-control" : key === "dataPlaneRawBucket" ? "true" : "2";
            expect(configError(raw({ ...AWS_CONTROL, [`flyte:${key}`]: value })).message).toContain(": only with clusterRole dataPlane");
        }
    });

    test("the message says why", () => {
        expect(message({ ...DATA, "flyte:flyteProjects": '["ml"]' })).toBe(
            'invalid config flyte:flyteProjects = "[\\"ml\\"]": only with a standalone or control-plane stack (a data plane takes it from its control plane)',
        );
    });
});
