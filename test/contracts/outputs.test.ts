/**
 * The outputs contract (contract/stack-outputs.json) is what other teams build on. The program's output lists,
 * every shipped stack's outputs (names, types, secrecy) and README's table must all agree with it, so that an
 * output cannot be renamed, removed or retyped without the contract changing in the same pull request.
 */
import * as fs from "fs";
import * as path from "path";
import {
    AUTHENTICATED_CONTROL_PLANE_OUTPUTS,
    AUTHENTICATION_OUTPUTS,
    CONTROL_PLANE_OUTPUTS,
    DATA_PLANE_OUTPUTS,
    EVERY_STACK_OUTPUTS,
    CI_PUSH_OUTPUTS,
    COMMON_OUTPUTS,
    EVENTS_OUTPUTS,
    GCP_CI_PUSH_OUTPUTS,
    DASHBOARD_OUTPUTS,
    definedOutputs,
    FlyteStackOutputs,
    ISOLATION_OUTPUTS,
    LOCAL_OUTPUTS,
    MANUAL_DNS_OUTPUTS,
    REGISTRY_OUTPUTS,
    SHARED_WORKER_OUTPUTS,
    VERIFICATION_OUTPUTS,
} from "../../components/contract/outputs";
import type { Json } from "../../lib/plan/wire";
import { PROJECT_DIR } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "../helpers/json";

type Presence =
    | "everyStack"
    | "always"
    | "sharedWorkers"
    | "projectIsolation"
    | "manualDns"
    | "authenticated"
    | "executionEvents"
    | "verified"
    | "registry"
    | "ciPush"
    | "gcpCiPush"
    | "local"
    | "localDashboard"
    | "controlPlane"
    | "authenticatedControlPlane"
    | "dataPlane";
const TYPES = ["string", "map<string>", "list<string>", "object"] as const;

interface ContractEntry {
    readonly type: (typeof TYPES)[number];
    readonly secret: boolean;
    readonly presence: Presence;
    readonly description: string;
}

const contract = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "contract", "stack-outputs.json"), "utf8")) as {
    presence: Record<Presence, string>;
    outputs: Record<string, ContractEntry>;
};
const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

/** The program's lists, by the presence the contract gives them. */
const PROGRAM_LISTS: Record<Presence, readonly string[]> = {
    everyStack: EVERY_STACK_OUTPUTS,
    always: COMMON_OUTPUTS,
    sharedWorkers: SHARED_WORKER_OUTPUTS,
    projectIsolation: ISOLATION_OUTPUTS,
    manualDns: MANUAL_DNS_OUTPUTS,
    authenticated: AUTHENTICATION_OUTPUTS,
    executionEvents: EVENTS_OUTPUTS,
    verified: VERIFICATION_OUTPUTS,
    registry: REGISTRY_OUTPUTS,
    ciPush: CI_PUSH_OUTPUTS,
    gcpCiPush: GCP_CI_PUSH_OUTPUTS,
    local: LOCAL_OUTPUTS,
    localDashboard: DASHBOARD_OUTPUTS,
    controlPlane: CONTROL_PLANE_OUTPUTS,
    authenticatedControlPlane: AUTHENTICATED_CONTROL_PLANE_OUTPUTS,
    dataPlane: DATA_PLANE_OUTPUTS,
};

// Compile-time: the outputs interface has exactly the contract's keys (a new key without an entry here fails tsc).
const INTERFACE_KEYS: Record<keyof FlyteStackOutputs, true> = {
    grpcEndpoint: true,
    httpEndpoint: true,
    consoleUrl: true,
    flytectlConfig: true,
    portForwardCommand: true,
    kubeconfig: true,
    clusterName: true,
    metadataBucket: true,
    userDataBucket: true,
    databaseHost: true,
    backendServiceAccount: true,
    identities: true,
    workerServiceAccount: true,
    projectWorkerServiceAccounts: true,
    projectDataLocations: true,
    dnsRecordsToCreate: true,
    oidcRedirectUris: true,
    ciClientId: true,
    ciClientSecret: true,
    executionEventsTopic: true,
    verificationJobs: true,
    registryUrl: true,
    ciPushIdentity: true,
    ciWorkloadIdentityProvider: true,
    minioConsoleUrl: true,
    minioRootUser: true,
    minioRootPassword: true,
    kubernetesDashboardUrl: true,
    controlPlane: true,
    controlPlaneClientSecret: true,
    dataPlane: true,
    dataPlaneToken: true,
};

describe("the program declares exactly the contract", () => {
    test("the same output names as the outputs interface", () => {
        expect(Object.keys(contract.outputs).sort()).toEqual(Object.keys(INTERFACE_KEYS).sort());
    });

    test.each(Object.entries(PROGRAM_LISTS))("presence %s: the program's list matches", (presence, list) => {
        const inContract = Object.entries(contract.outputs)
            .filter(([, entry]) => entry.presence === presence)
            .map(([name]) => name)
            .sort();
        expect([...list].sort()).toEqual(inContract);
        expect(contract.presence[presence as Presence]).toEqual(expect.any(String));
    });

    test("every entry has a type, secrecy and a description", () => {
        for (const [name, entry] of Object.entries(contract.outputs)) {
            expect([name, (TYPES as readonly string[]).includes(entry.type)]).toEqual([name, true]);
            expect([name, typeof entry.secret]).toEqual([name, "boolean"]);
            expect([name, entry.description.length > 10]).toEqual([name, true]);
        }
    });

    test("definedOutputs exports what is set and leaves out what is not", () => {
        const value = pulumi.output("x");
        const outputs: FlyteStackOutputs = {
            grpcEndpoint: value,
            httpEndpoint: value,
            consoleUrl: value,
            flytectlConfig: value,
            portForwardCommand: value,
            kubeconfig: value,
            clusterName: value,
            metadataBucket: value,
            userDataBucket: value,
            databaseHost: value,
            backendServiceAccount: value,
            identities: pulumi.output<Record<string, string>>({ backend: "b" }),
            workerServiceAccount: value,
        };
        expect(Object.keys(definedOutputs(outputs)).sort()).toEqual([...COMMON_OUTPUTS, ...EVERY_STACK_OUTPUTS, "workerServiceAccount"].sort());
    });
});

describe("README's outputs table is the contract", () => {
    const section = readme.slice(readme.indexOf("## Outputs contract"), readme.indexOf("## How it is verified"));
    const rows = new Map(
        [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()] as const),
    );

    test("one row per output, nothing else", () => {
        expect([...rows.keys()].sort()).toEqual(Object.keys(contract.outputs).sort());
    });

    test.each(Object.entries(contract.outputs))("%s: type and secrecy as in the contract", (name, entry) => {
        const type = rows.get(name) ?? "";
        expect(type.startsWith({ string: "string", "map<string>": "map of string", "list<string>": "list of string", object: "object" }[entry.type])).toBe(true);
        expect(type.includes("secret")).toBe(entry.secret);
    });

    test("points readers at the contract file", () => {
        expect(section).toContain("contract/stack-outputs.json");
    });
});

interface StackOptions {
    readonly stack: string;
    readonly isolation: boolean;
    readonly local: boolean;
    readonly dashboard: boolean;
    readonly manualDns?: boolean;
    readonly authenticated?: boolean;
    readonly executionEvents?: boolean;
    /** With verification (auto: on for gcp and aws). */
    readonly verified?: boolean;
    /** With registry: on which cloud, and whether CI pushes keylessly. */
    readonly registry?: { readonly cloud: "gcp" | "aws"; readonly ciPush: boolean };
    /** clusterRole; absent: standalone. */
    readonly role?: "controlPlane" | "dataPlane";
}

/** What a stack should export, from the contract and the stack's config. */
function expectedOutputs(options: StackOptions): string[] {
    return Object.entries(contract.outputs)
        .filter(([, entry]) => {
            if (options.role === "dataPlane") {
                return entry.presence === "everyStack" || entry.presence === "dataPlane";
            }
            switch (entry.presence) {
                case "everyStack":
                case "always":
                    return true;
                case "sharedWorkers":
                    return !options.isolation;
                case "projectIsolation":
                    return options.isolation;
                case "manualDns":
                    return options.manualDns === true;
                case "authenticated":
                    return options.authenticated === true;
                case "executionEvents":
                    return options.executionEvents === true;
                case "verified":
                    return options.verified === true;
                case "registry":
                    return options.registry !== undefined;
                case "ciPush":
                    return options.registry?.ciPush === true;
                case "gcpCiPush":
                    return options.registry?.ciPush === true && options.registry.cloud === "gcp";
                case "local":
                    return options.local;
                case "localDashboard":
                    return options.local && options.dashboard;
                case "controlPlane":
                    return options.role === "controlPlane";
                case "authenticatedControlPlane":
                    return options.role === "controlPlane" && options.authenticated === true;
                case "dataPlane":
                    return false;
            }
        })
        .map(([name]) => name)
        .sort();
}

/** What `npm run plan -- --stack <stack> --json` prints as outputs: the shared plan's. */
async function planOutputs(stack: string): Promise<Record<string, Json>> {
    return (await sharedPlan(stack)).outputs;
}

describe.each<StackOptions>([
    { stack: "dev", isolation: false, local: false, dashboard: false, verified: true },
    { stack: "prod", isolation: false, local: false, dashboard: false, verified: true },
    { stack: "eks", isolation: false, local: false, dashboard: false, verified: true },
    { stack: "local", isolation: false, local: true, dashboard: false },
    { stack: "poc", isolation: true, local: false, dashboard: false, verified: true },
    { stack: "gke-sso", isolation: false, local: false, dashboard: false, manualDns: true, authenticated: true, executionEvents: true, verified: true, registry: { cloud: "gcp", ciPush: true } },
    { stack: "eks-sso", isolation: false, local: false, dashboard: false, manualDns: false, authenticated: true, executionEvents: true, verified: true, registry: { cloud: "aws", ciPush: true } },
    // Verification is for standalone stacks only (auto is off on a control plane or a data plane).
    { stack: "gke-control", isolation: false, local: false, dashboard: false, role: "controlPlane" },
    { stack: "gke-gpu", isolation: false, local: false, dashboard: false, role: "dataPlane" },
    { stack: "gke-batch", isolation: false, local: false, dashboard: false, role: "dataPlane" },
    { stack: "eks-control", isolation: true, local: false, dashboard: false, role: "controlPlane" },
    { stack: "eks-batch", isolation: false, local: false, dashboard: false, role: "dataPlane" },
    { stack: "eks-spot", isolation: false, local: false, dashboard: false, role: "dataPlane" },
])("stack $stack exports the contract", (options) => {
    let outputs: Record<string, Json>;
    beforeAll(async () => {
        outputs = await planOutputs(options.stack);
    });

    test("exactly the outputs the contract gives it", () => {
        expect(Object.keys(outputs).sort()).toEqual(expectedOutputs(options));
    });

    test("each with the contract's type and secrecy", () => {
        for (const [name, value] of Object.entries(outputs)) {
            const entry = contract.outputs[name];
            if (entry.secret) {
                expect([name, value]).toEqual([name, "[secret]"]);
                continue;
            }
            if (entry.type === "string") {
                expect([name, typeof value]).toEqual([name, "string"]);
                expect([name, value === "" || value === "[secret]"]).toEqual([name, false]);
            } else if (entry.type === "list<string>") {
                expect([name, Array.isArray(value)]).toEqual([name, true]);
                const items = value as Json[];
                expect(items.length).toBeGreaterThan(0);
                expect([name, items.every((v) => typeof v === "string" && v !== "")]).toEqual([name, true]);
            } else if (entry.type === "object") {
                expect([name, isRecord(value) && Object.keys(value).length > 0]).toEqual([name, true]);
            } else {
                expect([name, isRecord(value)]).toEqual([name, true]);
                const values = Object.values(value as Record<string, Json>);
                expect(values.length).toBeGreaterThan(0);
                expect([name, values.every((v) => typeof v === "string" && v !== "")]).toEqual([name, true]);
            }
        }
    });
});
