import { FROM_CONTROL_PLANE_KEYS } from "../../../components/config/multiCluster";
import { AWS, configError, parse, raw } from "../../helpers/config";

const CONTROL = {
    "flyte:flavor": "core",
    "flyte:clusterRole": "controlPlane",
    "flyte:flyteProjects": '["ml","etl"]',
    "flyte:dataPlanes": '["gpu=acme/flyte/gke-gpu","batch=gke-batch"]',
};
const DATA = { "flyte:flavor": "core", "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": "acme/flyte/gke-control" };

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

    test("multi-cluster is a gcp feature: an aws stack may not set the role", () => {
        expect(message({ ...AWS, "flyte:clusterRole": "controlPlane" })).toBe(
            'invalid config flyte:cloud = "aws": flyte:clusterRole belongs to cloud gcp; set flyte:cloud: gcp or remove it',
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

    test.each(FROM_CONTROL_PLANE_KEYS.filter((k) => !["oidcClientSecret", "sendgridApiKey", "smtpPassword"].includes(k)).map((k) => [k]))(
        "%s comes from the control plane",
        (key) => {
            const err = configError(raw({ ...DATA, [`flyte:${key}`]: "x" }));
            expect(err.key).toBe(`flyte:${key}`);
        },
    );

    test("the message says why", () => {
        expect(message({ ...DATA, "flyte:flyteProjects": '["ml"]' })).toBe(
            'invalid config flyte:flyteProjects = "[\\"ml\\"]": only with a standalone or control-plane stack (a data plane takes it from its control plane)',
        );
    });
});
