import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../../lib/plan/runPlan";
import { at, recordAt } from "./json";
import type { ListedDataPlane } from "./multiClusterStacks";
import { ofType, only, planStack } from "./plan";

/**
 * The first `pulumi up` of a multi-cluster deployment on every cloud (README "Order of the first deployment"): the
 * control plane planned before any of its data planes has outputs, and what it must then do whatever the cloud.
 */

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CREDENTIALS_SECRET = "cluster-credentials";

/** A control plane's first plan, and the warnings it logged. */
export interface FirstControlPlanePlan {
    readonly first: () => Plan;
    readonly warnings: readonly string[];
}

/**
 * Plans `stack` before the tests of the calling file (a `beforeAll` there) as its first `pulumi up` does: no stack
 * reference reads anything (every stack it reads was initialised and never deployed). Captures what it warns.
 */
export function beforeAllFirstControlPlane(stack: string): FirstControlPlanePlan {
    const warnings: string[] = [];
    let first: Plan | undefined;
    beforeAll(async () => {
        const warn = jest.spyOn(pulumi.log, "warn").mockImplementation((message: string) => {
            warnings.push(message);
            return Promise.resolve();
        });
        try {
            first = await planStack(stack, undefined, { references: {} });
        } finally {
            warn.mockRestore();
        }
    }, 300000);
    return {
        first: () => {
            if (first === undefined) {
                throw new Error(`${stack} was not planned`);
            }
            return first;
        },
        warnings,
    };
}

/** The values of a plan's Flyte release. */
export const releaseValuesOf = (plan: Plan) => recordAt(only(plan, RELEASE).inputs, "values");

/** The control plane's first plan and its shared plan (its data planes registered), for firstControlPlaneSuite. */
export interface FirstDeployment extends FirstControlPlanePlan {
    readonly dataPlanes: readonly ListedDataPlane[];
    /** The control plane's shared plan: its data planes deployed and registered. */
    readonly registered: () => Plan;
    /** The cloud's own checks of datacatalog's Service for the data planes, run in the same test. */
    readonly datacatalog?: () => void;
}

/**
 * Registers what the first plan of every cloud's control plane must say: a warning per data plane, both read all the
 * same, nothing of their clusters in flyteadmin, everything else the registered control plane declares, datacatalog's
 * Service admitting its own clients only, and the controlPlane output the data planes will read unchanged.
 */
export function firstControlPlaneSuite(deployment: FirstDeployment): void {
    const { dataPlanes, first, registered } = deployment;

    test("warns once per data plane, naming it and its stack", () => {
        expect(deployment.warnings).toEqual(
            dataPlanes.map(
                ({ name, stack }) =>
                    `data plane ${name} (stack ${stack}) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it`,
            ),
        );
    });

    test("reads both data planes' stacks all the same", () => {
        expect(first().resources.filter((r) => r.read).map((r) => r.inputs.name)).toEqual(expect.arrayContaining(dataPlanes.map((d) => d.stack)));
        expect(first().resources.filter((r) => r.read)).toHaveLength(dataPlanes.length);
    });

    test("no clusters config, no credentials Secret, nothing of them in flyteadmin's pod", () => {
        expect(at(releaseValuesOf(first()), "configmap", "clusters")).toBeUndefined();
        expect(ofType(first(), "kubernetes:core/v1:Secret").filter((s) => at(s.inputs, "metadata", "name") === CREDENTIALS_SECRET)).toEqual([]);
        const text = JSON.stringify(releaseValuesOf(first()));
        expect(text).not.toContain(CREDENTIALS_SECRET);
        expect(text).not.toContain("/var/run/credentials");
    });

    test("declares everything else the registered control plane does", () => {
        const names = (plan: Plan) => plan.resources.map((r) => `${r.type} ${r.name}`).sort();
        expect(names(registered()).filter((n) => !names(first()).includes(n))).toEqual(["kubernetes:core/v1:Secret flyte-clusters-credentials"]);
        expect(names(first()).filter((n) => !names(registered()).includes(n))).toEqual([]);
    });

    test("datacatalog's load balancer admits only the control plane's own ranges until a data plane is registered", () => {
        const service = ofType(first(), "kubernetes:core/v1:Service").find((s) => at(s.inputs, "metadata", "name") === "flyte-datacatalog-internal");
        expect(at(service?.inputs, "spec", "type")).toBe("LoadBalancer");
        expect(at(service?.inputs, "spec", "loadBalancerSourceRanges")).toEqual(at(first().outputs, "controlPlane", "clientRanges"));
        deployment.datacatalog?.();
    });

    test("publishes the controlPlane output it publishes once the data planes are registered", () => {
        expect(first().outputs.controlPlane).toEqual(registered().outputs.controlPlane);
        expect(recordAt(first().outputs, "controlPlane").datacatalog).toEqual(expect.objectContaining({ insecure: true }));
    });
}
