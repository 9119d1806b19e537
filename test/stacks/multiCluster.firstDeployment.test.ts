/**
 * The first `pulumi up` of a multi-cluster deployment (README "Order of the first deployment"): the control plane
 * gke-control before any of its data planes has outputs. It plans (in this process, its stack references reading
 * stacks that were never deployed), warns once per data plane, and declares what it can without them; what it then
 * publishes for the data planes is what it publishes once they are registered (gke-control's shared plan), so the
 * data planes deployed in between need no second `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../../lib/plan/runPlan";
import { at, recordAt, stringAt } from "../helpers/json";
import { ofType, only, planStack } from "../helpers/plan";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "gke-control";
const DATA_PLANES = readStackSettings(STACK)
    .strings("dataPlanes")
    .map((entry) => {
        const [name, stack] = entry.split("=");
        return { name, stack };
    });
const RELEASE = "kubernetes:helm.sh/v3:Release";

const warnings: string[] = [];
let first: Plan;
const registered = beforeAllPlans([STACK]);

beforeAll(async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation((message: string) => {
        warnings.push(message);
        return Promise.resolve();
    });
    try {
        // No references: every stack it reads was initialised and never deployed.
        first = await planStack(STACK, undefined, { references: {} });
    } finally {
        warn.mockRestore();
    }
}, 300000);

const values = (plan: Plan) => recordAt(only(plan, RELEASE).inputs, "values");
const datacatalogService = (plan: Plan) => ofType(plan, "kubernetes:core/v1:Service").find((s) => at(s.inputs, "metadata", "name") === "flyte-datacatalog-internal");

test("warns once per data plane, naming it and its stack", () => {
    expect(warnings).toEqual(
        DATA_PLANES.map(
            ({ name, stack }) =>
                `data plane ${name} (stack ${stack}) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it`,
        ),
    );
});

test("reads both data planes' stacks all the same", () => {
    expect(first.resources.filter((r) => r.read).map((r) => r.inputs.name)).toEqual(expect.arrayContaining(DATA_PLANES.map((d) => d.stack)));
    expect(first.resources.filter((r) => r.read)).toHaveLength(DATA_PLANES.length);
});

test("no clusters config, no credentials Secret, nothing of them in flyteadmin's pod", () => {
    expect(at(values(first), "configmap", "clusters")).toBeUndefined();
    expect(ofType(first, "kubernetes:core/v1:Secret").filter((s) => at(s.inputs, "metadata", "name") === "cluster-credentials")).toEqual([]);
    const text = JSON.stringify(values(first));
    expect(text).not.toContain("cluster-credentials");
    expect(text).not.toContain("/var/run/credentials");
});

test("declares everything else the registered control plane does", () => {
    const names = (plan: Plan) => plan.resources.map((r) => `${r.type} ${r.name}`).sort();
    const missing = names(registered(STACK)).filter((n) => !names(first).includes(n));
    expect(missing).toEqual(["kubernetes:core/v1:Secret flyte-clusters-credentials"]);
    expect(names(first).filter((n) => !names(registered(STACK)).includes(n))).toEqual([]);
});

test("datacatalog's load balancer admits only the control plane's own ranges until a data plane is registered", () => {
    const service = datacatalogService(first);
    expect(at(service?.inputs, "spec", "loadBalancerSourceRanges")).toEqual(at(first.outputs, "controlPlane", "clientRanges"));
    expect(at(service?.inputs, "spec", "type")).toBe("LoadBalancer");
});

test("publishes the controlPlane output it publishes once the data planes are registered", () => {
    expect(first.outputs.controlPlane).toEqual(registered(STACK).outputs.controlPlane);
    expect(recordAt(first.outputs, "controlPlane").datacatalog).toEqual(expect.objectContaining({ insecure: true }));
});

test("registering the data planes restarts flyteadmin and the cluster resource sync: their secrets checksum changes", () => {
    const checksums = (plan: Plan) =>
        ["flyteadmin", "cluster_resource_manager"].map((c) => stringAt(values(plan), c, "podAnnotations", "checksum/pulumi-secrets"));
    const [adminFirst, syncFirst] = checksums(first);
    const [adminRegistered, syncRegistered] = checksums(registered(STACK));
    expect(syncFirst).toBe(adminFirst);
    expect(syncRegistered).toBe(adminRegistered);
    expect(adminRegistered).not.toBe(adminFirst);
});
